import { SLOT_INTERVAL_MS } from '../../src/cadence/loop-rhythm.ts';
import { DEFAULT_CADENCE } from '../../src/cadence/policy.ts';
import type { FanOutSettings } from '../../src/scale/fan-out.ts';
import { planShards } from '../../src/scale/shard-rule.ts';
import { isBookkeepingItem } from '../../src/store/bookkeeping.ts';
import { SETUP_REQUEST_TIMEOUT_MS } from '../../src/store/document-client.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { runFanOutLoop } from '../fan-out-loop.ts';
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
 * CONCURRENCY 40: at most 200 refreshes/s), planned at half that, 100 refreshes/s.
 */
export const STEADY_WORKER: WorkerSettings = { concurrency: 40, perTokenConcurrency: 4, batchSize: 200, tickBudgetMs: 30_000, safetyMarginMs: 5_000 };
export const STEADY_WORKER_REFRESHES_PER_SECOND = 100;
const STEADY_LATENCY_MS = 100;
/** Shards of the throughput runs: as many as the most workers, so each worker holds one or more whole shards. */
const THROUGHPUT_SHARDS = 8;
const THROUGHPUT_WINDOW_MS = 30_000;
/** Rows per worker in the throughput runs: more than one worker refreshes in the window, so none runs dry. */
const THROUGHPUT_ROWS_PER_WORKER = 700;

export interface WorkersPoint {
  workers: number;
  refreshesPerSecond: number;
}

export interface SteadyPoint {
  rows: number;
  store: 'dynamodb-local' | 'in-memory';
  ttls: number;
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

export interface Model1M {
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
 * outage), the fan-out loop for 30 s of virtual time; refreshes per second of it.
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
    await runFanOutLoop(pool, clock, t0 + THROUGHPUT_WINDOW_MS, fanOutFor(workers, 1));
    const refreshes = pool.reduce((sum, w) => sum + w.refreshes.length, 0);
    return { workers, refreshesPerSecond: round(refreshes / ((clock.now() - t0) / 1_000), 1) };
  } finally {
    for (const w of pool) w.close();
    await world.close();
  }
}

/**
 * A table in steady state for `ttls` TTLs of virtual time: rows due uniformly over one TTL,
 * the shards and workers the README's rule gives for its row count, the fan-out loop.
 */
export async function steadyState(
  endpoint: string,
  rows: number,
  store: SteadyPoint['store'],
  options: { ttls: number },
): Promise<SteadyPoint> {
  const ttl = DEFAULT_CADENCE.successTtlMs;
  const rule = planShards({ rows, minPeriodMs: ttl, workerRefreshesPerSecond: STEADY_WORKER_REFRESHES_PER_SECOND, indexWritesPerRefresh: 1, indexEntryBytes: 80, batchSize: STEADY_WORKER.batchSize });
  // Room for the first TTL's catch-up: twice the workers the steady rate needs, at most 40.
  const maxWorkers = Math.min(40, rule.shards, rule.workers * 2);
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12));
  // Seeding takes real (so virtual) time: the timeline starts once it is done.
  const t0 = clock.now() + SEEDING_ALLOWANCE_MS;
  const world = await createWorld({
    endpoint, clock, rows, owners: Math.max(10, Math.round(rows / 10)), shardCount: rule.shards,
    latencyMs: STEADY_LATENCY_MS, seed: 2_000 + rows, staleAt: (i) => t0 + Math.floor((i * ttl) / rows), seedTable: store === 'dynamodb-local',
  });
  const memory = store === 'in-memory' ? new MemoryStore({ shardCount: rule.shards, clock }) : undefined;
  if (memory) for (const row of world.rows) memory.put(row);
  const meter = new IndexWriteMeter(clock, rule.shards);
  const pool = Array.from({ length: maxWorkers }, () => createWorker(world.config, STEADY_WORKER, clock, { onWrite: meter.observe, ...(memory ? { store: memory } : {}) }));
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
      rows, store, ttls: options.ttls, shards: rule.shards, maxWorkers,
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

/** Prices (us-east-1, see README "Scale-out"): Lambda arm64 per GB-s and per request, DynamoDB on-demand per million units, Step Functions Express. */
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
