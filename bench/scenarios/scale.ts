import { fileURLToPath } from 'node:url';
import { SLOT_INTERVAL_MS } from '../../src/loop/rhythm.ts';
import { DEFAULT_CADENCE } from '../../src/cadence/policy.ts';
import type { FanOutSettings } from '../../src/loop/fan-out.ts';
import { planShards } from '../../src/scale/shard-rule.ts';
import { isBookkeepingItem } from '../../src/store/bookkeeping.ts';
import { SETUP_REQUEST_TIMEOUT_MS } from '../../src/store/document-client.ts';
import { MemoryStore } from '../stores/memory-store.ts';
import { createProviderRegistry } from '../../src/providers/registry.ts';
import { parseProviderConfigs } from '../../src/providers/config.ts';
import { runChild } from '../child-run.ts';
import { runFanOutLoop } from '../fan-out-loop.ts';
import { memoryTokens, virtualLatencyRegistry } from '../virtual-latency-registry.ts';
import { IndexWriteMeter } from '../index-write-meter.ts';
import { pendingLateness } from '../anchor-model.ts';
import { distribution } from '../stats.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { createWorker, type Worker, type WorkerSettings } from '../worker.ts';
import { createWorld, localDocClient, scanStaleAts } from '../world.ts';
import { SEEDING_ALLOWANCE_MS } from './freshness.ts';
import { round } from './tick-speed.ts';

/** One worker as a deployment at scale would run it: real GitHub answers in 200-500 ms. */
export const SCALE_LATENCY_MS = 250;
export const SCALE_WORKER: WorkerSettings = { concurrency: 10, perTokenConcurrency: 4, batchSize: 100, tickBudgetMs: 30_000, safetyMarginMs: 5_000 };
/**
 * A worker of the steady-state runs: the freshness harness's settings (100 ms per call,
 * CONCURRENCY 40: at most 200 refreshes/s), planned at a quarter of that, 50 refreshes/s (500
 * rows a slot): a worker then drains its slot's rows in about 2.5 s. Planned at 100/s (nine
 * workers at 100,000 rows, about 4.6 s of draining a slot), p99 read 14 s for one TTL alone;
 * at 50/s (17 workers), 10 s.
 */
export const STEADY_WORKER: WorkerSettings = { concurrency: 40, perTokenConcurrency: 4, batchSize: 200, tickBudgetMs: 30_000, safetyMarginMs: 5_000 };
export const STEADY_WORKER_REFRESHES_PER_SECOND = 50;
/**
 * The steady runs: rows, store, clock rate. One process on 2 shared cores stands in for every
 * worker's Lambda, so providers answer after a wait of virtual latency (no loopback HTTP, tokens
 * in memory) and virtual time runs at a rate this machine sustains. The runs go one after the
 * other (see `scale`). DynamoDB Local takes every worker's claims and writes: with the due-index
 * buckets it measured about 150 refreshes/s of real time alone, and 20,000 rows need 167/s,
 * so 0.9. The in-memory run alone left about three quarters of a core idle at rate 1 (CPU
 * profile) and read the same p99 at 1.5 for one TTL, so 1.5.
 */
export const STEADY_RUNS: readonly [number, 'dynamodb-local' | 'in-memory', number][] = [[20_000, 'dynamodb-local', 0.9], [100_000, 'in-memory', 1.5]];
export const STEADY_RUNS_QUICK: readonly [number, 'dynamodb-local' | 'in-memory', number][] = [[1_000, 'dynamodb-local', 1], [3_000, 'in-memory', 1]];
const STEADY_LATENCY_MS = 100;
const STEADY_CHILD = fileURLToPath(new URL('../steady-child.ts', import.meta.url));
/** Shards of the throughput runs: as many as the most workers, so each worker holds one or more whole shards. */
const THROUGHPUT_SHARDS = 8;
/** The throughput window: ticks stop at its end (`endTicks`), so a run lasts about this long. */
const THROUGHPUT_WINDOW_MS = 20_000;
/** Rows per worker in the throughput runs: more than one worker refreshes in the window, so none runs dry. */
const THROUGHPUT_ROWS_PER_WORKER = 500;

export interface WorkersPoint {
  workers: number;
  refreshesPerSecond: number;
}

/** What `steadyState` takes, as plain data (bench/steady-child.ts gets it as JSON). */
export interface SteadyInput {
  endpoint: string;
  rows: number;
  store: SteadyPoint['store'];
  options: { ttls: number; clockRate: number; refresher: SteadyPoint['refresher'] };
}

export interface SteadyPoint {
  rows: number;
  store: 'dynamodb-local' | 'in-memory';
  /**
   * How refreshes reach the git host: the simulated GitHub over loopback HTTP, or a wait of
   * virtual latency with tokens held in memory (virtual-latency-registry.ts; the store stays `store`).
   */
  refresher: 'simulated-http' | 'virtual-latency';
  ttls: number;
  /** Virtual seconds per real second while work happens (see VirtualClock). */
  clockRate: number;
  shards: number;
  maxWorkers: number;
  p50LatenessMs: number;
  p99LatenessMs: number;
  maxLatenessMs: number;
  dueAtEnd: number;
  maxIndexPartitionWritesPerSecond: number;
  refreshes: number;
  realMs: number;
}

/** CONCURRENCY of a worker in the 1M model (at most 256; GitHub allows 100 concurrent requests per token, and rows spread over many owners' tokens). */
export const MODEL_CONCURRENCY = 200;

export interface Model1M {
  /** Refreshes per second one worker is taken to do (see `scale()`). */
  perWorkerRefreshesPerSecond: number;
  workers: number;
  lambdaConcurrency: number;
  shards: number;
  maxIndexPartitionWritesPerSecond: number;
  maxIndexPartitionReadsPerSecond: number;
  monthlyUsd: number;
  formula: string;
}

const fanOutFor = (workers: number, rowsPerWorker: number): FanOutSettings => ({ maxWorkers: workers, reservedConcurrency: 0, rowsPerWorker });

/**
 * Throughput with `workers` workers: every row due at once (a backlog, the burst after an
 * outage), the fan-out loop for a 10 s window of virtual time; refreshes per second of it.
 */
export async function workersThroughput(endpoint: string, workers: number): Promise<WorkersPoint> {
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12));
  const rows = THROUGHPUT_ROWS_PER_WORKER * workers;
  const seededAt = clock.now();
  const world = await createWorld({
    endpoint, clock, rows, owners: Math.max(10, Math.round(rows / 10)), shardCount: THROUGHPUT_SHARDS,
    latencyMs: SCALE_LATENCY_MS, seed: 1_000 + workers, staleAt: (i) => seededAt - 60_000 + (i % 1_000),
  });
  const pool = Array.from({ length: workers }, () => createWorker(world.config, SCALE_WORKER, clock));
  try {
    const t0 = clock.now();
    await runFanOutLoop(pool, clock, t0 + THROUGHPUT_WINDOW_MS, fanOutFor(workers, 1), { endTicks: true });
    const refreshes = pool.reduce((sum, w) => sum + w.refreshes.length, 0);
    return { workers, refreshesPerSecond: round(refreshes / ((clock.now() - t0) / 1_000), 1) };
  } finally {
    for (const w of pool) w.close();
    await world.close();
  }
}

/**
 * A table in steady state for `ttls` TTLs of virtual time: rows due uniformly over one TTL,
 * the shards and workers the shard rule (docs/design/scale-out.md) gives for its row count, the fan-out loop.
 */
export async function steadyState(
  endpoint: string,
  rows: number,
  store: SteadyPoint['store'],
  options: SteadyInput['options'],
): Promise<SteadyPoint> {
  const ttl = DEFAULT_CADENCE.successTtlMs;
  const rule = planShards({ rows, minPeriodMs: ttl, workerRefreshesPerSecond: STEADY_WORKER_REFRESHES_PER_SECOND, indexWritesPerRefresh: 1, indexEntryBytes: 80, batchSize: STEADY_WORKER.batchSize });
  // Room for the first TTL's catch-up: twice the workers the steady rate needs, at most 40.
  const maxWorkers = Math.min(40, rule.shards, rule.workers * 2);
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12), options.clockRate);
  // Seeding takes real (so virtual) time: the timeline starts once it is done.
  const t0 = clock.now() + SEEDING_ALLOWANCE_MS;
  const world = await createWorld({
    endpoint, clock, rows, owners: Math.max(10, Math.round(rows / 10)), shardCount: rule.shards,
    latencyMs: Math.round(STEADY_LATENCY_MS / options.clockRate), seed: 2_000 + rows, staleAt: (i) => t0 + Math.floor((i * ttl) / rows), seedTable: store === 'dynamodb-local',
  });
  const memory = store === 'in-memory' ? new MemoryStore({ shardCount: rule.shards, clock }) : undefined;
  if (memory) for (const row of world.rows) memory.put(row);
  const meter = new IndexWriteMeter(clock, rule.shards);
  // Each worker's own registry, as each Lambda has its own providers.
  const registry = () => virtualLatencyRegistry(createProviderRegistry(parseProviderConfigs(world.config.gitProviders), { clock }), world.sim.world, STEADY_LATENCY_MS, options.clockRate);
  const pool = Array.from({ length: maxWorkers }, () =>
    createWorker(world.config, STEADY_WORKER, clock, {
      onWrite: meter.observe,
      ...(memory ? { store: memory } : {}),
      ...(options.refresher === 'virtual-latency' ? { registry: registry(), tokens: memoryTokens(world.tokens) } : {}),
    }),
  );
  if (clock.now() > t0) throw new Error(`seeding ${rows} rows took longer than ${SEEDING_ALLOWANCE_MS} ms`);
  clock.skipTo(t0);
  const realStart = performance.now();
  try {
    const end = t0 + options.ttls * ttl;
    const run = await runFanOutLoop(pool, clock, end, fanOutFor(maxWorkers, STEADY_WORKER_REFRESHES_PER_SECOND * (SLOT_INTERVAL_MS / 1_000)));
    const finalStaleAts = memory
      ? [...memory.rows.values()].filter((r) => !isBookkeepingItem(r.chatId)).map((r) => r.staleAt ?? 0)
      : [...(await finalDynamo(endpoint, world.config.tableName)).values()];
    const lateness = [...pool.flatMap((w) => w.refreshes.map((r) => r.refreshedAt - r.staleAt)), ...pendingLateness(finalStaleAts, run.endedAt)];
    const d = distribution(lateness);
    return {
      rows, store, refresher: options.refresher, ttls: options.ttls, clockRate: options.clockRate, shards: rule.shards, maxWorkers,
      p50LatenessMs: d.p50, p99LatenessMs: d.p99, maxLatenessMs: d.max,
      dueAtEnd: finalStaleAts.filter((at) => at < run.endedAt).length,
      maxIndexPartitionWritesPerSecond: meter.maxPerSecond(),
      refreshes: pool.reduce((sum, w) => sum + w.refreshes.length, 0),
      realMs: Math.round(performance.now() - realStart),
    };
  } finally {
    for (const w of pool) w.close();
    await world.close();
  }
}

async function finalDynamo(endpoint: string, table: string): Promise<Map<string, number>> {
  const doc = localDocClient(endpoint, undefined, SETUP_REQUEST_TIMEOUT_MS);
  try {
    const all = await scanStaleAts(doc, table);
    for (const id of all.keys()) if (isBookkeepingItem(id)) all.delete(id);
    return all;
  } finally {
    doc.destroy();
  }
}

/** Prices (us-east-1, see docs/design/scale-out.md): Lambda arm64 per GB-s and per request, DynamoDB on-demand per million units, Step Functions Express. */
const LAMBDA_GB_SECOND_USD = 0.0000133334;
const LAMBDA_REQUEST_USD = 0.2 / 1e6;
const WRITE_UNIT_USD = 0.625 / 1e6;
const READ_UNIT_USD = 0.125 / 1e6;
const EXPRESS_REQUEST_USD = 1 / 1e6;
const SECONDS_PER_MONTH = 30 * 86_400;
/** The lead's census and plan, per slot (an estimate: one GetItem and one shard query). */
const LEAD_SECONDS = 0.2;

/**
 * 1,000,000 rows from the measured figures: R = rows / TTL refreshes per second (every row at
 * its shortest interval: the worst case of the adaptive cadence), the shard rule's W workers
 * and S shards, W + 1 concurrent invocations (the lead), and the month's bill.
 */
export function model1M(perWorkerRefreshesPerSecond: number, figures: { memoryMb: number; writeUnitsPerRefresh: number; readUnitsPerRefresh: number }): Model1M {
  const rule = planShards({ rows: 1_000_000, minPeriodMs: DEFAULT_CADENCE.successTtlMs, workerRefreshesPerSecond: perWorkerRefreshesPerSecond, indexWritesPerRefresh: 1, indexEntryBytes: 80, batchSize: SCALE_WORKER.batchSize });
  const slotsPerMonth = SECONDS_PER_MONTH / (SLOT_INTERVAL_MS / 1_000);
  // At this load every worker is busy its whole slot; the lead adds a short census per slot.
  const lambdaSeconds = slotsPerMonth * (rule.workers * (SLOT_INTERVAL_MS / 1_000) + LEAD_SECONDS);
  const lambdaUsd = lambdaSeconds * (figures.memoryMb / 1_024) * LAMBDA_GB_SECOND_USD + slotsPerMonth * (rule.workers + 1) * LAMBDA_REQUEST_USD;
  const rowUnitsUsd = rule.refreshesPerSecond * SECONDS_PER_MONTH * (figures.writeUnitsPerRefresh * WRITE_UNIT_USD + figures.readUnitsPerRefresh * READ_UNIT_USD);
  const indexReadsUsd = rule.indexReadsPerPartitionPerSecond * rule.shards * SECONDS_PER_MONTH * READ_UNIT_USD;
  const executionsUsd = (SECONDS_PER_MONTH / 60) * EXPRESS_REQUEST_USD;
  return {
    perWorkerRefreshesPerSecond,
    workers: rule.workers,
    lambdaConcurrency: rule.workers + 1,
    shards: rule.shards,
    maxIndexPartitionWritesPerSecond: round(rule.indexWritesPerPartitionPerSecond, 1),
    maxIndexPartitionReadsPerSecond: round(rule.indexReadsPerPartitionPerSecond, 1),
    monthlyUsd: Math.round(lambdaUsd + rowUnitsUsd + indexReadsUsd + executionsUsd),
    formula:
      'R = rows / 120 s; W = ceil(R / perWorkerRefreshesPerSecond); S = least s >= W with R/s <= 500 index writes/s and ' +
      '(rows/s * 80 B / 8 KiB) * R/(W * batch) <= 1,500 index reads/s; lambdaConcurrency = W + 1 (the lead); ' +
      'writes per index partition = R/S; monthlyUsd = Lambda (W * 10 s + 0.2 s) per slot * GB * $0.0000133334 + (W + 1) requests per slot * $0.2/M ' +
      '+ DynamoDB R * 2.592e6 s * (writeUnits * $0.625/M + readUnits * $0.125/M) + index reads S * readsPerPartition * 2.592e6 * $0.125/M + Express $1/M executions',
  };
}

export interface ScaleResult {
  workers: WorkersPoint[];
  efficiencyAt4: number;
  steady: Omit<SteadyPoint, 'realMs' | 'refreshes' | 'shards' | 'maxWorkers' | 'clockRate'>[];
  /** Clock rate, shards, workers, refreshes and real time of each steady run, for the summary. */
  steadyRuns: Pick<SteadyPoint, 'rows' | 'clockRate' | 'shards' | 'maxWorkers' | 'refreshes' | 'realMs'>[];
  model1M: Model1M;
  settings: { throughputLatencyMs: number; throughputWorker: WorkerSettings; steadyLatencyMs: number; steadyWorker: WorkerSettings };
}

/**
 * The `scale` section: throughput at 1, 2, 4 and 8 workers on DynamoDB Local, steady state at
 * 20,000 rows on DynamoDB Local and 100,000 rows in memory (three TTLs each), and the 1M model
 * fed by the measured one-worker rate and DynamoDB units per refresh. `quick`: 1 and 2 workers,
 * 1,000 and 3,000 rows for one TTL.
 */
export async function scale(
  endpoint: string,
  options: { quick: boolean; memoryMb: number; writeUnitsPerRefresh: number; readUnitsPerRefresh: number; progress: (m: string) => void },
): Promise<ScaleResult> {
  const workers: WorkersPoint[] = [];
  for (const count of options.quick ? [1, 2] : [1, 2, 4, 8]) {
    const started = performance.now();
    workers.push(await workersThroughput(endpoint, count));
    options.progress(`scale: throughput with ${count} worker(s): ${((performance.now() - started) / 1000).toFixed(1)} s real`);
  }
  const at = (n: number) => workers.find((w) => w.workers === n)?.refreshesPerSecond;
  const one = at(1)!;
  const four = at(4);
  const efficiency = four === undefined ? Number.NaN : round(four / (4 * one), 2);
  const ttls = options.quick ? 1 : 3;
  // One after the other: virtual time follows the real clock, so a run sharing the two cores
  // with another measures the contention (side by side, the 100,000-row run's p99 read 28 s
  // instead of 14 s alone). The in-memory run goes in a process of its own (a clean heap).
  const steadyRuns: SteadyPoint[] = [];
  for (const [rows, store, clockRate] of options.quick ? STEADY_RUNS_QUICK : STEADY_RUNS) {
    const input: SteadyInput = { endpoint, rows, store, options: { ttls, clockRate, refresher: 'virtual-latency' } };
    const started = performance.now();
    const run = store === 'in-memory' ? await runChild<SteadyPoint>(STEADY_CHILD, input) : await steadyState(endpoint, rows, store, input.options);
    options.progress(
      `scale: steady state, ${rows} rows (${store}), ${ttls} TTLs, clock rate ${clockRate}: ${((performance.now() - started) / 1000).toFixed(1)} s real ` +
        `(${(run.realMs / 1000).toFixed(1)} s of it the loop), p99 ${(run.p99LatenessMs / 1000).toFixed(1)} s, ${run.dueAtEnd} due at end`,
    );
    steadyRuns.push(run);
  }
  return {
    workers,
    efficiencyAt4: efficiency,
    steady: steadyRuns.map(({ realMs: _r, refreshes: _f, shards: _s, maxWorkers: _w, clockRate: _c, ...point }) => point),
    steadyRuns: steadyRuns.map(({ rows, clockRate, shards, maxWorkers, refreshes, realMs }) => ({ rows, clockRate, shards, maxWorkers, refreshes, realMs })),
    // A 1M deployment's worker: CONCURRENCY 200 at real GitHub's 250 ms, the measured one-worker
    // rate scaled by concurrency and discounted by the measured efficiency at 4 workers.
    model1M: model1M(round(one * (MODEL_CONCURRENCY / SCALE_WORKER.concurrency) * (Number.isNaN(efficiency) ? 1 : Math.min(1, efficiency)), 1), options),
    settings: { throughputLatencyMs: SCALE_LATENCY_MS, throughputWorker: SCALE_WORKER, steadyLatencyMs: STEADY_LATENCY_MS, steadyWorker: STEADY_WORKER },
  };
}

/** The goal figures: p99 at 100,000 rows, efficiency at 4 workers, the 1M model's index partitions. */
export function scaleTargets(r: ScaleResult): Record<string, { target: string; measured: string; met: boolean }> {
  const largest = r.steady.at(-1)!;
  return {
    [`scale: p99 lateness at ${largest.rows.toLocaleString('en-US')} rows (${largest.store}, ${largest.ttls} TTLs)`]: {
      target: '<= 15 s',
      measured: `${(largest.p99LatenessMs / 1000).toFixed(1)} s`,
      met: largest.p99LatenessMs <= 15_000,
    },
    'scale: efficiency at 4 workers': { target: '>= 0.8', measured: String(r.efficiencyAt4), met: r.efficiencyAt4 >= 0.8 },
    'scale: 1M model, writes per index partition': {
      target: '<= 1,000/s',
      measured: `${r.model1M.maxIndexPartitionWritesPerSecond}/s`,
      met: r.model1M.maxIndexPartitionWritesPerSecond <= 1_000,
    },
  };
}

/** The Markdown section of `scale`. */
export function renderScale(r: ScaleResult): string[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `## 8. Scale-out`,
    ``,
    `Throughput (every row due, a ${THROUGHPUT_WINDOW_MS / 1000} s window, ${r.settings.throughputLatencyMs} ms per call, CONCURRENCY ${r.settings.throughputWorker.concurrency} per worker; efficiency at 4 workers ${r.efficiencyAt4}):`,
    ``,
    `| Workers | Refreshes/s |`,
    `|---|---|`,
    ...r.workers.map((w) => `| ${w.workers} | ${w.refreshesPerSecond} |`),
    ``,
    `Steady state (${r.settings.steadyLatencyMs} ms per request of virtual latency against the simulated host's world, no HTTP, tokens in memory: the machine's CPU stands in for every worker's Lambda; the in-memory run in a process of its own beside the DynamoDB Local run; CONCURRENCY ${r.settings.steadyWorker.concurrency} per worker, shards and workers by the rule of docs/design/scale-out.md):`,
    ``,
    `| Rows | Store | Refresher | TTLs | Clock rate | Shards | Workers (max) | p50 | p99 | max | Due at end | Max index partition writes/s | Refreshes | Real time |`,
    `|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`,
    ...r.steady.map((p, i) => {
      const run = r.steadyRuns[i]!;
      return `| ${p.rows.toLocaleString('en-US')} | ${p.store} | ${p.refresher} | ${p.ttls} | ${run.clockRate} | ${run.shards} | ${run.maxWorkers} | ${s(p.p50LatenessMs)} | ${s(p.p99LatenessMs)} | ${s(p.maxLatenessMs)} | ${p.dueAtEnd} | ${p.maxIndexPartitionWritesPerSecond} | ${run.refreshes} | ${s(run.realMs)} |`;
    }),
    ``,
    `Model for 1,000,000 rows: ${r.model1M.workers} workers of ${r.model1M.perWorkerRefreshesPerSecond} refreshes/s, Lambda concurrency ${r.model1M.lambdaConcurrency}, ${r.model1M.shards} shards, ` +
      `${r.model1M.maxIndexPartitionWritesPerSecond} writes/s and ${r.model1M.maxIndexPartitionReadsPerSecond} reads/s per index partition, about $${r.model1M.monthlyUsd} a month.`,
    ``,
    `Formula: ${r.model1M.formula}`,
    ``,
  ];
}
