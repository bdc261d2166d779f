import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_AWS } from '../../src/dev/dynamodb-local/local-aws.ts';
import { bitbucketCloudDialect } from '../../src/dev/git-host-sim/bitbucket-cloud-dialect.ts';
import { bitbucketServerDialect } from '../../src/dev/git-host-sim/bitbucket-server-dialect.ts';
import { start, type GitHostSim } from '../../src/dev/git-host-sim/server.ts';
import type { PullRequest, Repo } from '../../src/dev/git-host-sim/world.ts';
import { bitbucketDeliveryEvent } from '../../src/dev/webhook-request.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { parseBitbucketCloudDelivery, bitbucketCloudWebhook } from '../../src/providers/bitbucket-cloud/webhook.ts';
import { bitbucketServerWebhook, parseBitbucketServerDelivery } from '../../src/providers/bitbucket-server/webhook.ts';
import { sha256Signature } from '../../src/providers/hmac-signature.ts';
import { repoBranchKey } from '../../src/store/repo-branch-key.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import { readWebhookEnv, webhookReceiverFromEnv } from '../../src/system/webhook-from-env.ts';
import type { WebhookReceiver } from '../../src/system/webhook-receiver.ts';
import type { FunctionUrlEvent } from '../../src/webhooks/receive.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';

const CLOUD_SECRET = 'bb-cloud-secret';
const SERVER_SECRET = 'bb-dc-secret';

// Pure parts: recognition, signatures, event names, delivery ids, payloads.

test('Cloud and Data Center deliveries are told apart by their delivery-id header; GitHub and GitLab ones by neither', () => {
  const cloud = { 'x-event-key': 'repo:push', 'x-request-uuid': 'u' };
  const server = { 'x-event-key': 'repo:refs_changed', 'x-request-id': 'i' };
  assert.deepEqual([bitbucketCloudWebhook.recognises(cloud), bitbucketServerWebhook.recognises(cloud)], [true, false]);
  assert.deepEqual([bitbucketCloudWebhook.recognises(server), bitbucketServerWebhook.recognises(server)], [false, true]);
  // A proxy's own X-Request-Id does not hide a Cloud delivery.
  const proxied = { ...cloud, 'x-request-id': 'proxy' };
  assert.deepEqual([bitbucketCloudWebhook.recognises(proxied), bitbucketServerWebhook.recognises(proxied)], [true, false]);
  for (const other of [{ 'x-github-event': 'push' }, { 'x-gitlab-event': 'Push Hook' }, {}]) {
    assert.deepEqual([bitbucketCloudWebhook.recognises(other), bitbucketServerWebhook.recognises(other)], [false, false]);
  }
});

test('X-Hub-Signature: the right secret passes, another secret, another body, no or a malformed header do not', () => {
  const body = Buffer.from('{"a":1}');
  const check = bitbucketCloudWebhook.verifier({ 'x-hub-signature': sha256Signature('s', body) }, body);
  assert.ok(check);
  assert.equal(check('s'), true);
  assert.equal(check('t'), false);
  assert.equal(bitbucketServerWebhook.verifier({ 'x-hub-signature': sha256Signature('s', Buffer.from('{}')) }, body)!('s'), false);
  for (const header of [undefined, '', 'sha1=abc', `sha256=${'0'.repeat(63)}`, 'sha256=zz']) {
    assert.equal(bitbucketCloudWebhook.verifier(header === undefined ? {} : { 'x-hub-signature': header }, body), null, String(header));
  }
});

test('event names and delivery ids', () => {
  assert.deepEqual(bitbucketCloudWebhook.identify({ 'x-event-key': 'pullrequest:approved', 'x-request-uuid': 'abc' }, {}), { event: 'pull_request_review', deliveryId: 'abc' });
  assert.deepEqual(bitbucketCloudWebhook.identify({ 'x-event-key': 'issue:created', 'x-request-uuid': 'abc' }, {}), { event: 'other', deliveryId: 'abc' });
  assert.deepEqual(bitbucketServerWebhook.identify({ 'x-event-key': 'pr:reviewer:needs_work', 'x-request-id': 'r1' }, {}), { event: 'pull_request_review', deliveryId: 'r1' });
  assert.deepEqual(bitbucketServerWebhook.identify({ 'x-event-key': 'diagnostics:ping', 'x-request-id': 'r2' }, {}), { event: 'ping', deliveryId: 'r2' });
});

const cloudRepo = { links: { html: { href: 'https://bitbucket.org/team/app' } } };
const clone = { links: { clone: [{ name: 'ssh', href: 'ssh://git@h:7999/PROJ/app.git' }, { name: 'http', href: 'https://h/bitbucket/scm/PROJ/app.git' }] } };

test('Cloud payloads: the PR source branch, every pushed branch; tags ignored, malformed invalid', () => {
  for (const key of ['pullrequest:created', 'pullrequest:updated', 'pullrequest:approved', 'pullrequest:unapproved', 'pullrequest:changes_request_created', 'pullrequest:changes_request_removed', 'pullrequest:fulfilled', 'pullrequest:rejected']) {
    assert.deepEqual(parseBitbucketCloudDelivery(key, { pullrequest: { source: { branch: { name: 'feat/x' }, repository: cloudRepo } } }), { kind: 'branch', repoUrl: 'https://bitbucket.org/team/app', branch: 'feat/x' }, key);
  }
  assert.deepEqual(
    parseBitbucketCloudDelivery('repo:push', { repository: cloudRepo, push: { changes: [{ new: { type: 'tag', name: 'v1' } }, { new: null, old: { type: 'branch', name: 'gone' } }] } }),
    { kind: 'branch', repoUrl: 'https://bitbucket.org/team/app', branch: 'gone' },
  );
  assert.deepEqual(
    parseBitbucketCloudDelivery('repo:push', {
      repository: cloudRepo,
      push: { changes: [{ new: { type: 'branch', name: 'a' } }, { new: { type: 'tag', name: 'v1' } }, { new: { type: 'branch', name: 'b' } }, { new: { type: 'branch', name: 'a' } }] },
    }),
    { kind: 'branch', repoUrl: 'https://bitbucket.org/team/app', branch: 'a', otherBranches: ['b'] },
  );
  assert.equal(parseBitbucketCloudDelivery('repo:push', { repository: cloudRepo, push: { changes: [{ new: { type: 'tag', name: 'v1' } }] } }).kind, 'ignored');
  assert.equal(parseBitbucketCloudDelivery('issue:created', {}).kind, 'ignored');
  assert.equal(parseBitbucketCloudDelivery('pullrequest:created', { pullrequest: { source: { branch: {} } } }).kind, 'invalid');
  assert.equal(parseBitbucketCloudDelivery('repo:push', []).kind, 'invalid');
});

test('Cloud commit statuses: a finished build names its branch (refname, or a full ref); a build starting, a tag or no refname is ignored', () => {
  const delivery = (status: Record<string, unknown>) => ({ repository: cloudRepo, commit_status: { type: 'build', key: 'CI', commit: { hash: 'abc123' }, ...status } });
  for (const key of ['repo:commit_status_created', 'repo:commit_status_updated']) {
    assert.deepEqual(bitbucketCloudWebhook.identify({ 'x-event-key': key, 'x-request-uuid': 'u' }, {}), { event: 'status', deliveryId: 'u' });
    for (const state of ['SUCCESSFUL', 'FAILED', 'STOPPED']) {
      assert.deepEqual(parseBitbucketCloudDelivery(key, delivery({ state, refname: 'feat/x' })), { kind: 'branch', repoUrl: 'https://bitbucket.org/team/app', branch: 'feat/x' }, `${key} ${state}`);
    }
  }
  assert.deepEqual(parseBitbucketCloudDelivery('repo:commit_status_updated', delivery({ state: 'FAILED', refname: 'refs/heads/feat/y' })), { kind: 'branch', repoUrl: 'https://bitbucket.org/team/app', branch: 'feat/y' });
  for (const status of [{ state: 'INPROGRESS', refname: 'feat/x' }, { state: 'FAILED' }, { state: 'FAILED', refname: '' }, { state: 'FAILED', refname: 'refs/tags/v1' }]) {
    assert.equal(parseBitbucketCloudDelivery('repo:commit_status_updated', delivery(status)).kind, 'ignored', JSON.stringify(status));
  }
  assert.equal(parseBitbucketCloudDelivery('repo:commit_status_updated', { repository: cloudRepo }).kind, 'invalid');
  assert.equal(parseBitbucketCloudDelivery('repo:commit_status_updated', { commit_status: { state: 'FAILED', refname: 'x' } }).kind, 'invalid');
});

test('Data Center payloads: the PR from-ref and its http clone URL, every changed branch, ping; tags ignored', () => {
  assert.deepEqual(
    parseBitbucketServerDelivery('pr:from_ref_updated', { pullRequest: { fromRef: { displayId: 'fix', repository: clone } } }),
    { kind: 'branch', repoUrl: 'https://h/bitbucket/scm/PROJ/app.git', branch: 'fix' },
  );
  assert.deepEqual(
    parseBitbucketServerDelivery('repo:refs_changed', { repository: clone, changes: [{ ref: { id: 'refs/tags/v1', type: 'TAG' } }, { ref: { id: 'refs/heads/main', type: 'BRANCH' } }] }),
    { kind: 'branch', repoUrl: 'https://h/bitbucket/scm/PROJ/app.git', branch: 'main' },
  );
  assert.deepEqual(
    parseBitbucketServerDelivery('repo:refs_changed', { repository: clone, changes: [{ ref: { id: 'refs/heads/main', type: 'BRANCH' } }, { ref: { id: 'refs/heads/fix', type: 'BRANCH' } }] }),
    { kind: 'branch', repoUrl: 'https://h/bitbucket/scm/PROJ/app.git', branch: 'main', otherBranches: ['fix'] },
  );
  assert.deepEqual(parseBitbucketServerDelivery('diagnostics:ping', undefined), { kind: 'ping' });
  assert.equal(parseBitbucketServerDelivery('repo:refs_changed', { repository: clone, changes: [{ ref: { id: 'refs/tags/v1', type: 'TAG' } }] }).kind, 'ignored');
  assert.equal(parseBitbucketServerDelivery('pr:opened', { pullRequest: { fromRef: { displayId: 'x', repository: { links: {} } } } }).kind, 'invalid');
});

// Through the real receiver on DynamoDB Local, against simulated hosts of both products.

let t: TestTables;
let runtime: WebhookReceiver;
const hosts: { sim: GitHostSim; repo: Repo; pr: PullRequest; secret: string }[] = [];

/** The signed delivery of a change to the host's PR, as its dialect sends it. */
function deliveryOf(h: (typeof hosts)[number], secret: string): FunctionUrlEvent {
  const deliver = h.sim.dialect.delivery;
  if (!deliver) throw new Error(`${h.sim.dialect.type} sends no deliveries`);
  return deliver({ kind: 'updated', repo: h.repo, pr: h.pr }, { web: h.sim.url, api: h.sim.apiUrl }, secret);
}

before(async () => {
  t = await createTestTables();
  for (const [dialect, secret] of [[bitbucketCloudDialect, CLOUD_SECRET], [bitbucketServerDialect, SERVER_SECRET]] as const) {
    const sim = await start({ seed: 'bb-webhooks', latency: 0, dialect, rates: { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0, ciFinish: 0 } });
    const token = dialect.credentialFor('alice', 'a0');
    sim.addToken(token, 'alice');
    const repo = sim.world.addRepo('acme', 'app');
    const branch = sim.world.addBranch(repo, 'feature/login', 'alice');
    const pr = sim.world.openPullRequest(repo, branch, { title: 'Login', additions: 10, deletions: 2, changedFiles: 3 }, sim.world.time);
    await t.doc.send(new PutCommand({ TableName: t.tokensTableName, Item: { ownerId: 'alice', providerHost: new URL(sim.url).host, accessToken: token } }));
    hosts.push({ sim, repo, pr, secret });
  }
  Object.assign(process.env, { AWS_REGION: LOCAL_AWS.region, AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey });
  runtime = webhookReceiverFromEnv(readWebhookEnv({
    TABLE_NAME: t.tableName,
    TOKENS_TABLE_NAME: t.tokensTableName,
    HTTP_CACHE_TABLE_NAME: t.httpCacheTableName,
    DELIVERIES_TABLE_NAME: t.deliveriesTableName,
    DYNAMODB_ENDPOINT: t.endpoint,
    GIT_PROVIDERS: JSON.stringify(hosts.map((h) => h.sim.providerEntry())),
    WEBHOOK_SECRETS: JSON.stringify(Object.fromEntries(hosts.map((h) => [new URL(h.sim.url).host, h.secret]))),
  }));
  for (const [i, h] of hosts.entries()) {
    const now = Date.now();
    const row: DiffStatusRow = {
      chatId: `row-${i}`, ownerId: 'alice', gitRemoteOrigin: h.sim.originOf(h.repo), gitBranch: 'feature/login',
      createdAt: now - 3_600_000, updatedAt: now - 3_600_000, staleAt: now + 3_600_000, dueShard: dueShardFor(`row-${i}`, 1),
    };
    row.repoBranchKey = repoBranchKey(row.gitRemoteOrigin, row.gitBranch);
    await t.doc.send(new PutCommand({ TableName: t.tableName, Item: row }));
  }
});
after(async () => {
  for (const h of hosts) await h.sim.close();
  await t.close();
});

async function rows(): Promise<DiffStatusRow[]> {
  const out = await t.doc.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }));
  return ((out.Items ?? []) as DiffStatusRow[]).sort((a, b) => a.chatId.localeCompare(b.chatId));
}

for (const index of [0, 1]) {
  test(`${index === 0 ? 'bitbucket-cloud' : 'bitbucket-server'}: unsigned or wrongly signed deliveries change nothing; a signed one refreshes the branch's row`, async () => {
    const h = hosts[index]!;
    const signed = deliveryOf(h, h.secret);
    const before = await rows();
    const refusedCases: [string, FunctionUrlEvent][] = [
      ['unsigned', { ...signed, headers: { ...signed.headers, 'x-hub-signature': undefined } }],
      ['wrong secret', deliveryOf(h, 'not-the-secret')],
      ['the other product\'s secret', deliveryOf(h, hosts[1 - index]!.secret)],
      ['tampered body', { ...signed, body: signed.body!.replace('"Login"', '"Logout"') }],
    ];
    for (const [name, event] of refusedCases) {
      const report = await runtime.receive(event);
      assert.equal(report.response.statusCode, 401, name);
    }
    assert.deepEqual(await rows(), before, 'no row touched');

    const report = await runtime.receive(signed);
    assert.equal(report.outcome, 'processed', report.reason);
    assert.equal(report.applied?.matched, 1);
    const row = (await rows())[index]!;
    assert.equal(row.url, h.sim.pullRequestUrl(h.repo, h.pr.number));
    assert.deepEqual([row.pullRequestState, row.additions, row.deletions, row.changedFiles], ['open', 10, 2, 3]);
    assert.ok(row.webhookAt !== undefined);
    // A redelivery (same id) is a duplicate.
    assert.equal((await runtime.receive(signed)).outcome, 'duplicate');
  });
}

test('bitbucket-cloud: a build finishing on the host shows in the row by its repo:commit_status_updated delivery', async () => {
  const h = hosts[0]!;
  assert.equal((await runtime.receive(deliveryOf(h, h.secret))).outcome, 'processed');
  const pending = (await rows())[0]!;
  assert.deepEqual(pending.checks, { state: 'pending', total: 3, passed: 0, failed: 0, pending: 3, failing: [] });
  const check = h.pr.checks.find((c) => c.state === 'pending')!;
  h.sim.world.finishCheck(h.pr, check, 'failure', Date.now());
  const delivery = h.sim.dialect.checkDelivery!(h.repo, h.pr, check, { web: h.sim.url, api: h.sim.apiUrl }, h.secret);
  const report = await runtime.receive(delivery);
  assert.deepEqual([report.outcome, report.event, report.applied?.matched], ['processed', 'status', 1], report.reason);
  const row = (await rows())[0]!;
  assert.deepEqual(row.checks, { state: 'failure', total: 3, passed: 0, failed: 1, pending: 2, failing: [check.name] });
  assert.ok(row.headSha && row.headSha.length === 12);
});

test('bitbucket-server: a signed diagnostics:ping is answered 200, an unsigned one 401', async () => {
  const h = hosts[1]!;
  const ping = bitbucketDeliveryEvent({ product: 'server', eventKey: 'diagnostics:ping', payload: { test: true }, secret: h.secret });
  const report = await runtime.receive(ping);
  assert.deepEqual([report.response.statusCode, report.outcome], [200, 'ping']);
  assert.equal((await runtime.receive({ ...ping, headers: { ...ping.headers, 'x-hub-signature': undefined } })).response.statusCode, 401);
});

test('bitbucket-server: a push naming several branches makes every branch\'s rows due, an ssh clone origin\'s too', async () => {
  const h = hosts[1]!;
  const sshOrigin = `ssh://git@${new URL(h.sim.url).hostname}:7999/${h.sim.originOf(h.repo).split('/scm/')[1]}`;
  const now = Date.now();
  const put = async (chatId: string, origin: string, branch: string) => {
    const row: DiffStatusRow = {
      chatId, ownerId: 'alice', gitRemoteOrigin: origin, gitBranch: branch,
      createdAt: now - 3_600_000, updatedAt: now - 3_600_000, staleAt: now + 3_600_000, dueShard: dueShardFor(chatId, 1),
    };
    row.repoBranchKey = repoBranchKey(row.gitRemoteOrigin, row.gitBranch);
    await t.doc.send(new PutCommand({ TableName: t.tableName, Item: row }));
  };
  await put('push-ssh-login', sshOrigin, 'feature/login');
  await put('push-https-two', h.sim.originOf(h.repo), 'feature/two');
  await put('push-ssh-two', sshOrigin, 'feature/two');
  await put('push-other', sshOrigin, 'feature/untouched');
  const payload = {
    eventKey: 'repo:refs_changed',
    repository: { slug: h.repo.name, links: { clone: [{ name: 'ssh', href: sshOrigin }, { name: 'http', href: h.sim.originOf(h.repo) }] } },
    changes: [
      { ref: { id: 'refs/heads/feature/login', displayId: 'feature/login', type: 'BRANCH' }, type: 'UPDATE' },
      { ref: { id: 'refs/tags/v1', displayId: 'v1', type: 'TAG' }, type: 'ADD' },
      { ref: { id: 'refs/heads/feature/two', displayId: 'feature/two', type: 'BRANCH' }, type: 'UPDATE' },
    ],
  };
  // Only this host configured: an ssh origin names no port, and the Cloud simulator shares the hostname.
  const dataCenterOnly = webhookReceiverFromEnv(readWebhookEnv({
    TABLE_NAME: t.tableName,
    TOKENS_TABLE_NAME: t.tokensTableName,
    HTTP_CACHE_TABLE_NAME: t.httpCacheTableName,
    DELIVERIES_TABLE_NAME: t.deliveriesTableName,
    DYNAMODB_ENDPOINT: t.endpoint,
    GIT_PROVIDERS: JSON.stringify([h.sim.providerEntry()]),
    WEBHOOK_SECRETS: JSON.stringify({ [new URL(h.sim.url).host]: h.secret }),
  }));
  const report = await dataCenterOnly.receive(bitbucketDeliveryEvent({ product: 'server', eventKey: 'repo:refs_changed', payload, secret: h.secret }));
  assert.equal(report.outcome, 'processed', report.reason);
  const byId = new Map((await rows()).map((r) => [r.chatId, r]));
  // feature/login (the first branch) is refreshed in the delivery: the https row-1 and the ssh row.
  assert.equal(byId.get('push-ssh-login')!.url, h.sim.pullRequestUrl(h.repo, h.pr.number), 'an ssh origin is matched and refreshed');
  for (const id of ['push-https-two', 'push-ssh-two']) {
    const row = byId.get(id)!;
    assert.ok(row.staleAt! <= Date.now(), `${id}: the second branch's row is due at once`);
    assert.ok(row.webhookAt !== undefined, `${id}: stamped`);
  }
  assert.equal(byId.get('push-other')!.webhookAt, undefined, 'a branch the push does not name is left alone');
  assert.equal(report.applied?.matched, 4, 'row-1 and the ssh row of feature/login, both rows of feature/two');
});
