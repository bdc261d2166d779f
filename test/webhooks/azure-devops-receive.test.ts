import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pullRequestJson } from '../../src/dev/git-host-sim/azure-devops-json.ts';
import type { PullRequest, Repo } from '../../src/dev/git-host-sim/world.ts';
import { azureDevOpsDeliveryEvent } from '../../src/dev/webhook-request.ts';
import type { FunctionUrlEvent } from '../../src/webhooks/receive.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { GITHUB_PREVIOUS_SECRET, GITHUB_SECRET, webhookWorld, type WebhookWorld } from './support.ts';

// Service-hook deliveries from a simulated Azure DevOps Server, through the real receiver over
// DynamoDB Local. The world's secrets are per host, current and previous (a rotation).
const SECRET = GITHUB_SECRET;
const PREVIOUS = GITHUB_PREVIOUS_SECRET;
let repo: Repo;
let pr: PullRequest;
let t: TestTables;
let w: WebhookWorld;

before(async () => {
  t = await createTestTables();
  w = await webhookWorld(t, {}, {}, 'azure-devops');
  const world = w.sim.world;
  repo = world.addRepo('acme', 'web');
  const branch = world.addBranch(repo, 'feature/login', 'alice');
  world.addBranch(repo, 'fix', 'alice');
  pr = world.openPullRequest(repo, branch, { title: 'Login', changedFiles: 3, commits: 2 }, world.time);
  world.review(pr, 'lead', 'APPROVED', world.time);
  await w.put({ chatId: 'pr-row', gitRemoteOrigin: w.sim.originOf(repo), gitBranch: 'feature/login' });
  await w.put({ chatId: 'push-row', gitRemoteOrigin: `${w.sim.url}/Sim%20Collection/acme/_git/web`, gitBranch: 'fix' });
  await w.put({ chatId: 'other-branch', gitRemoteOrigin: `${w.sim.url}/Sim%20Collection/acme/_git/web`, gitBranch: 'feature/logout' });
});
after(async () => {
  await w.close();
  await t.close();
});

const urls = () => ({ web: w.sim.url, api: w.sim.apiUrl });
const prEvent = (eventType: string, secret = SECRET, via: 'basic' | 'header' = 'basic', id?: string): FunctionUrlEvent =>
  azureDevOpsDeliveryEvent({ eventType, resource: pullRequestJson(repo, pr, urls()), secret, via, ...(id ? { id } : {}) });

test('wrong or missing credentials change nothing (401)', async () => {
  await w.unchanged(async () => {
    const good = prEvent('git.pullrequest.updated');
    const cases: [string, FunctionUrlEvent][] = [
      ['no credentials', { ...good, headers: { 'content-type': 'application/json' } }],
      ['wrong basic password', prEvent('git.pullrequest.updated', 'not-the-secret')],
      ['wrong header secret', prEvent('git.pullrequest.updated', 'not-the-secret', 'header')],
      ['a PAT as Bearer', { ...good, headers: { authorization: `Bearer ${SECRET}` } }],
      ['the secret as the user name', { ...good, headers: { authorization: `Basic ${Buffer.from(`${SECRET}:`).toString('base64')}` } }],
    ];
    for (const [name, event] of cases) assert.equal((await w.runtime.receive(event)).response.statusCode, 401, name);
  });
});

test('git.pullrequest.updated with the right basic credentials refreshes the branch\'s row at once; a redelivery is a duplicate', async () => {
  const event = prEvent('git.pullrequest.updated', SECRET, 'basic', 'evt-1');
  const report = await w.runtime.receive(event);
  assert.equal(report.response.statusCode, 200, report.response.body);
  assert.equal(report.outcome, 'processed');
  assert.equal(report.deliveryId, 'evt-1');
  assert.equal(report.event, 'git.pullrequest.updated');
  const row = (await w.scan()).find((r) => r.chatId === 'pr-row')!;
  assert.deepEqual(
    [row.url, row.pullRequestState, row.approved, row.commits, row.changedFiles, row.additions, row.webhookAt !== undefined],
    [`${w.sim.url}/Sim%20Collection/acme/_git/web/pullrequest/${pr.number}`, 'open', true, 2, 3, undefined, true],
  );
  assert.equal((await w.scan()).find((r) => r.chatId === 'other-branch')!.webhookAt, undefined);
  assert.equal((await w.runtime.receive(event)).outcome, 'duplicate');
});

test('a merge attempted with conflicts and CI finishing show in the row by their pull-request deliveries', async () => {
  pr.mergeable = false;
  const attempted = await w.runtime.receive(prEvent('git.pullrequest.merged'));
  assert.equal(attempted.outcome, 'processed', attempted.response.body);
  assert.equal((await w.scan()).find((r) => r.chatId === 'pr-row')!.mergeable, 'conflicts');
  for (const check of pr.checks.filter((c) => c.state === 'pending')) w.sim.world.finishCheck(pr, check, 'success', w.sim.world.time);
  pr.mergeable = true;
  assert.equal((await w.runtime.receive(prEvent('git.pullrequest.updated'))).outcome, 'processed');
  const row = (await w.scan()).find((r) => r.chatId === 'pr-row')!;
  const failed = pr.checks.filter((c) => c.state === 'failure').map((c) => `sim-ci/${c.name}`);
  assert.deepEqual(row.checks, { state: failed.length > 0 ? 'failure' : 'success', total: 3, passed: 3 - failed.length, failed: failed.length, pending: 0, failing: failed });
  assert.deepEqual([row.mergeable, row.headSha], ['clean', pr.headSha]);
});

test('created and merged, by the previous secret (rotation) and by the custom header', async () => {
  const created = await w.runtime.receive(prEvent('git.pullrequest.created', PREVIOUS));
  assert.equal(created.outcome, 'processed', created.response.body);
  w.sim.world.merge(pr, w.sim.world.time);
  const merged = await w.runtime.receive(prEvent('git.pullrequest.merged', SECRET, 'header'));
  assert.equal(merged.outcome, 'processed', merged.response.body);
  assert.equal((await w.scan()).find((r) => r.chatId === 'pr-row')!.pullRequestState, 'merged');
});

test('git.push makes the pushed branch\'s rows due; a PR comment is ignored', async () => {
  const push = azureDevOpsDeliveryEvent({
    eventType: 'git.push',
    resource: { refUpdates: [{ name: 'refs/heads/fix', oldObjectId: '0'.repeat(40), newObjectId: '1'.repeat(40) }], repository: { remoteUrl: `${w.sim.url}/Sim%20Collection/acme/_git/web` } },
    secret: SECRET,
  });
  const report = await w.runtime.receive(push);
  assert.equal(report.outcome, 'processed', report.response.body);
  assert.equal(report.applied?.matched, 1);
  assert.ok((await w.scan()).find((r) => r.chatId === 'push-row')!.webhookAt !== undefined);

  await w.unchanged(async () => {
    // A comment carries no secret trouble but nothing to do: 202, no row touched, nothing recorded.
    const comment = await w.runtime.receive(azureDevOpsDeliveryEvent({ eventType: 'ms.vss-code.git-pullrequest-comment-event', resource: { comment: { content: 'nit' } }, secret: SECRET }));
    assert.equal(comment.response.statusCode, 202);
    assert.equal(comment.outcome, 'ignored');
  });
});

test('a delivery naming a repository on another host is refused (403)', async () => {
  const resource = { ...pullRequestJson(repo, pr, urls()), repository: { remoteUrl: 'https://dev.azure.com/fabrikam/Fiber/_git/web' } };
  await w.unchanged(async () => {
    const report = await w.runtime.receive(azureDevOpsDeliveryEvent({ eventType: 'git.pullrequest.updated', resource, secret: SECRET }));
    assert.equal(report.response.statusCode, 403);
  });
});
