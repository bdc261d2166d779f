import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { MAX_RATE_LIMIT_WAIT_MS } from '../../src/providers/http/rate-limit.ts';
import { HTTP_FAULTS, RATE_LIMIT_FAULTS, type HttpFault } from './support/fault-proxy.ts';
import { Harness, POLICY } from './support/harness.ts';

/** The error kind a row stores for each fault of its repository. */
const EXPECTED_KIND: Record<HttpFault, readonly string[]> = {
  status500: ['provider_error'],
  status502: ['provider_error'],
  status503: ['provider_error'],
  reset: ['provider_error'],
  hangBeforeHeaders: ['provider_error'],
  hangMidBody: ['provider_error'],
  truncated: ['provider_error'],
  notJson: ['provider_error'],
  wrongShape: ['provider_error'],
  hugeBody: ['provider_error'],
  hugeChunkedBody: ['provider_error'],
  redirectLoop: ['provider_error'],
  unauthorized: ['auth_error'],
  secondaryLimit: ['rate_limited', 'skipped_rate_limit'],
  tooManyWithRetryAfter: ['rate_limited', 'skipped_rate_limit'],
  tooManyBare: ['rate_limited', 'skipped_rate_limit'],
  tooManyForAges: ['rate_limited', 'skipped_rate_limit'],
  trickle: ['slow_host'],
};

let h: Harness;
const healthy: DiffStatusRow[] = [];
const broken = new Map<HttpFault, DiffStatusRow[]>();

before(async () => {
  h = await Harness.create({ random: () => 0.5 });
  const api = h.repo('acme', 'api');
  for (const owner of ['alice', 'bob']) {
    await h.linkToken(owner, `test-token-${owner}`);
    for (let i = 0; i < 3; i++) healthy.push(h.newRow({ chatId: `healthy-${owner}-${i}`, ownerId: owner, repo: api }));
  }
  // Each broken repository has its own owner: a rate limit holds back its token only.
  for (const fault of HTTP_FAULTS) {
    const owner = `owner-${fault}`;
    await h.linkToken(owner, `test-token-${fault}`);
    const repo = h.repo('broken', fault);
    broken.set(fault, [
      h.newRow({ chatId: `${fault}-with-pr`, ownerId: owner, repo }),
      h.newRow({ chatId: `${fault}-known-url`, ownerId: owner, repo, extra: { url: `${h.sim.url}/broken/${fault}/pull/1` } }),
    ]);
    h.proxy.faults.set(`broken/${fault.toLowerCase()}`, fault);
  }
  await h.putRows([...healthy, ...[...broken.values()].flat()]);
});
after(() => h.close());

test('provider faults on some repositories: the healthy rows refresh, each broken one stores its error kind and backs off', async () => {
  const startedAt = h.clock.now();
  const summary = await h.tick({ batchSize: 50 });
  const endedAt = h.clock.now();
  assert.equal(summary.claimed, healthy.length + 2 * HTTP_FAULTS.length);
  assert.equal(summary.writeFailures, 0);
  const table = await h.rows();

  for (const row of healthy) {
    const stored = table.get(row.chatId)!;
    assert.equal(stored.pullRequestState, 'open', row.chatId);
    assert.equal(stored.lastErrorKind, undefined, row.chatId);
    assert.ok(stored.refreshedAt! >= startedAt, row.chatId);
  }
  for (const [fault, rows] of broken) {
    for (const row of rows) {
      const stored = table.get(row.chatId)!;
      assert.ok(EXPECTED_KIND[fault].includes(stored.lastErrorKind!), `${row.chatId}: ${stored.lastErrorKind} ${stored.lastErrorMessage}`);
      assert.equal(stored.refreshedAt, undefined, row.chatId);
      const wait = stored.staleAt! - startedAt;
      if (RATE_LIMIT_FAULTS.has(fault)) {
        assert.ok(wait >= POLICY.rateLimitFloorMs && wait <= endedAt - startedAt + MAX_RATE_LIMIT_WAIT_MS, `${row.chatId} waits ${wait}`);
      } else {
        assert.equal(stored.errorCount, 1, row.chatId);
        assert.ok(wait >= POLICY.errorBaseMs && wait <= endedAt - startedAt + POLICY.errorBaseMs * 1.2, `${row.chatId} waits ${wait}`);
      }
      assert.doesNotMatch(stored.lastErrorMessage ?? '', /test-token/);
    }
  }
  assert.ok(h.proxy.faultsServed >= HTTP_FAULTS.length);
  assert.deepEqual((await h.check()).violations, []);
});

test('a second failing tick doubles the backoff; after the faults stop every row is refreshed within the longest backoff', async () => {
  h.clock.advance(POLICY.errorBaseMs * 1.2 + 1_000);
  await h.tick({ batchSize: 50 });
  const rows = broken.get('status503')!;
  const stored = (await h.rows()).get(rows[0]!.chatId)!;
  assert.equal(stored.errorCount, 2);
  assert.deepEqual((await h.check()).violations, []);

  assert.deepEqual(await h.settle(), []);
  const report = await h.check();
  assert.deepEqual(report.violations, []);
  assert.equal(report.rowsChecked, healthy.length + 2 * HTTP_FAULTS.length);
});
