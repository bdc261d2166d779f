import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planShards } from '../../src/scale/shard-rule.ts';

test('the shard rule keeps every due-index partition at half its write and read ceilings', () => {
  const base = { minPeriodMs: 120_000, workerRefreshesPerSecond: 100, indexWritesPerRefresh: 1, indexEntryBytes: 80, batchSize: 200 };
  const cases: [number, number, number][] = [
    // rows, shards, workers
    [5_000, 1, 1],
    [40_000, 4, 4],
    [100_000, 9, 9],
    [1_000_000, 84, 84],
  ];
  for (const [rows, shards, workers] of cases) {
    const plan = planShards({ ...base, rows });
    assert.deepEqual([plan.shards, plan.workers], [shards, workers], `${rows} rows`);
    assert.ok(plan.indexWritesPerPartitionPerSecond <= 500 && plan.indexReadsPerPartitionPerSecond <= 1_500, JSON.stringify(plan));
  }
  // A cheap worker (many rows each) needs more shards than workers to keep reads in bounds.
  const few = planShards({ ...base, rows: 1_000_000, workerRefreshesPerSecond: 2_000 });
  assert.ok(few.shards > few.workers && few.indexReadsPerPartitionPerSecond <= 1_500, JSON.stringify(few));
});
