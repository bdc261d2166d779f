import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { Harness, POLICY, waitFor } from './support/harness.ts';

/**
 * DynamoDB failing under the pipeline (throttling, 5xx, answers lost after the write landed,
 * the endpoint gone mid-tick), injected into the store's own client inside the SDK's retries.
 */
let h: Harness;
const rows: DiffStatusRow[] = [];

before(async () => {
  h = await Harness.create({ random: () => 0.5, sim: { latency: 40 } });
  await h.linkToken('alice', 'test-token-alice');
  await h.linkToken('bob', 'test-token-bob');
  const api = h.repo('acme', 'api');
  for (let i = 0; i < 30; i++) rows.push(h.newRow({ chatId: `row-${i}`, ownerId: i % 2 ? 'alice' : 'bob', repo: api, pr: i % 5 !== 0 }));
  await h.putRows(rows);
});
after(() => h.close());

/** Makes every row due again, as if the previous scenario's backoffs had passed. */
function nextRound(): void {
  h.clock.advance(Math.max(POLICY.noPullRequestLaterMs, POLICY.openCapMs) + 1_000);
}

test('the due query keeps failing (5xx after the SDK retries): the tick ends cleanly and nothing changes', async () => {
  nextRound();
  const before = await h.rows();
  h.ddbFaults.add({ kind: 'server', operations: ['Query'] });
  const summary = await h.tick();
  h.ddbFaults.clear();
  assert.equal(summary.claimed, 0);
  assert.deepEqual(await h.rows(), before);
  assert.deepEqual((await h.check()).violations, []);
  const retry = await h.tick();
  assert.equal(retry.claimed, rows.length, 'the rows are still due');
});

test('throttling, 5xx and lost answers at random on every operation: invariants hold, and all rows recover', async () => {
  const injectedBefore = h.ddbFaults.injected;
  // Throttling makes the SDK back off for up to seconds: a few of those, many of the others.
  for (const kind of ['throttle', 'throughput'] as const) h.ddbFaults.add({ kind, probability: 0.06, times: 3 });
  for (const kind of ['server', 'lostAnswer'] as const) {
    h.ddbFaults.add({ kind, operations: ['Query', 'UpdateItem', 'GetItem'], probability: 0.06 });
  }
  for (let round = 0; round < 3; round++) {
    nextRound();
    await h.tick();
    assert.deepEqual((await h.check()).violations, [], `round ${round}`);
  }
  assert.ok(h.ddbFaults.injected - injectedBefore > 3, `faults were injected (${h.ddbFaults.injected - injectedBefore})`);
  assert.deepEqual(await h.settle(), []);
  assert.deepEqual((await h.check()).violations, []);
});

test('every write-back fails after the SDK retries: nothing is half-written and the rows come back at their next slot', async () => {
  nextRound();
  // Reads pass: only write-backs (which follow the refresh) and the round's end see the fault.
  const claimsBefore = h.store.claims;
  const ticking = h.tick();
  await waitFor(() => h.store.claims > claimsBefore, 'a row is claimed');
  h.ddbFaults.add({ kind: 'server', operations: ['UpdateItem'] });
  const summary = await ticking;
  h.ddbFaults.clear();
  assert.ok(summary.writeFailures > 0, `write-backs failed (${summary.writeFailures})`);
  assert.deepEqual((await h.check()).violations, []);

  // The shard lease lapses; the shards were not marked served, so the rows are due again.
  h.clock.advance(POLICY.claimTtlMs + 1);
  const after = await h.tick({ batchSize: 50 });
  assert.ok(after.refreshed + after.noPr >= summary.writeFailures, `the unwritten rows are taken again: ${JSON.stringify([summary, after])}`);
  assert.equal(after.writeFailures, 0);
  assert.deepEqual((await h.check()).violations, []);
});

test('the endpoint goes away mid-tick and comes back: the tick ends, rows return no later than their claim', async () => {
  nextRound();
  const claimsBefore = h.store.claims;
  const ticking = h.tick({ batchSize: 50 });
  await waitFor(() => h.store.claims > claimsBefore, 'a row is claimed');
  h.ddbFaults.down();
  const summary = await ticking;
  h.ddbFaults.up();
  assert.ok(summary.writeFailures + summary.lostClaims > 0, JSON.stringify(summary));
  assert.deepEqual((await h.check()).violations, []);
  h.clock.advance(POLICY.claimTtlMs + 1);
  assert.deepEqual(await h.settle(), []);
  assert.deepEqual((await h.check()).violations, []);
});
