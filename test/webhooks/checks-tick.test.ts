import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_CADENCE } from '../../src/cadence/policy.ts';
import type { PullRequest, Repo } from '../../src/dev/git-host-sim/world.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { manualClock } from '../dev/git-host-sim/helpers.ts';
import { SECRET, tickAndHook, type TickAndHook } from './tick-and-hook.ts';

// A check run finishing on the simulated GitHub reaches the row through the real tick and the
// real webhook receiver over DynamoDB Local: by its delivery at once, without one by polling
// within the pending cadence.
const clock = manualClock();
let t: TestTables;
let h: TickAndHook;
let repo: Repo;
let pr: PullRequest;

before(async () => {
  t = await createTestTables();
  h = await tickAndHook(t, { clock });
  repo = h.sim.world.addRepo('acme', 'ci');
  pr = h.sim.world.openPullRequest(repo, h.sim.world.addBranch(repo, 'feature/ci', 'alice'), { title: 'CI', additions: 3 }, clock.now());
  await h.put({ chatId: 'ci', gitRemoteOrigin: `${h.sim.url}/acme/ci.git`, gitBranch: 'feature/ci' });
  // The host computes mergeability a step after the push.
  clock.advance(10_000);
  const summary = await h.tick();
  assert.equal(summary.refreshed, 1);
});
after(async () => {
  await h.close();
  await t.close();
});

test('a refreshed row carries its head commit, its pending checks and its mergeability', async () => {
  const row = await h.row('ci');
  assert.equal(row?.headSha, pr.headSha);
  assert.deepEqual(row?.checks, { state: 'pending', total: 3, passed: 0, failed: 0, pending: 3, failing: [] });
  assert.ok(row?.mergeable === 'clean' || row?.mergeable === 'conflicts', String(row?.mergeable));
  // Pending CI: the next look is at the fast end of the cadence.
  assert.ok(row!.staleAt! - row!.checkedAt! <= DEFAULT_CADENCE.successTtlMs, `due within ${DEFAULT_CADENCE.successTtlMs} ms: ${row?.dueSlot}`);
});

test('a check run finishing shows in the row when its check_run delivery is answered', async () => {
  const build = pr.checks.find((c) => c.name === 'build')!;
  h.sim.world.finishCheck(pr, build, 'failure', clock.now());
  const delivery = h.sim.dialect.checkDelivery!(repo, pr, build, { web: h.sim.url, api: h.sim.apiUrl }, SECRET);
  const report = await h.receiver.receive(delivery);
  assert.equal(report.response.statusCode, 200, report.response.body);
  assert.equal(report.event, 'check_run');
  const row = await h.row('ci');
  assert.deepEqual(row?.checks, { state: 'failure', total: 3, passed: 0, failed: 1, pending: 2, failing: ['build'] });
  // Runs still going: the fast end, though the host now sends webhooks (its safety cadence is longer).
  assert.ok(row!.staleAt! - row!.checkedAt! <= DEFAULT_CADENCE.successTtlMs, `due within ${DEFAULT_CADENCE.successTtlMs} ms: ${row?.dueSlot}`);
});

test('without a delivery, the next tick within the pending cadence finds the finished run', async () => {
  const test = pr.checks.find((c) => c.name === 'test')!;
  h.sim.world.finishCheck(pr, test, 'success', clock.now());
  const before = await h.row('ci');
  clock.advance(DEFAULT_CADENCE.successTtlMs);
  const summary = await h.tick();
  assert.equal(summary.refreshed, 1, 'the row was due again within the pending cadence');
  const row = await h.row('ci');
  assert.ok(row!.checkedAt! - before!.checkedAt! <= DEFAULT_CADENCE.successTtlMs);
  assert.deepEqual(row?.checks, { state: 'failure', total: 3, passed: 1, failed: 1, pending: 1, failing: ['build'] });
});
