import type { RefreshErrorKind } from '../../domain/errors.ts';
import { OUTCOMES, type OutcomeCounter } from '../../cadence/outcomes.ts';
import { emptyOutcomeCounters, type TickSummary } from '../../refresh/tick-summary.ts';
import type { StatsSnapshot } from '../git-host-sim/stats.ts';

/** The handler's tick summaries added up over the run. */
export type RunTotals = Pick<TickSummary, OutcomeCounter | 'writeConflicts' | 'writeFailures' | 'errorsByKind'> & {
  ticks: number;
  /** Ticks that threw (the state machine caught them and went on). */
  failedTicks: number;
};

export function emptyTotals(): RunTotals {
  return { ticks: 0, failedTicks: 0, ...emptyOutcomeCounters(), writeConflicts: 0, writeFailures: 0, errorsByKind: {} };
}

export function addTick(totals: RunTotals, tick: TickSummary): void {
  totals.ticks += 1;
  for (const { counter } of Object.values(OUTCOMES)) totals[counter] += tick[counter];
  totals.writeConflicts += tick.writeConflicts;
  totals.writeFailures += tick.writeFailures;
  for (const [kind, n] of Object.entries(tick.errorsByKind) as [RefreshErrorKind, number][]) {
    totals.errorsByKind[kind] = (totals.errorsByKind[kind] ?? 0) + n;
  }
}

/** What the Git host answered; only known when it is the simulated one. */
export interface HostCounters {
  apiCalls: number;
  notModified: number;
  /** 403 / 429 answers for an exhausted primary limit or a secondary limit. */
  rateLimitHits: number;
}

export function hostCounters(stats: StatsSnapshot): HostCounters {
  return { apiCalls: stats.requests, notModified: stats.notModified, rateLimitHits: stats.rateLimited + stats.secondaryRateLimited };
}

/** Events per second over the last `windowMs`, from a running total sampled now and then. */
export function createRateMeter(windowMs: number): (at: number, total: number) => number {
  const samples: { at: number; total: number }[] = [];
  return (at, total) => {
    samples.push({ at, total });
    while (samples.length > 2 && samples[1]!.at <= at - windowMs) samples.shift();
    const first = samples[0]!;
    return at > first.at ? ((total - first.total) * 1000) / (at - first.at) : 0;
  };
}
