import type { Outcome } from './write-back.ts';

/** What one invocation did: the handler's JSON result and the source of its metrics. */
export interface TickSummary {
  refreshed: number;
  noPr: number;
  noToken: number;
  rateLimited: number;
  errors: number;
  /** Unfinished at the deadline and made due again at once. */
  released: number;
  /** Archived or without origin / branch: taken out of the due index. */
  unpollable: number;
  /** Due rows another worker claimed first. */
  lostClaims: number;
  /** Results dropped because the lease was taken over (a push, or a lapsed claim). */
  writeConflicts: number;
  /** Write-backs that failed (DynamoDB errors); the row comes back when its claim lapses. */
  writeFailures: number;
  claimed: number;
  batches: number;
  /** Lists longer than a provider's page cap (`maxPages`), read in part by this tick's refreshes. */
  truncatedLists: number;
  errorsByKind: Record<string, number>;
  /** True when due rows remain: the state machine goes again without waiting. */
  backlog: boolean;
  durationMs: number;
  /** How late the oldest due row was when the tick started, or null when none was due. */
  oldestLatenessMs: number | null;
}

export function emptySummary(): TickSummary {
  return {
    refreshed: 0,
    noPr: 0,
    noToken: 0,
    rateLimited: 0,
    errors: 0,
    released: 0,
    unpollable: 0,
    lostClaims: 0,
    writeConflicts: 0,
    writeFailures: 0,
    claimed: 0,
    batches: 0,
    truncatedLists: 0,
    errorsByKind: {},
    backlog: false,
    durationMs: 0,
    oldestLatenessMs: null,
  };
}

const COUNTER: Record<Outcome, keyof TickSummary> = {
  refreshed: 'refreshed',
  no_pr: 'noPr',
  no_token: 'noToken',
  rate_limited: 'rateLimited',
  error: 'errors',
  released: 'released',
  unpollable: 'unpollable',
};

export function countOutcome(summary: TickSummary, outcome: Outcome, errorKind?: string): void {
  (summary[COUNTER[outcome]] as number) += 1;
  if (errorKind && outcome !== 'released') {
    summary.errorsByKind[errorKind] = (summary.errorsByKind[errorKind] ?? 0) + 1;
  }
}
