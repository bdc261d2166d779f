import { median } from '../stats.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { DEFAULT_SETTINGS } from '../../src/system/settings.ts';
import { createWorker, type Worker } from '../worker.ts';
import { createWorld, type BenchWorld } from '../world.ts';

export interface TickSpeedResult {
  rows: number;
  /** The calls each row needs, by the state of its PR: what the ideal is made of (see `callsNeeded`). */
  calls: CallAccount;
  latencyMs: number;
  concurrency: number;
  perTokenConcurrency: number;
  /** Most rows any one token had. */
  maxRowsPerToken: number;
  /** max over tokens of ceil(that token's calls / perTokenConcurrency) * latency: a lower bound too, under the ideal. */
  perTokenBoundMs: number;
  wallMs: number;
  wallRunsMs: number[];
  /** ceil(calls.total / concurrency) * latency. */
  idealMs: number;
  /** The Refresher alone on the same rows (no claims, no write-backs): the HTTP part of a tick. */
  refreshOnlyMs: number;
  /** The same tick against a host answering at once: the floor this machine adds (DynamoDB Local, CPU). */
  zeroLatencyTickMs: number;
  sequentialMs: number;
  ratioToIdeal: number;
  /** (wallMs - zeroLatencyTickMs) / idealMs: the tick against its bound net of this machine's floor. */
  ratioNetOfFloor: number;
  speedupOverSequential: number;
  /** Requests the simulated host saw per tick (every tick must make exactly `calls.total`). */
  callsPerTick: number;
  baseline: string;
  peakRssMb: number;
}

/** Calls per tick by kind of row: a PR the row shows open, and one closed or merged. */
export interface CallAccount {
  openRows: number;
  /** Pull + reviews (a page each 100 reviews, and one more after a full page). */
  openCalls: number;
  closedRows: number;
  /** The same two, after the branch's open PR (a successor) and its newest PR are searched. */
  closedCalls: number;
  total: number;
}

const ROWS = 50;
const LATENCY_MS = 100;
const RUNS = 3;
const WARM_UPS = 2;
const TTL_SKIP_MS = 130_000;

/** The host stands still during the scenario, so every tick needs the same calls. */
const STILL = { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0, ciFinish: 0 };

/**
 * 50 due rows, each with a known PR url, 100 ms per request, over a host that stands still:
 * a row whose PR is open takes its pull, its reviews and its head commit's checks (check runs
 * and combined status: 4 calls), one whose PR is closed or merged two branch searches more (6). Two warm-up ticks (the rows learn their PR's state),
 * then gitsync's tick three times (median) and the anchor's pre-fix sequential behaviour once,
 * all over the same table, provider and host; every tick must make exactly those calls.
 */
export async function tickSpeed(endpoint: string): Promise<TickSpeedResult> {
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  try {
    const floor = await zeroLatencyTick(endpoint);
    const result = await measured(endpoint, LATENCY_MS);
    return {
      ...result,
      zeroLatencyTickMs: round(floor),
      ratioNetOfFloor: round((result.wallMs - floor) / result.idealMs, 2),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
    };
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
    sim: { rates: STILL },
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
    const account = callsNeeded(world);
    const runs: number[] = [];
    const calls: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run = await timedTick(world, gitsync, clock, account.total);
      runs.push(run.ms);
      calls.push(run.calls);
    }
    const seq = await timedTick(world, sequential, clock, account.total);
    const refreshOnly: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await gitsync.system.refresher.refresh(world.rows, { deadline: clock.now() + 30_000 });
      refreshOnly.push(performance.now() - started);
    }
    const wallMs = median(runs);
    const idealMs = Math.ceil(account.total / DEFAULT_SETTINGS.concurrency) * latencyMs;
    const rowsPerToken = new Map<string, number>();
    const callsPerToken = new Map<string, number>();
    for (const r of world.rows) {
      rowsPerToken.set(r.ownerId!, (rowsPerToken.get(r.ownerId!) ?? 0) + 1);
      callsPerToken.set(r.ownerId!, (callsPerToken.get(r.ownerId!) ?? 0) + rowCalls(world, r).calls);
    }
    return {
      rows: ROWS,
      calls: account,
      latencyMs,
      concurrency: DEFAULT_SETTINGS.concurrency,
      perTokenConcurrency: DEFAULT_SETTINGS.perTokenConcurrency,
      maxRowsPerToken: Math.max(...rowsPerToken.values()),
      perTokenBoundMs: Math.max(...[...callsPerToken.values()].map((c) => Math.ceil(c / DEFAULT_SETTINGS.perTokenConcurrency) * latencyMs)),
      wallMs: round(wallMs),
      wallRunsMs: runs.map(round),
      idealMs,
      refreshOnlyMs: round(median(refreshOnly)),
      sequentialMs: round(seq.ms),
      ratioToIdeal: round(wallMs / idealMs, 2),
      // Filled in by tickSpeed, which measured the floor first.
      ratioNetOfFloor: 0,
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

/**
 * The calls a tick needs for the rows as the host has them now: every row its PR's pull,
 * reviews pages and head commit's checks (check runs, combined status); a closed or merged PR first the branch's open-PR search (has a successor been
 * opened?) and its newest-PR search (opened and closed since?), as the Refresher asks them.
 */
export function callsNeeded(world: BenchWorld): CallAccount {
  const account: CallAccount = { openRows: 0, openCalls: 0, closedRows: 0, closedCalls: 0, total: 0 };
  for (const row of world.rows) {
    const { open, calls } = rowCalls(world, row);
    if (open) {
      account.openRows += 1;
      account.openCalls += calls;
    } else {
      account.closedRows += 1;
      account.closedCalls += calls;
    }
    account.total += calls;
  }
  return account;
}

function rowCalls(world: BenchWorld, row: BenchWorld['rows'][number]): { open: boolean; calls: number } {
  const [owner, name, , number] = new URL(row.url!).pathname.slice(1).split('/');
  const pull = world.sim.world.repo(owner!, name!)?.pulls.get(Number(number));
  if (!pull) throw new Error(`row ${row.chatId}: no pull request at ${row.url}`);
  // One reviews page per 100 reviews, and the page after a full one is asked too; then the
  // head commit's checks: its check runs (one page here) and its combined status.
  const pullAndReviews = 1 + Math.floor(pull.reviews.length / 100) + 1;
  const checks = 2;
  const open = pull.state === 'open';
  return { open, calls: (open ? 0 : 2) + pullAndReviews + checks };
}

/** Makes every row due again (skips past the TTL), then times one tick and counts its requests. */
async function timedTick(world: BenchWorld, worker: Worker, clock: VirtualClock, expectedCalls?: number): Promise<{ ms: number; calls: number }> {
  clock.skipTo(clock.now() + TTL_SKIP_MS);
  const before = world.sim.stats.snapshot().requests;
  const started = performance.now();
  const summary = await worker.system.tick();
  const ms = performance.now() - started;
  if (summary.refreshed !== ROWS) throw new Error(`tick refreshed ${summary.refreshed} of ${ROWS} rows: ${JSON.stringify(summary)}`);
  const calls = world.sim.stats.snapshot().requests - before;
  if (expectedCalls !== undefined && calls !== expectedCalls) throw new Error(`tick made ${calls} requests where its rows need ${expectedCalls}`);
  return { ms, calls };
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
