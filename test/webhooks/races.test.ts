import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Repo } from '../../src/dev/git-host-sim/world.ts';
import { pullRequestDelivery } from '../../src/dev/git-host-sim/webhook-json.ts';
import { githubDeliveryEvent } from '../../src/dev/webhook-request.ts';
import { repoBranchKey } from '../../src/store/repo-branch-key.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { holdWriteBack, SECRET, tickAndHook, type TickAndHook } from './tick-and-hook.ts';

/**
 * Issue 19's stale overwrites, each through the real tick and the real webhook receiver on
 * DynamoDB Local: no older answer lands over a newer one, and no delivery whose rows could not
 * be written is answered as processed.
 */
let t: TestTables;
let w: TickAndHook;
let repo: Repo;

before(async () => {
  t = await createTestTables();
  w = await tickAndHook(t);
  repo = w.sim.world.addRepo('acme', 'races');
});
after(async () => {
  await w.close();
  await t.close();
});

const urls = () => ({ web: w.sim.url, api: w.sim.apiUrl });
const origin = () => `${w.sim.url}/acme/races.git`;

/** A branch with an open PR and its row, due now and findable by webhooks. */
async function branchWithRow(chatId: string, title: string) {
  const world = w.sim.world;
  const branch = world.addBranch(repo, `feature/${chatId}`, 'alice');
  const pr = world.openPullRequest(repo, branch, { title }, world.time);
  await w.put({ chatId, gitRemoteOrigin: origin(), gitBranch: branch.name, repoBranchKey: repoBranchKey(origin(), branch.name) });
  return pr;
}

test('case 1: a tick that fetched before a merge lands its write-back during the delivery\'s refresh: the row still ends merged', async () => {
  const pr = await branchWithRow('race-merge', 'Racing a merge');
  await w.tick();
  assert.equal((await w.row('race-merge'))!.pullRequestState, 'open');
  await w.makeDue('race-merge');
  const tickHeld = holdWriteBack(w, 'tick');
  const ticking = w.tick();
  await tickHeld.reached; // the tick holds "open"

  w.sim.world.merge(pr, w.sim.world.time);
  const hookHeld = holdWriteBack(w, 'hook');
  const delivering = w.receiver.receive(githubDeliveryEvent({ event: 'pull_request', payload: pullRequestDelivery(repo, pr, urls(), 'closed'), secret: SECRET }));
  await hookHeld.reached; // the delivery claimed the row and holds "merged"

  tickHeld.release();
  const tick = await ticking;
  hookHeld.release();
  const report = await delivering;
  w.before.tick = w.before.hook = undefined;

  const row = (await w.row('race-merge'))!;
  assert.equal(row.pullRequestState, 'merged', `the delivery's answer is kept (tick ${JSON.stringify({ conflicts: tick.writeConflicts })}, delivery ${JSON.stringify(report.applied)})`);
  assert.equal(tick.writeConflicts, 1, 'the tick\'s older answer is refused');
  assert.equal(report.response.statusCode, 200);
  assert.equal(report.applied?.summary.refreshed, 1);
});

test('case 2: a row deleted and inserted again under the same id (another branch) while a tick refreshes the old one keeps the new branch\'s data', async () => {
  await branchWithRow('reinserted', 'The old branch\'s PR');
  const newBranch = w.sim.world.addBranch(repo, 'feature/reinserted-again', 'alice');
  const tickHeld = holdWriteBack(w, 'tick');
  const ticking = w.tick();
  await tickHeld.reached;
  // Another service deletes the chat and inserts it again, on another branch, neither with a version.
  await w.remove('reinserted');
  const later = Date.now() + 3_600_000;
  await w.put({ chatId: 'reinserted', gitRemoteOrigin: origin(), gitBranch: newBranch.name, dueSlot: `0/${later}`, staleAt: later });
  tickHeld.release();
  const tick = await ticking;
  w.before.tick = undefined;

  const row = (await w.row('reinserted'))!;
  assert.equal(row.gitBranch, newBranch.name);
  assert.equal(row.pullRequestTitle, undefined, 'the old branch\'s PR is not shown on the new row');
  assert.equal(row.url, undefined);
  assert.equal(row.repoBranchKey, undefined, 'nor its webhook key');
  assert.equal(row.dueSlot, `0/${later}`, 'nor its schedule');
  assert.equal(tick.writeConflicts, 1);
});

test('case 3: a delivery whose write-back DynamoDB refuses with a 500 answers 500, forgets its id and leaves the row due; its redelivery refreshes the row', async () => {
  const pr = await branchWithRow('hook-500', 'Write fails');
  await w.tick();
  const world = w.sim.world;
  world.merge(pr, world.time);
  // The write-back itself fails (one attempt, as the SDK's retries would all fail); what follows succeeds.
  w.before.hook = async () => w.hookFaults.add({ kind: 'server', operations: ['UpdateItem'], times: 1 });
  const delivery = githubDeliveryEvent({ event: 'pull_request', payload: pullRequestDelivery(repo, pr, urls(), 'closed'), secret: SECRET, deliveryId: 'case-3-delivery' });
  const report = await w.receiver.receive(delivery);
  w.before.hook = undefined;
  assert.equal(report.response.statusCode, 500, report.response.body);
  assert.equal(report.outcome, 'failed');
  const row = (await w.row('hook-500'))!;
  assert.equal(row.pullRequestState, 'open', 'nothing half-written');
  assert.match(row.dueSlot!, /^0\//, 'due once, at once');
  assert.ok(Number(row.dueSlot!.split('/')[1]) <= Date.now(), 'due now: the loop\'s next tick takes it');

  const again = await w.receiver.receive(delivery);
  assert.equal(again.outcome, 'processed', 'the redelivery is not taken for a duplicate');
  assert.equal((await w.row('hook-500'))!.pullRequestState, 'merged');
});

test('case 4: a tick that reads a row while a delivery refreshes it leaves it to the delivery: the host is asked once, and the row is not sent round again', async () => {
  const pr = await branchWithRow('held-by-hook', 'Before the edit');
  await w.tick();
  await w.makeDue('held-by-hook');
  w.sim.world.retitle(pr, 'After the edit', w.sim.world.time);
  const hookHeld = holdWriteBack(w, 'hook');
  const delivering = w.receiver.receive(githubDeliveryEvent({ event: 'pull_request', payload: pullRequestDelivery(repo, pr, urls(), 'edited'), secret: SECRET }));
  await hookHeld.reached; // the delivery claimed the row and holds the host's answer

  const asked = w.sim.stats.snapshot().requests;
  const tick = await w.tick();
  assert.deepEqual([tick.claimed, tick.lostClaims], [0, 1], 'the row is due, but the delivery holds it');
  assert.equal(w.sim.stats.snapshot().requests, asked, 'the tick did not ask the host');
  hookHeld.release();
  const report = await delivering;
  w.before.hook = undefined;

  assert.equal(report.response.statusCode, 200);
  assert.deepEqual([report.applied?.summary.refreshed, report.applied?.madeDue], [1, 0], 'the delivery\'s write-back landed: nothing made due again');
  assert.equal((await w.row('held-by-hook'))!.pullRequestTitle, 'After the edit');
  assert.equal((await w.tick()).claimed, 0, 'not due until its new schedule');
});
