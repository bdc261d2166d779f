import type { RefreshErrorKind } from '../domain/errors.ts';
import { OUTCOMES, type Outcome, type OutcomeCounter } from '../cadence/outcomes.ts';

/** What one invocation did: the handler's JSON result and the source of its metrics. */
export interface TickSummary extends Record<OutcomeCounter, number> {
  /** Due rows another worker claimed first. */
  lostClaims: number;
  /** Results dropped because the lease was taken over (a push, or a lapsed claim). */
  writeConflicts: number;
  /** Write-backs that failed (DynamoDB errors, not throttles). */
  writeFailures: number;
  /**
   * Rows taken whose claim read or write-back failed (errors or throttles past the backoff):
   * not counted as served, they are due again at the next tick that holds their shard.
   */
  unserved: number;
  /** DynamoDB throttles (a hot partition, GSI back-pressure) the tick backed off from; not row failures. */
  throttles: number;
  claimed: number;
  batches: number;
  /** Lists longer than a provider's page cap (`maxPages`), read in part by this tick's refreshes. */
  truncatedLists: number;
  /** HTTP cache table reads that failed (a batch's rows refreshed without conditional requests); never a row failure. */
  httpCacheReadFailures: number;
  /** HTTP cache writes that failed (the row's next refresh makes its requests in full); never a row failure. */
  httpCacheWriteFailures: number;
  errorsByKind: Partial<Record<RefreshErrorKind, number>>;
  /** True when due rows remain: the state machine goes again without waiting. */
  backlog: boolean;
  durationMs: number;
  /** How late the oldest due row was when the tick started, or null when none was due. */
  oldestLatenessMs: number | null;
}

/** One counter per outcome, all zero. */
export function emptyOutcomeCounters(): Record<OutcomeCounter, number> {
  return Object.fromEntries(Object.values(OUTCOMES).map((o) => [o.counter, 0])) as Record<OutcomeCounter, number>;
}

export function emptySummary(): TickSummary {
  return {
    ...emptyOutcomeCounters(),
    lostClaims: 0,
    writeConflicts: 0,
    writeFailures: 0,
    unserved: 0,
    throttles: 0,
    claimed: 0,
    batches: 0,
    truncatedLists: 0,
    httpCacheReadFailures: 0,
    httpCacheWriteFailures: 0,
    errorsByKind: {},
    backlog: false,
    durationMs: 0,
    oldestLatenessMs: null,
  };
}

export function countOutcome(summary: TickSummary, outcome: Outcome, errorKind?: RefreshErrorKind): void {
  summary[OUTCOMES[outcome].counter] += 1;
  if (errorKind && outcome !== 'released') {
    summary.errorsByKind[errorKind] = (summary.errorsByKind[errorKind] ?? 0) + 1;
  }
}
