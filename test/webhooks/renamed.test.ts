import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pullRequestDelivery } from '../../src/dev/git-host-sim/webhook-json.ts';
import { githubDeliveryEvent } from '../../src/dev/webhook-request.ts';
import { repoBranchKey } from '../../src/store/repo-branch-key.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { SECRET, tickAndHook, type TickAndHook } from './tick-and-hook.ts';

/**
 * Issue 19, case 10, through the real tick and the real webhook receiver on DynamoDB Local:
 * after a repository is renamed, the host's deliveries name its new path while the row's origin
 * still names the old one; the move the refresh learned (`repoMove`) makes them match.
 */
let t: TestTables;
let w: TickAndHook;

before(async () => {
  t = await createTestTables();
  w = await tickAndHook(t);
});
after(async () => {
  await w.close();
  await t.close();
});

test('case 10: a renamed repository\'s delivery (naming the new path) refreshes the rows whose origin names the old one', async () => {
  const world = w.sim.world;
  const repo = world.addRepo('acme', 'before-rename');
  const branch = world.addBranch(repo, 'feature/rename', 'alice');
  const pr = world.openPullRequest(repo, branch, { title: 'Across a rename' }, world.time);
  const origin = `${w.sim.url}/acme/before-rename.git`;
  await w.put({ chatId: 'renamed', gitRemoteOrigin: origin, gitBranch: branch.name, repoBranchKey: repoBranchKey(origin, branch.name) });
  await w.put({ chatId: 'other-branch', gitRemoteOrigin: origin, gitBranch: 'feature/other' });
  await w.tick();

  world.moveRepo(repo, 'acme', 'after-rename');
  await w.makeDue('renamed');
  await w.tick();
  assert.deepEqual((await w.row('renamed'))!.repoMove, { origin, path: 'acme/after-rename' }, 'the refresh learned the move');

  world.merge(pr, world.time);
  const report = await w.receiver.receive(
    githubDeliveryEvent({ event: 'pull_request', payload: pullRequestDelivery(repo, pr, { web: w.sim.url, api: w.sim.apiUrl }, 'closed'), secret: SECRET }),
  );
  assert.equal(report.response.statusCode, 200, report.response.body);
  assert.equal(report.applied?.matched, 1, report.response.body);
  const row = (await w.row('renamed'))!;
  assert.equal(row.pullRequestState, 'merged');
  assert.match(row.url!, /\/acme\/after-rename\/pull\/\d+$/);
  assert.equal((await w.row('other-branch'))!.webhookAt, undefined, 'another branch is not matched');
});
