import { median } from '../stats.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { DEFAULT_SETTINGS } from '../../src/system/settings.ts';
import { createWorker, type Worker } from '../worker.ts';
import { createWorld, type BenchWorld } from '../world.ts';

export interface TickSpeedResult {
  rows: number;
  callsPerRow: number;
  latencyMs: number;
  concurrency: number;
  perTokenConcurrency: number;
  /** Most rows any one token had: ceil(this / perTokenConcurrency) * calls * latency bounds a tick too. */
  maxRowsPerToken: number;
  wallMs: number;
  wallRunsMs: number[];
  idealMs: number;
  /** The Refresher alone on the same rows (no claims, no write-backs): the HTTP part of a tick. */
  refreshOnlyMs: number;
  /** The same tick against a host answering at once: the floor this machine adds (DynamoDB Local, CPU). */
  zeroLatencyTickMs: number;
  sequentialMs: number;
  ratioToIdeal: number;
  speedupOverSequential: number;
  /** Requests the simulated host saw per tick (must be rows * calls). */
  callsPerTick: number;
  baseline: string;
  peakRssMb: number;
}

const ROWS = 50;
const CALLS = 2;
const LATENCY_MS = 100;
const RUNS = 3;
const WARM_UPS = 2;
const TTL_SKIP_MS = 130_000;

/**
 * 50 due rows, each with a known PR url (pull + reviews = 2 calls), 100 ms per request. One
 * warm-up tick, then gitsync's tick three times (median) and the anchor's pre-fix sequential
 * behaviour once, all over the same table, provider and host.
 */
export async function tickSpeed(endpoint: string): Promise<TickSpeedResult> {
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  try {
    const floor = await zeroLatencyTick(endpoint);
    return { ...(await measured(endpoint, LATENCY_MS)), zeroLatencyTickMs: round(floor), peakRssMb: Math.round(peakRss / 1024 / 1024) };
  } finally {
    clearInterval(sampler);
  }
}

async function zeroLatencyTick(endpoint: string): Promise<number> {
  const { world, clock } = await tickWorld(endpoint, 0);
  const worker = createWorker(world.config, DEFAULT_SETTINGS, clock);
  try {
    const runs: number[] = [];
    for (let i = 0; i < WARM_UPS + RUNS; i++) runs.push((await timedTick(world, worker, clock)).ms);
    return median(runs.slice(WARM_UPS));
  } finally {
    worker.close();
    await world.close();
  }
}

async function tickWorld(endpoint: string, latencyMs: number): Promise<{ world: BenchWorld; clock: VirtualClock }> {
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12));
  const t0 = clock.now();
  const world = await createWorld({
    endpoint,
    clock,
    rows: ROWS,
    owners: 10,
    shardCount: 1,
    latencyMs,
    seed: 6,
    staleAt: (i) => t0 - 1_000 - i,
  });
  return { world, clock };
}

async function measured(endpoint: string, latencyMs: number): Promise<Omit<TickSpeedResult, 'zeroLatencyTickMs' | 'peakRssMb'>> {
  const { world, clock } = await tickWorld(endpoint, latencyMs);
  const gitsync = createWorker(world.config, DEFAULT_SETTINGS, clock);
  // The anchor before the fix: one row at a time, one call at a time.
  const sequential = createWorker(
    world.config,
    { ...DEFAULT_SETTINGS, concurrency: 1, perTokenConcurrency: 1, tickBudgetMs: 120_000 },
    clock,
  );
  try {
    for (let i = 0; i < WARM_UPS; i++) await timedTick(world, gitsync, clock);
    const runs: number[] = [];
    const calls: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run = await timedTick(world, gitsync, clock);
      runs.push(run.ms);
      calls.push(run.calls);
    }
    const seq = await timedTick(world, sequential, clock);
    const refreshOnly: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await gitsync.system.refresher.refresh(world.rows, { deadline: clock.now() + 30_000 });
      refreshOnly.push(performance.now() - started);
    }
    const wallMs = median(runs);
    const idealMs = Math.ceil((ROWS * CALLS) / DEFAULT_SETTINGS.concurrency) * latencyMs;
    const perToken = new Map<string, number>();
    for (const r of world.rows) perToken.set(r.ownerId!, (perToken.get(r.ownerId!) ?? 0) + 1);
    return {
      rows: ROWS,
      callsPerRow: CALLS,
      latencyMs,
      concurrency: DEFAULT_SETTINGS.concurrency,
      perTokenConcurrency: DEFAULT_SETTINGS.perTokenConcurrency,
      maxRowsPerToken: Math.max(...perToken.values()),
      wallMs: round(wallMs),
      wallRunsMs: runs.map(round),
      idealMs,
      refreshOnlyMs: round(median(refreshOnly)),
      sequentialMs: round(seq.ms),
      ratioToIdeal: round(wallMs / idealMs, 2),
      speedupOverSequential: round(seq.ms / wallMs, 1),
      callsPerTick: Math.max(...calls, seq.calls),
      baseline:
        'the real runTick + Refresher with CONCURRENCY=1 and PER_TOKEN_CONCURRENCY=1 (one row, one call at a time) over the same table, GitHub provider and host; claims and write-backs as in gitsync',
    };
  } finally {
    gitsync.close();
    sequential.close();
    await world.close();
  }
}

/** Makes every row due again (skips past the TTL), then times one tick and counts its requests. */
async function timedTick(world: BenchWorld, worker: Worker, clock: VirtualClock): Promise<{ ms: number; calls: number }> {
  clock.skipTo(clock.now() + TTL_SKIP_MS);
  const before = world.sim.stats.snapshot().requests;
  const started = performance.now();
  const summary = await worker.system.tick();
  const ms = performance.now() - started;
  if (summary.refreshed !== ROWS) throw new Error(`tick refreshed ${summary.refreshed} of ${ROWS} rows: ${JSON.stringify(summary)}`);
  return { ms, calls: world.sim.stats.snapshot().requests - before };
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
