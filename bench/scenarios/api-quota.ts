import { fileURLToPath } from 'node:url';
import { runChild } from '../child-run.ts';
import type { ColdStartInput, ColdStartOutput } from '../cold-start-child.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { DEFAULT_SETTINGS } from '../../src/system/settings.ts';
import { createWorker, runLoop } from '../worker.ts';
import { createWorld, type BenchWorld } from '../world.ts';
import { SLOT_INTERVAL_MS } from '../../src/loop/rhythm.ts';
import { SEEDING_ALLOWANCE_MS } from './freshness.ts';
import { round } from './tick-speed.ts';

const ROWS = 300;
const TTL_MS = 120_000;

export interface QuotaFigures {
  refreshes: number;
  requests: number;
  counted: number;
  notModified: number;
  countedCallsPerRefresh: number;
  notModifiedPerRefresh: number;
}

export interface ApiQuotaResult {
  rows: number;
  steady: QuotaFigures;
  afterColdStart: QuotaFigures;
  /** The first pass over rows without validators, for scale. */
  firstPass: QuotaFigures;
}

/**
 * Unchanged PRs (the host's world does not evolve): one TTL to fill every row's validators,
 * then two TTLs of steady state, then one TTL in a new process over the same table.
 */
export async function apiQuota(endpoint: string): Promise<ApiQuotaResult> {
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12));
  const t0 = clock.now() + SEEDING_ALLOWANCE_MS;
  const world = await createWorld({
    endpoint,
    clock,
    rows: ROWS,
    owners: 30,
    shardCount: 1,
    latencyMs: 20,
    seed: 3,
    staleAt: (i) => t0 + Math.floor((i * TTL_MS) / ROWS),
    sim: { rates: { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0 } },
  });
  const worker = createWorker(world.config, DEFAULT_SETTINGS, clock);
  clock.skipTo(t0);
  try {
    const firstPass = await measure(world, async () => {
      // Rows come due over one TTL; one more tick interval takes the last of them.
      await runLoop(worker, clock, t0 + TTL_MS + SLOT_INTERVAL_MS);
      return worker.refreshes.length;
    });
    const steady = await measure(world, async () => {
      const before = worker.refreshes.length;
      await runLoop(worker, clock, clock.now() + 2 * TTL_MS);
      return worker.refreshes.length - before;
    });
    const afterColdStart = await measure(world, async () => {
      const input: ColdStartInput = { world: world.config, settings: DEFAULT_SETTINGS, startAt: clock.now(), durationMs: TTL_MS };
      return (await coldStart(input)).refreshed;
    });
    return { rows: ROWS, steady, afterColdStart, firstPass };
  } finally {
    worker.close();
    await world.close();
  }
}

async function measure(world: BenchWorld, run: () => Promise<number>): Promise<QuotaFigures> {
  const before = world.sim.stats.snapshot();
  const refreshes = await run();
  const after = world.sim.stats.snapshot();
  const counted = after.counted - before.counted;
  const notModified = after.notModified - before.notModified;
  return {
    refreshes,
    requests: after.requests - before.requests,
    counted,
    notModified,
    countedCallsPerRefresh: round(counted / Math.max(1, refreshes), 4),
    notModifiedPerRefresh: round(notModified / Math.max(1, refreshes), 3),
  };
}

const CHILD = fileURLToPath(new URL('../cold-start-child.ts', import.meta.url));

function coldStart(input: ColdStartInput): Promise<ColdStartOutput> {
  return runChild<ColdStartOutput>(CHILD, input);
}
