import type { CadencePolicy } from './policy.ts';
import type { RefreshErrorKind } from '../domain/errors.ts';
import { MAX_RATE_LIMIT_WAIT_MS } from '../providers/http/rate-limit.ts';

interface OutcomeSpec {
  /** Its counter in the tick summary (the local run's totals, the dashboard's log widgets). */
  counter: string;
  /** The longest a row waits for its next refresh after this outcome; null: it is never due again. */
  longestWaitMs: ((policy: CadencePolicy) => number) | null;
}

/**
 * Every way a claimed row's refresh can end: the one list the tick summary, the handler's
 * metrics, the local run's totals and the reliability invariants read. A new outcome is one
 * entry here (plus its rule in `src/cadence/next-due.ts`).
 */
export const OUTCOMES = {
  // The adaptive cadence stretches a quiet PR's interval up to its state's cap; a PR (or a branch
  // without one) on a host that sends webhooks waits at least the (longer) safety cadence.
  refreshed: {
    counter: 'refreshed',
    longestWaitMs: (p) => Math.max(p.successTtlMs, p.openCapMs, p.closedCapMs, p.webhookSafetyTtlMs, p.appSafetyTtlMs, p.webhookQuietSafetyMs),
  },
  no_pr: {
    counter: 'noPr',
    longestWaitMs: (p) => Math.max(p.noPullRequestSoonMs, p.noPullRequestLaterMs, p.openCapMs, p.webhookNoPullRequestMs),
  },
  // A linked token makes the owner's rows due at once; the period is only a safety net.
  no_token: { counter: 'noToken', longestWaitMs: (p) => p.noTokenMs },
  // The provider's reset wins over the floor, and a reset is never believed further than the cap.
  rate_limited: { counter: 'rateLimited', longestWaitMs: (p) => Math.max(p.rateLimitFloorMs, MAX_RATE_LIMIT_WAIT_MS) },
  error: { counter: 'errors', longestWaitMs: (p) => p.errorCapMs },
  /**
   * Unfinished at the deadline: due again at once, unless the row was in flight at an earlier
   * deadline too (or its host was too slow): then it backs off like an error.
   */
  released: { counter: 'released', longestWaitMs: (p) => p.errorCapMs },
  /** Archived, or no origin / branch: out of the due index. */
  unpollable: { counter: 'unpollable', longestWaitMs: null },
} as const satisfies Record<string, OutcomeSpec>;

export type Outcome = keyof typeof OUTCOMES;

export type OutcomeCounter = (typeof OUTCOMES)[Outcome]['counter'];

/** The outcome each failure kind leads to (the kind is then stored on the row, except a deadline's). */
export const OUTCOME_OF_ERROR: Record<RefreshErrorKind, Outcome> = {
  no_token: 'no_token',
  rate_limited: 'rate_limited',
  skipped_rate_limit: 'rate_limited',
  deadline_exceeded: 'released',
  no_provider: 'error',
  invalid_row: 'error',
  provider_error: 'error',
  auth_error: 'error',
  unexpected: 'error',
  slow_host: 'error',
  item_too_large: 'error',
};

/** Outcomes that clear `lastErrorKind`: a row without one last ended in one of these. */
export const ERROR_FREE_OUTCOMES: readonly Outcome[] = ['refreshed', 'no_pr'];
