import { DeadlineExceeded, ItemTooLargeError, NoTokenError, RateLimitedError, type RefreshError } from '../domain/errors.ts';
import { PULL_REQUEST_FIELDS, type DiffStatusRow } from '../domain/row.ts';
import type { RowUpdate } from '../store/store.ts';
import { deadlineReleaseDelay, errorDelay, noPullRequestDelay, rateLimitedUntil, type BackoffPolicy } from './backoff.ts';
import type { RefreshResult } from './result.ts';
import { boundCache, boundStatus } from './size-bounds.ts';

export type Outcome = 'refreshed' | 'no_pr' | 'no_token' | 'rate_limited' | 'error' | 'released' | 'unpollable';

export interface WriteBackPlan {
  outcome: Outcome;
  update: RowUpdate;
}

const LAST_ERROR = ['lastErrorKind', 'lastErrorMessage', 'lastErrorAt'] as const;
const MAX_ERROR_MESSAGE = 500;
/** Stored kinds of a previous time-out: a row that ran out of time again backs off. */
const SLOW_KINDS: ReadonlySet<string> = new Set(['deadline_exceeded', 'slow_host']);

/**
 * What to write for one refreshed row. Pure. Backing off never touches `updatedAt`: it means
 * "last changed from outside" (a push or a successful refresh).
 */
export function planWriteBack(
  row: DiffStatusRow,
  result: RefreshResult,
  now: number,
  policy: BackoffPolicy,
  random: () => number,
): WriteBackPlan {
  switch (result.kind) {
    case 'refreshed':
      return {
        outcome: 'refreshed',
        update: {
          set: {
            ...boundStatus(result.status),
            refreshedAt: now,
            updatedAt: now,
            staleAt: now + policy.successTtlMs,
            httpCache: boundCache(result.httpCache),
            ...(result.repoMove ? { repoMove: result.repoMove } : {}),
          },
          remove: ['errorCount', ...LAST_ERROR, ...(result.repoMove ? [] : (['repoMove'] as const))],
        },
      };
    case 'no_pr':
      return {
        outcome: 'no_pr',
        update: {
          set: { staleAt: now + noPullRequestDelay(now, row.updatedAt, policy), httpCache: boundCache(result.httpCache) },
          remove: ['errorCount', ...LAST_ERROR, ...(result.dropStoredPullRequest ? PULL_REQUEST_FIELDS : [])],
        },
      };
    case 'failed':
      return planFailure(row, result.error, now, policy, random);
  }
}

function planFailure(
  row: DiffStatusRow,
  error: RefreshError,
  now: number,
  policy: BackoffPolicy,
  random: () => number,
): WriteBackPlan {
  // Its turn never came: due again at once, for the next tick, nothing recorded.
  if (error instanceof DeadlineExceeded && !error.inFlight) return { outcome: 'released', update: { set: { staleAt: now }, remove: [] } };
  const lastError = {
    lastErrorKind: error.kind,
    lastErrorMessage: error.message.slice(0, MAX_ERROR_MESSAGE),
    lastErrorAt: now,
  };
  const errorCount = (typeof row.errorCount === 'number' ? row.errorCount : 0) + 1;
  if (error instanceof DeadlineExceeded) {
    const repeated = SLOW_KINDS.has(row.lastErrorKind ?? '');
    const staleAt = now + deadlineReleaseDelay(repeated, errorCount, random, policy);
    return { outcome: 'released', update: { set: { ...lastError, errorCount, staleAt }, remove: [] } };
  }
  if (error instanceof NoTokenError) {
    return {
      outcome: 'no_token',
      update: { set: { ...lastError, staleAt: now + policy.noTokenMs }, remove: ['errorCount'] },
    };
  }
  if (error instanceof RateLimitedError) {
    return {
      outcome: 'rate_limited',
      update: { set: { ...lastError, staleAt: rateLimitedUntil(now, error.resetAt, policy) }, remove: [] },
    };
  }
  return {
    outcome: 'error',
    update: { set: { ...lastError, errorCount, staleAt: now + errorDelay(errorCount, random, policy) }, remove: [] },
  };
}

/**
 * The small write after DynamoDB refused a write-back as too large for one item: the error
 * and its backoff only, and the cache dropped, so it fits whatever the refresh brought back.
 */
export function planItemTooLarge(row: DiffStatusRow, now: number, policy: BackoffPolicy, random: () => number): WriteBackPlan {
  const plan = planFailure(row, new ItemTooLargeError(), now, policy, random);
  return { ...plan, update: { ...plan.update, remove: [...plan.update.remove, 'httpCache'] } };
}

/** A row that can no longer be polled (archived, or origin / branch gone) leaves the due index. */
export const UNPOLLABLE_PLAN: WriteBackPlan = { outcome: 'unpollable', update: { set: {}, remove: ['dueShard'] } };
