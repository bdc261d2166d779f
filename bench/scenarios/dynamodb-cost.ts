import type { CapacityTotals } from '../capacity-meter.ts';
import { monthlyCost, ON_DEMAND_PRICES, SECONDS_PER_MONTH } from '../cost.ts';
import { round } from './tick-speed.ts';
import { SLOT_INTERVAL_MS } from '../../src/loop/rhythm.ts';
import { TTL_MS, type FreshnessResult } from './freshness.ts';

export interface DynamoCostResult {
  fromRun: string;
  wcuPerRefresh: number;
  rcuPerRefresh: number;
  /** Of the write units: the base table's and the due index's share. */
  tableWcuPerRefresh: number;
  gsiWcuPerRefresh: number;
  /** Reads of one idle tick (one due-index query per shard, nothing due). */
  rcuPerIdleTick: number;
  ticksPerMonth: number;
  breakdownPerRefresh: Record<string, { read: number; write: number }>;
  monthlyUsd: Record<'1000' | '10000' | '100000', number>;
  formula: string;
  prices: typeof ON_DEMAND_PRICES;
  dominates: string;
}

/** Per-refresh capacity from a freshness run's meter, projected to a month of on-demand use. */
export function dynamoCost(run: FreshnessResult, shardCount: number): DynamoCostResult {
  const n = run.refreshes;
  const totals: CapacityTotals = run.capacity;
  const per = (f: (t: { read: number; write: number }) => number, match: (label: string) => boolean = () => true) =>
    Object.entries(totals).filter(([l]) => match(l)).reduce((sum, [, t]) => sum + f(t), 0) / n;
  const wcu = per((t) => t.write);
  const rcu = per((t) => t.read);
  const gsiW = per((t) => t.write, (l) => l.includes('/'));
  // An empty eventually consistent query costs 0.5 RRU, once per shard.
  const rcuPerIdleTick = 0.5 * shardCount;
  const ticksPerMonth = SECONDS_PER_MONTH / (SLOT_INTERVAL_MS / 1000);
  const monthly = (rows: number) =>
    round(
      monthlyCost({ rows, ttlSeconds: TTL_MS / 1000, wruPerRefresh: wcu, rruPerRefresh: rcu, rruPerTick: rcuPerIdleTick, ticksPerMonth }).totalUsd,
      2,
    );
  const breakdownPerRefresh = Object.fromEntries(
    Object.entries(totals).map(([label, t]) => [label, { read: round(t.read / n, 3), write: round(t.write / n, 3) }]),
  );
  const writeShare = (wcu * ON_DEMAND_PRICES.usdPerMillionWriteUnits) / (wcu * ON_DEMAND_PRICES.usdPerMillionWriteUnits + rcu * ON_DEMAND_PRICES.usdPerMillionReadUnits);
  return {
    fromRun: `freshness run with ${run.rows} rows (${n} refreshes, ${run.ticks} ticks)`,
    wcuPerRefresh: round(wcu, 2),
    rcuPerRefresh: round(rcu, 2),
    tableWcuPerRefresh: round(wcu - gsiW, 2),
    gsiWcuPerRefresh: round(gsiW, 2),
    rcuPerIdleTick,
    ticksPerMonth,
    breakdownPerRefresh,
    monthlyUsd: { '1000': monthly(1_000), '10000': monthly(10_000), '100000': monthly(100_000) },
    formula:
      'USD/month = rows * (2,592,000 s / TTL 120 s) * (WRU/refresh * $0.625 + RRU/refresh * $0.125) / 1e6 + ticks/month (259,200) * 0.5 RRU * shards * $0.125 / 1e6; storage and PITR not included',
    prices: ON_DEMAND_PRICES,
    dominates: `writes: ${Math.round(writeShare * 100)}% of the request cost; each refresh is one version-fenced UpdateItem, which writes the due index only when the row's slot changes (${round(gsiW, 2)} of ${round(wcu, 2)} WRU per refresh are index writes here: every seeded row gets its first period in this run); section 7 has the steady state and today's design beside it`,
  };
}
