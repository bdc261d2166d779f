import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptySummary, type TickSummary } from '../../src/refresh/tick-summary.ts';
import { planFanOut, workerCap, type FanOutSettings } from '../../src/loop/fan-out.ts';
import { leadSlot } from '../../src/loop/lead.ts';
import { runSlot, runSlotInProcess, type SlotParts } from '../../src/loop/slot.ts';
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
  const answer = await leadSlot({ census: c, tick: t.tick }, settings, 0, 3);
  assert.deepEqual(answer.groups, []);
  assert.equal(answer.claimed, 7);
  assert.deepEqual(c.counted, []);
  assert.deepEqual(t.ticks, [undefined]);
});

test('the lead samples one shard per slot, in turn, and fans out only when one worker is not enough', async () => {
  const shards = [0, 1, 2, 3];
  const quiet = census(shards, 10);
  const t = ticker();
  const small = await leadSlot({ census: quiet, tick: t.tick }, settings, 0, 6);
  assert.deepEqual(small.groups, []);
  assert.equal(small.dueEstimate, 40);
  assert.deepEqual(t.ticks, [shards], 'it ticked every shard in use itself');
  assert.deepEqual(quiet.counted, [2]);

  const busy = census(shards, 90);
  const big = await leadSlot({ census: busy, tick: t.tick }, settings, 0, 7);
  assert.equal(big.dueEstimate, 360);
  assert.deepEqual(big.groups, [[0], [1], [2], [3]]);
  assert.equal(big.claimed, 0, 'a lead that fans out ticks nothing');
  assert.equal(t.ticks.length, 1);
  assert.deepEqual(busy.counted, [3]);
});

test('a failing census never loses the slot: the lead ticks every shard itself', async () => {
  const t = ticker();
  const errors: unknown[] = [];
  const broken: DueCensus = { shardsInUse: async () => [0, 1, 2, 3], countDue: async () => Promise.reject(new Error('ECONNREFUSED')) };
  const answer = await leadSlot({ census: broken, tick: t.tick, onCensusError: (e) => errors.push(e) }, settings, 0, 1);
  assert.deepEqual(answer.groups, []);
  assert.equal(answer.claimed, 7);
  assert.deepEqual(t.ticks, [undefined]);
  assert.equal(errors.length, 1);
});

/** Parts whose tick records what it was asked. */
function parts(c: DueCensus | undefined, fanOut: FanOutSettings = settings) {
  const runs: { shards?: readonly number[]; fanOutWorker?: boolean }[] = [];
  const slot: SlotParts = { census: c, fanOut, tick: async (run) => (runs.push(run), { ...emptySummary(), claimed: 1, backlog: run.shards?.[0] === 3 }) };
  return { runs, slot };
}

test('runSlot: a worker Task ticks its group for one slot at most; the lead Task plans', async () => {
  const w = parts(census([0, 1, 2, 3], 90));
  const summary = await runSlot(w.slot, { role: 'worker', shards: [1, 3] }, 0);
  assert.deepEqual(w.runs, [{ shards: [1, 3], fanOutWorker: true }]);
  assert.equal(summary.claimed, 1);

  const l = parts(census([0, 1, 2, 3], 90));
  const answer = await runSlot(l.slot, { role: 'lead', slotIndex: 0 }, 0);
  assert.ok('groups' in answer && answer.groups.length === 4);
  assert.deepEqual(l.runs, [], 'a lead that fans out ticks nothing');
});

test('runSlot: without a census (a store of another design) the lead ticks every shard itself', async () => {
  const l = parts(undefined);
  const answer = await runSlot(l.slot, { role: 'lead', slotIndex: 5 }, 0);
  assert.deepEqual(answer, { ...emptySummary(), claimed: 1, backlog: false, groups: [], dueEstimate: null });
  assert.deepEqual(l.runs, [{}]);
});

test('runSlotInProcess: the lead, then one worker Task per group on its own parts, as the Map runs them', async () => {
  const lead = parts(census([0, 1, 2, 3], 90));
  const workers = [0, 1, 2, 3].map(() => parts(undefined));
  const run = await runSlotInProcess(lead.slot, (i) => workers[i]!.slot, 2, 0);
  assert.deepEqual(run.lead.groups, [[0], [1], [2], [3]]);
  assert.deepEqual(workers.map((w) => w.runs), [0, 1, 2, 3].map((s) => [{ shards: [s], fanOutWorker: true }]));
  assert.deepEqual(run.ticks.map((t) => t.backlog), [false, false, false, true]);

  const quiet = parts(census([0, 1], 1));
  const alone = await runSlotInProcess(quiet.slot, () => assert.fail('no worker for a slot the lead served'), 0, 0);
  assert.equal(alone.ticks.length, 1);
  assert.deepEqual(quiet.runs, [{ shards: [0, 1] }]);
});
