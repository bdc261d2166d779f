import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { MAX_BRANCH_BYTES } from '../../src/providers/branch-name.ts';
import { startLocalServer, type LocalServer } from '../providers/support/local-server.ts';
import { Harness, POLICY } from './support/harness.ts';

/**
 * Rows other services wrote with hostile or broken data. Each must end with a clear stored
 * error kind and a backoff, and no request may leave for a host that is not configured: the
 * bystander server stands for every such host and must see nothing.
 */
let h: Harness;
let bystander: LocalServer;
const ORIGIN_SECRET = 'ghp_0riginCredentialThatMustNeverTravel0000';
const cases: { row: DiffStatusRow; kind: string | null }[] = [];
/** Expected outcome of an unusable stored url: no error, the url cleared, no PR yet. */
const URL_DROPPED = 'url dropped';

before(async () => {
  h = await Harness.create({ random: () => 0 });
  bystander = await startLocalServer((_req, res) => res.end('{}'));
  await h.linkToken('alice', 'test-token-alice');
  const api = h.repo('acme', 'api');
  const sim = new URL(h.sim.url);
  const add = (chatId: string, kind: string | null, extra: Partial<DiffStatusRow>, pr = false) =>
    cases.push({ row: h.newRow({ chatId, ownerId: 'alice', repo: api, pr, extra, ...(extra.gitBranch ? { branch: extra.gitBranch } : {}) }), kind });

  // Origins: the configured host with a credential is usable (the credential is dropped);
  // everything else names no configured provider.
  add('creds-on-configured-host', null, { gitRemoteOrigin: `http://x-access-token:${ORIGIN_SECRET}@${sim.host}/acme/api.git` }, true);
  add('other-host', 'no_provider', { gitRemoteOrigin: 'https://evil.example.com/acme/api.git' });
  add('bystander-host', 'no_provider', { gitRemoteOrigin: `${bystander.url}/acme/api.git` });
  add('creds-on-bystander', 'no_provider', { gitRemoteOrigin: `http://user:${ORIGIN_SECRET}@${bystander.host}/acme/api.git` });
  add('bystander-ssh', 'no_provider', { gitRemoteOrigin: `ssh://git@[::1]:${bystander.url.split(':').pop()}/acme/api.git` });
  add('file-scheme', 'no_provider', { gitRemoteOrigin: 'file:///etc/passwd' });
  add('javascript-scheme', 'no_provider', { gitRemoteOrigin: 'javascript:alert(document.cookie)' });
  add('data-scheme', 'no_provider', { gitRemoteOrigin: 'data:text/plain,acme/api' });
  add('ipv4-literal', 'no_provider', { gitRemoteOrigin: 'https://10.0.0.1/acme/api.git' });
  add('decimal-ip-literal', 'no_provider', { gitRemoteOrigin: 'http://2130706433/acme/api.git' });
  add('ipv6-literal', 'no_provider', { gitRemoteOrigin: 'https://[::1]/acme/api.git' });
  add('same-ip-other-port', 'no_provider', { gitRemoteOrigin: `http://127.0.0.1:${bystander.url.split(':').pop()}/acme/api.git` });
  add('query-in-origin', 'no_provider', { gitRemoteOrigin: `${h.sim.url}/acme/api.git?redirect=${bystander.url}` });
  add('traversal-scp', 'no_provider', { gitRemoteOrigin: `git@127.0.0.1:acme/../../etc/passwd` });
  add('traversal-encoded', 'no_provider', { gitRemoteOrigin: `${h.sim.url}/acme/%2e%2e/api.git` });
  add('traversal-dots', 'provider_error', { gitRemoteOrigin: `${h.sim.url}/acme/../../etc/passwd.git` });
  add('blank-origin-ish', 'no_provider', { gitRemoteOrigin: '   ' });

  // Branches.
  add('unicode-branch', null, { gitBranch: 'feature/ünïcødé-🚀' }, true);
  add('long-branch', 'invalid_row', { gitBranch: `feature/${'x'.repeat(MAX_BRANCH_BYTES)}` });
  add('huge-branch', 'invalid_row', { gitBranch: 'y'.repeat(200_000) });
  add('header-injection-branch', 'invalid_row', { gitBranch: 'main\r\nAuthorization: token stolen' });
  add('other-owner-branch', 'invalid_row', { gitBranch: 'attacker:main' });
  add('traversal-branch', 'invalid_row', { gitBranch: '../../../repos/other/private' });

  // Stored PR urls (gitsync's own field) that are no PR of the origin's repository are never
  // requested: the branch's PR is looked up instead and replaces them (here: none yet).
  add('pr-url-other-host', URL_DROPPED, { url: `${bystander.url}/acme/api/pull/1` });
  add('pr-url-other-host-creds', URL_DROPPED, { url: `http://u:${ORIGIN_SECRET}@${bystander.host}/acme/api/pull/1` });
  add('pr-url-javascript', URL_DROPPED, { url: 'javascript:fetch("//evil.example.com")' });
  add('pr-url-not-a-pull', URL_DROPPED, { url: `${h.sim.url}/acme/api/issues/1` });
  add('pr-url-huge-number', URL_DROPPED, { url: `${h.sim.url}/acme/api/pull/99999999999999` });
  await h.putRows(cases.map((c) => c.row));
});
after(async () => {
  await h.close();
  await bystander.close();
});

test('hostile rows: each stores a clear error kind and backs off; healthy ones refresh; no request leaves for another host', async () => {
  const startedAt = h.clock.now();
  const summary = await h.tick({ batchSize: 50 });
  assert.equal(summary.claimed, cases.length);
  const table = await h.rows();
  for (const { row, kind } of cases) {
    const stored = table.get(row.chatId)!;
    if (kind === null) {
      assert.equal(stored.lastErrorKind, undefined, `${row.chatId}: ${stored.lastErrorMessage}`);
      assert.equal(stored.pullRequestState, 'open', row.chatId);
      continue;
    }
    if (kind === URL_DROPPED) {
      assert.equal(stored.lastErrorKind, undefined, `${row.chatId}: ${stored.lastErrorMessage}`);
      assert.equal(stored.url, undefined, row.chatId);
      continue;
    }
    assert.equal(stored.lastErrorKind, kind, `${row.chatId}: ${stored.lastErrorMessage}`);
    assert.equal(stored.errorCount, 1, row.chatId);
    assert.ok(stored.staleAt! - startedAt >= POLICY.errorBaseMs, `${row.chatId} backs off`);
    assert.ok((stored.lastErrorMessage ?? '').length <= 500, `${row.chatId}: short message`);
    assert.ok(!JSON.stringify(stored).includes('y'.repeat(1000)) || row.chatId === 'huge-branch', 'no copy of the huge branch');
  }
  assert.equal(bystander.requests.length, 0, 'no request reached an unconfigured host');
  for (const auth of h.proxy.authorizations) assert.ok(!auth.includes(ORIGIN_SECRET), 'the origin credential never travels');
  assert.deepEqual([...h.proxy.authorizations], ['Bearer test-token-alice']);
  assert.deepEqual((await h.check()).violations, []);
});

test('hostile rows keep backing off without requests, and never hold back the healthy ones', async () => {
  h.clock.advance(POLICY.errorBaseMs * 2);
  const before = h.proxy.requests;
  await h.tick({ batchSize: 50 });
  const stored = (await h.rows()).get('huge-branch')!;
  assert.equal(stored.errorCount, 2);
  assert.equal(bystander.requests.length, 0);
  assert.ok(h.proxy.requests - before <= 9, 'only the two usable rows (4 each: pull, reviews, check runs, combined status) and the traversal row (1) reach the configured host');
  assert.deepEqual(await h.settle(), []);
  assert.deepEqual((await h.check()).violations, []);
});
