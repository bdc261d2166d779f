import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptySummary, type TickSummary } from '../../src/refresh/tick-summary.ts';
import { planFanOut, workerCap, type FanOutSettings } from '../../src/scale/fan-out.ts';
import { loopRole, LoopEventError } from '../../src/scale/loop-event.ts';
import { planShards } from '../../src/scale/shard-rule.ts';
import { leadSlot } from '../../src/scale/slot-lead.ts';
import type { DueCensus } from '../../src/store/due-census.ts';

const settings: FanOutSettings = { maxWorkers: 8, reservedConcurrency: 0, rowsPerWorker: 100 };

test('workers follow the due rows, capped by the setting, the inline Map, the reserved concurrency and the shards', () => {
  const shards = Array.from({ length: 16 }, (_, k) => k);
  const cases: [number, Partial<FanOutSettings>, number][] = [
    [0, {}, 1],
    [100, {}, 1],
    [101, {}, 2],
    [350, {}, 4],
    [10_000, {}, 8],
    [10_000, { maxWorkers: 40 }, 16],
    [10_000, { reservedConcurrency: 4 }, 3],
    [10_000, { reservedConcurrency: 1 }, 1],
  ];
  for (const [due, over, workers] of cases) {
    assert.equal(planFanOut(shards, due, { ...settings, ...over }).groups.length, workers, `${due} due, ${JSON.stringify(over)}`);
  }
  assert.equal(workerCap({ ...settings, maxWorkers: 40 }), 40);
});

test('shard groups are disjoint, cover every shard in use (a lowered SHARD_COUNT included) and differ by at most one', () => {
  for (const count of [1, 2, 5, 16, 37]) {
    const shards = Array.from({ length: count }, (_, k) => k);
    for (const due of [0, 250, 5_000]) {
      const { groups } = planFanOut(shards, due, settings);
      assert.deepEqual(groups.flat().sort((a, b) => a - b), shards);
      const sizes = groups.map((g) => g.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, JSON.stringify(groups));
    }
  }
  assert.throws(() => planFanOut([], 10, settings));
});

function census(shards: number[], duePerShard: number): DueCensus & { counted: number[] } {
  const counted: number[] = [];
  return {
    counted,
    shardsInUse: async () => shards,
    countDue: async (shard) => (counted.push(shard), duePerShard),
  };
}

const ticker = () => {
  const ticks: (readonly number[] | undefined)[] = [];
  return { ticks, tick: async (s?: readonly number[]): Promise<TickSummary> => (ticks.push(s), { ...emptySummary(), claimed: 7 }) };
};

test('a one-shard table costs one invocation per slot and no census', async () => {
  const c = census([0], 10_000);
  const t = ticker();
  const answer = await leadSlot({ census: c, tick: t.tick, emptySummary }, settings, 0, 3);
  assert.deepEqual(answer.groups, []);
  assert.equal(answer.claimed, 7);
  assert.deepEqual(c.counted, []);
  assert.deepEqual(t.ticks, [undefined]);
});

test('the lead samples one shard per slot, in turn, and fans out only when one worker is not enough', async () => {
  const shards = [0, 1, 2, 3];
  const quiet = census(shards, 10);
  const t = ticker();
  const small = await leadSlot({ census: quiet, tick: t.tick, emptySummary }, settings, 0, 6);
  assert.deepEqual(small.groups, []);
  assert.equal(small.dueEstimate, 40);
  assert.deepEqual(t.ticks, [shards], 'it ticked every shard in use itself');
  assert.deepEqual(quiet.counted, [2]);

  const busy = census(shards, 90);
  const big = await leadSlot({ census: busy, tick: t.tick, emptySummary }, settings, 0, 7);
  assert.equal(big.dueEstimate, 360);
  assert.deepEqual(big.groups, [[0], [1], [2], [3]]);
  assert.equal(big.claimed, 0, 'a lead that fans out ticks nothing');
  assert.equal(t.ticks.length, 1);
  assert.deepEqual(busy.counted, [3]);
});

test('a loop payload names a worker by its shards; anything else is the lead', () => {
  assert.deepEqual(loopRole({ source: 'gitsync.loop', slot: '2026-11-28T21:36:10Z', shards: [0, 2] }), { role: 'worker', shards: [0, 2] });
  assert.deepEqual(loopRole({ source: 'gitsync.loop', slot: '2026-11-28T21:36:10Z' }), { role: 'lead', slotIndex: Date.parse('2026-11-28T21:36:10Z') / 10_000 });
  assert.deepEqual(loopRole(undefined), { role: 'lead', slotIndex: 0 });
  for (const shards of [[], [-1], [1.5], ['0'], 'all', null]) {
    assert.throws(() => loopRole({ shards }), LoopEventError, JSON.stringify(shards));
  }
});

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

test('a failing census never loses the slot: the lead ticks every shard itself', async () => {
  const t = ticker();
  const errors: unknown[] = [];
  const broken: DueCensus = { shardsInUse: async () => [0, 1, 2, 3], countDue: async () => Promise.reject(new Error('ECONNREFUSED')) };
  const answer = await leadSlot({ census: broken, tick: t.tick, emptySummary, onCensusError: (e) => errors.push(e) }, settings, 0, 1);
  assert.deepEqual(answer.groups, []);
  assert.equal(answer.claimed, 7);
  assert.deepEqual(t.ticks, [undefined]);
  assert.equal(errors.length, 1);
});
