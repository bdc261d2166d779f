import { DeadlineExceeded, RateLimitedError, type RefreshError, type RefreshErrorKind } from '../domain/errors.ts';
import type { DiffStatusRow } from '../domain/row.ts';
import { OUTCOME_OF_ERROR, type Outcome } from '../refresh/outcomes.ts';
import type { RefreshResult } from '../refresh/result.ts';
import { hostKey } from '../providers/host.ts';
import type { CadencePolicy } from './policy.ts';

/** The bookkeeping a row's schedule carries besides `staleAt`. */
export type CadenceAttribute = 'errorCount' | 'lastErrorKind' | 'lastErrorMessage' | 'lastErrorAt';

export interface NextDue {
  outcome: Outcome;
  /** The row's next `staleAt`. */
  staleAt: number;
  set: Partial<Pick<DiffStatusRow, CadenceAttribute>>;
  remove: CadenceAttribute[];
}

const LAST_ERROR = ['lastErrorKind', 'lastErrorMessage', 'lastErrorAt'] as const;
const MAX_ERROR_MESSAGE = 500;
/** Stored kinds of an earlier time-out: a row that runs out of time again backs off. */
const TIMED_OUT: ReadonlySet<string> = new Set<RefreshErrorKind>(['deadline_exceeded', 'slow_host']);

/**
 * When a refreshed row is next due, and the bookkeeping that goes with it. Pure: the clock,
 * the random source (backoff jitter, in [0, 1)) and the hosts that send webhooks now
 * (`webhookHostsAt`) are passed in. An open PR on such a host is polled at the safety cadence:
 * its changes arrive as deliveries.
 */
export function nextDue(
  row: DiffStatusRow,
  result: RefreshResult,
  now: number,
  policy: CadencePolicy,
  random: () => number,
  webhookHosts: ReadonlySet<string> = NO_HOSTS,
): NextDue {
  switch (result.kind) {
    case 'refreshed': {
      const relaxed = result.status.pullRequestState === 'open' && webhookHosts.has(hostOfUrl(result.status.url) ?? '');
      const ttl = relaxed ? Math.max(policy.successTtlMs, policy.webhookSafetyTtlMs) : policy.successTtlMs;
      return { outcome: 'refreshed', staleAt: now + ttl, set: {}, remove: ['errorCount', ...LAST_ERROR] };
    }
    case 'no_pr':
      return { outcome: 'no_pr', staleAt: now + noPullRequestDelay(now, row.updatedAt, policy), set: {}, remove: ['errorCount', ...LAST_ERROR] };
    case 'failed':
      return afterFailure(row, result.error, now, policy, random);
  }
}

const NO_HOSTS: ReadonlySet<string> = new Set();

function hostOfUrl(url: string): string | undefined {
  return URL.canParse(url) ? hostKey(new URL(url)) : undefined;
}

/**
 * The hosts whose open PRs poll at the safety cadence at `now`: those configured with
 * `"webhooks": true`, and those whose last verified delivery is within the active window.
 * When deliveries stop, the host drops out after the window and polling goes back to normal.
 */
export function webhookHostsAt(
  now: number,
  configured: Iterable<string>,
  lastDeliveries: ReadonlyMap<string, number>,
  policy: CadencePolicy,
): Set<string> {
  const hosts = new Set(configured);
  for (const [host, at] of lastDeliveries) if (now - at <= policy.webhookActiveWindowMs) hosts.add(host);
  return hosts;
}

function afterFailure(row: DiffStatusRow, error: RefreshError, now: number, policy: CadencePolicy, random: () => number): NextDue {
  const outcome = OUTCOME_OF_ERROR[error.kind];
  const inFlight = error instanceof DeadlineExceeded && error.inFlight;
  // Its turn never came before the deadline: due again at once, for the next tick; nothing went wrong.
  if (outcome === 'released' && !inFlight) return { outcome: 'released', staleAt: now, set: {}, remove: [] };
  const lastError = { lastErrorKind: error.kind, lastErrorMessage: error.message.slice(0, MAX_ERROR_MESSAGE), lastErrorAt: now };
  const errorCount = (typeof row.errorCount === 'number' ? row.errorCount : 0) + 1;
  if (outcome === 'released') {
    // Still in flight at the deadline: at once the first time (the batch was simply long); a
    // repeat means the row's host keeps eating the budget, so it waits like any failure.
    const repeated = TIMED_OUT.has(row.lastErrorKind ?? '');
    return { outcome, staleAt: now + (repeated ? errorDelay(errorCount, random, policy) : 0), set: { ...lastError, errorCount }, remove: [] };
  }
  switch (outcome) {
    case 'no_token':
      return { outcome, staleAt: now + policy.noTokenMs, set: lastError, remove: ['errorCount'] };
    case 'rate_limited': {
      const resetAt = error instanceof RateLimitedError ? error.resetAt : now;
      return { outcome, staleAt: rateLimitedUntil(now, resetAt, policy), set: lastError, remove: [] };
    }
    default: {
      return { outcome: 'error', staleAt: now + errorDelay(errorCount, random, policy), set: { ...lastError, errorCount }, remove: [] };
    }
  }
}

/** 15 s while a push is less than 2 minutes old (bounds calls to about 8 per push), else 5 min. */
export function noPullRequestDelay(now: number, updatedAt: number | undefined, p: CadencePolicy): number {
  const sinceChange = updatedAt === undefined ? Infinity : now - updatedAt;
  return sinceChange < p.recentChangeWindowMs ? p.noPullRequestSoonMs : p.noPullRequestLaterMs;
}

/**
 * Delay after the `failures`-th transient failure in a row (1 = first): base * 2^(n-1) plus
 * jitter, capped. The doubling outgrows the jitter, so each failure waits at least as long
 * as the one before.
 */
export function errorDelay(failures: number, random: () => number, p: CadencePolicy): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const base = Math.min(p.errorCapMs, p.errorBaseMs * 2 ** exponent);
  const jittered = base * (1 + p.errorJitterRatio * random());
  return Math.round(Math.min(p.errorCapMs, jittered));
}

/** The provider's reset time wins, but never sooner than the floor. */
export function rateLimitedUntil(now: number, resetAt: number, p: CadencePolicy): number {
  return Math.max(resetAt, now + p.rateLimitFloorMs);
}
