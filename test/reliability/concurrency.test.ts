import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { Harness, POLICY } from './support/harness.ts';
import { runScenario, scenarioArbitrary, type ScenarioWorld } from './support/scenario.ts';

/** Property runs in `npm test`; the soak runs many more. */
const RUNS = Number(process.env.GITSYNC_PROPERTY_RUNS ?? 2);
/** Replays a reported failure: `GITSYNC_PROPERTY_SEED=<seed>`. */
const SEED = process.env.GITSYNC_PROPERTY_SEED ? Number(process.env.GITSYNC_PROPERTY_SEED) : undefined;

let h: Harness;
let world: ScenarioWorld;

before(async () => {
  h = await Harness.create({ seed: 11, secondHost: true });
  const repos = [h.repo('acme', 'api'), h.repo('acme', 'web'), h.repo('globex', 'api')];
  const owners = ['alice', 'bob', 'carol', 'dave'];
  for (const owner of owners.slice(0, 3)) await h.linkToken(owner, `test-token-${owner}`);
  const rows: DiffStatusRow[] = [];
  for (let i = 0; i < 40; i++) {
    rows.push(h.newRow({ chatId: `chat-${i}`, ownerId: owners[i % 4]!, repo: repos[i % 3]!, pr: i % 4 !== 1 }));
  }
  await h.putRows(rows);
  world = { rows, repos };
});
after(() => h.close());

test('four ticks at once over the same rows: each row is claimed and refreshed exactly once', async () => {
  const summaries = await Promise.all([1, 2, 3, 4].map(() => h.tick({ batchSize: 15 })));
  // A tick that only lost claims stops draining; whatever all four left is due for the next.
  const leftover = await h.tick({ batchSize: 50 });
  assert.equal(summaries.reduce((n, s) => n + s.claimed, leftover.claimed), world.rows.length);
  assert.ok(summaries.filter((s) => s.claimed > 0).length >= 1);
  const applied = new Map<string, number>();
  for (const w of h.store.writes) if (w.result === 'applied') applied.set(w.chatId, (applied.get(w.chatId) ?? 0) + 1);
  for (const row of world.rows) assert.equal(applied.get(row.chatId), 1, row.chatId);
  assert.deepEqual((await h.check()).violations, []);
});

test('ticks racing pushes: a push during a refresh wins, the older answer is dropped', async () => {
  h.clock.advance(POLICY.noPullRequestLaterMs + 1);
  const target = world.rows[0]!;
  const ticks = [h.tick({ batchSize: 10 }), h.tick({ batchSize: 10 })];
  await h.markStale([target.chatId], h.owned.get(target.chatId)!.gitBranch!, h.originOf(world.repos[0]!));
  await Promise.all(ticks);
  await h.tick({ batchSize: 50 });
  assert.deepEqual((await h.check()).violations, []);
});

test('property: random interleavings of ticks, pushes, refresh-now, faults, moves and clock jumps keep every invariant; every row heals', async () => {
  await fc.assert(
    fc.asyncProperty(scenarioArbitrary(6), async (groups) => {
      const result = await runScenario(h, world, groups);
      assert.deepEqual(result.violations, []);
      assert.deepEqual(result.notHealed, []);
    }),
    { numRuns: RUNS, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) },
  );
});
