import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { isThrottle } from '../../src/store/throttle.ts';
import { Harness, POLICY, waitFor } from './support/harness.ts';

/**
 * DynamoDB throttling the write-backs (a hot due-index partition pushing back on the base
 * table) beyond the SDK's own retries: the tick backs off, counts throttles, and no row is
 * taken for failed.
 */
let h: Harness;
const rows: DiffStatusRow[] = [];

before(async () => {
  h = await Harness.create({ random: () => 0.5, sim: { latency: 20 } });
  await h.linkToken('alice', 'test-token-alice');
  const api = h.repo('acme', 'api');
  for (let i = 0; i < 6; i++) rows.push(h.newRow({ chatId: `row-${i}`, ownerId: 'alice', repo: api, pr: true }));
  await h.putRows(rows);
});
after(() => h.close());

test('throttled write-backs are backed off and counted as throttles, not row failures', async () => {
  // Once the rows are claimed, the write-backs meet the throttle: three SDK attempts for each
  // of six writes, so eighteen injections exhaust the SDK's retries of some of them.
  const claimsBefore = h.store.claims;
  const ticking = h.tick();
  await waitFor(() => h.store.claims > claimsBefore, 'a row is claimed');
  h.ddbFaults.add({ kind: 'throughput', operations: ['UpdateItem'], times: 9 });
  h.ddbFaults.add({ kind: 'throttle', operations: ['UpdateItem'], times: 9 });
  const summary = await ticking;
  h.ddbFaults.clear();
  assert.ok(summary.throttles >= 1, JSON.stringify(summary));
  assert.equal(summary.writeFailures, 0);
  assert.equal(summary.errors, 0);
  assert.equal(summary.refreshed, rows.length, 'every row written once the throttle passed');
  assert.deepEqual((await h.check()).violations, []);
});

test('a throttled due-index read ends the tick as a throttle, and the rows wait for the next', async () => {
  h.clock.advance(POLICY.openCapMs + 1_000);
  // Every attempt of every query of both shards (base partition and buckets, three SDK attempts each), until cleared.
  h.ddbFaults.add({ kind: 'throughput', operations: ['Query'], times: 1_000 });
  const summary = await h.tick();
  h.ddbFaults.clear();
  assert.equal(summary.claimed, 0);
  assert.ok(summary.throttles >= 1, JSON.stringify(summary));
  assert.equal(summary.writeFailures, 0);
  assert.deepEqual((await h.check()).violations, []);
  h.clock.advance(POLICY.claimTtlMs + 1);
  const next = await h.tick();
  assert.equal(next.claimed, rows.length);
});

test('what counts as a throttle', () => {
  for (const name of ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']) {
    assert.ok(isThrottle(Object.assign(new Error('x'), { name })), name);
  }
  assert.ok(isThrottle({ name: 'Other', $retryable: { throttling: true } }));
  for (const err of [new Error('x'), { name: 'ConditionalCheckFailedException' }, null, 'ThrottlingException']) assert.equal(isThrottle(err), false);
});
