import { SLOT_INTERVAL_MS } from '../../src/loop/rhythm.ts';
import { DEFAULT_CADENCE } from '../../src/cadence/policy.ts';
import { SETUP_REQUEST_TIMEOUT_MS } from '../../src/store/document-client.ts';
import { anchorLateness, pendingLateness } from '../anchor-model.ts';
import { CapacityMeter, type CapacityTotals } from '../capacity-meter.ts';
import { distribution } from '../stats.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { createWorker, runLoop, type WorkerSettings } from '../worker.ts';
import { createWorld, localDocClient, scanStaleAts } from '../world.ts';
import { round } from './tick-speed.ts';

/** The success TTL of the cadence the product runs. */
export const TTL_MS = DEFAULT_CADENCE.successTtlMs;
export const ANCHOR_BATCH = 50;
export const ANCHOR_CONCURRENCY = 10;
/** 1.5 TTLs of virtual time: every row comes due at least once, half of them twice. */
export const WINDOW_MS = 180_000;
export const SEEDING_ALLOWANCE_MS = 120_000;

/** What a deployment for up to ~5,000 rows would set (see docs/performance.md). */
export const FRESHNESS_SETTINGS: WorkerSettings = {
  concurrency: 40,
  perTokenConcurrency: 4,
  batchSize: 200,
  tickBudgetMs: 30_000,
  safetyMarginMs: 5_000,
};
export const FRESHNESS_SHARDS = 1;

export interface FreshnessResult {
  rows: number;
  owners: number;
  p50LatenessMs: number;
  p99LatenessMs: number;
  maxLatenessMs: number;
  anchorP50LatenessMs: number;
  anchorP99LatenessMs: number;
  anchorMaxLatenessMs: number;
  refreshes: number;
  /** Refreshes per second of virtual time, gitsync and the anchor's model. */
  refreshesPerSecond: number;
  anchorRefreshesPerSecond: number;
  /** Rows still due when the window ended (their lateness so far is among the samples). */
  pendingAtEnd: number;
  anchorPendingAtEnd: number;
  ticks: number;
  virtualMs: number;
  realMs: number;
  /** DynamoDB capacity consumed by the run, per operation. */
  capacity: CapacityTotals;
}

/**
 * N rows due uniformly over one TTL (a table in steady state), 100 ms per request, the state
 * machine's 10 s loop on a virtual clock for WINDOW_MS. Lateness samples: every refresh
 * (refreshedAt - staleAt) plus, for rows still due at the end, their lateness so far.
 */
export async function freshness(endpoint: string, rows: number, latencyMs = 100): Promise<FreshnessResult> {
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12));
  // Seeding takes real (so virtual) time: the timeline starts once it is done.
  const t0 = clock.now() + SEEDING_ALLOWANCE_MS;
  const staleAt = (i: number) => t0 + Math.floor((i * TTL_MS) / rows);
  const owners = Math.max(10, Math.round(rows / 10));
  const world = await createWorld({ endpoint, clock, rows, owners, shardCount: FRESHNESS_SHARDS, latencyMs, seed: rows, staleAt });
  const meter = new CapacityMeter(tableAlias);
  const worker = createWorker(world.config, FRESHNESS_SETTINGS, clock, { setupClient: (c) => meter.attach(c) });
  if (clock.now() > t0) throw new Error(`seeding ${rows} rows took longer than ${SEEDING_ALLOWANCE_MS} ms`);
  clock.skipTo(t0);
  const realStart = performance.now();
  try {
    const run = await runLoop(worker, clock, t0 + WINDOW_MS, SLOT_INTERVAL_MS);
    const end = run.endedAt;
    const doc = localDocClient(endpoint, undefined, SETUP_REQUEST_TIMEOUT_MS);
    const finalStaleAts = await scanStaleAts(doc, world.config.tableName);
    doc.destroy();
    const ours = [...worker.refreshes.map((r) => r.refreshedAt - r.staleAt), ...pendingLateness([...finalStaleAts.values()], end)];
    const anchor = anchorLateness({
      staleAts: world.rows.map((r) => r.staleAt!),
      start: t0,
      end,
      intervalMs: SLOT_INTERVAL_MS,
      batchSize: ANCHOR_BATCH,
      ttlMs: TTL_MS,
      // After its fix: 10 rows at a time, two calls each.
      finishMs: (k) => (Math.floor(k / ANCHOR_CONCURRENCY) + 1) * 2 * latencyMs,
    });
    const d = distribution(ours);
    const a = distribution([...anchor.refreshed, ...anchor.pending]);
    const seconds = (end - t0) / 1000;
    return {
      rows,
      owners,
      p50LatenessMs: d.p50,
      p99LatenessMs: d.p99,
      maxLatenessMs: d.max,
      anchorP50LatenessMs: a.p50,
      anchorP99LatenessMs: a.p99,
      anchorMaxLatenessMs: a.max,
      refreshes: worker.refreshes.length,
      refreshesPerSecond: round(worker.refreshes.length / seconds, 1),
      anchorRefreshesPerSecond: round(anchor.refreshed.length / seconds, 1),
      pendingAtEnd: [...finalStaleAts.values()].filter((at) => at < end).length,
      anchorPendingAtEnd: anchor.pending.length,
      ticks: run.ticks.length,
      virtualMs: end - t0,
      realMs: Math.round(performance.now() - realStart),
      capacity: meter.totals(),
    };
  } finally {
    worker.close();
    await world.close();
  }
}

/** Stable labels for the run's uniquely named tables. */
export function tableAlias(table: string): string {
  return table.replace(/^bench-/, '').replace(/-[0-9a-f]{8}$/, '');
}
