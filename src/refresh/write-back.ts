import { DeadlineExceeded, NoTokenError, RateLimitedError, type RefreshError } from '../domain/errors.ts';
import { PULL_REQUEST_FIELDS, type DiffStatusRow } from '../domain/row.ts';
import { repoBranchKey } from '../store/repo-branch-key.ts';
import type { RowUpdate } from '../store/store.ts';
import { errorDelay, noPullRequestDelay, rateLimitedUntil, type BackoffPolicy } from './backoff.ts';
import type { RefreshResult } from './result.ts';

export type Outcome = 'refreshed' | 'no_pr' | 'no_token' | 'rate_limited' | 'error' | 'released' | 'unpollable';

export interface WriteBackPlan {
  outcome: Outcome;
  update: RowUpdate;
}

const LAST_ERROR = ['lastErrorKind', 'lastErrorMessage', 'lastErrorAt'] as const;
const MAX_ERROR_MESSAGE = 500;

/**
 * What to write for one refreshed row. Pure. Backing off never touches `updatedAt`: it means
 * "last changed from outside" (a push or a successful refresh). Every write-back also sets the
 * row's `repoBranchKey`, so rows other services inserted without it become findable by
 * webhooks at their first refresh.
 */
export function planWriteBack(
  row: DiffStatusRow,
  result: RefreshResult,
  now: number,
  policy: BackoffPolicy,
  random: () => number,
): WriteBackPlan {
  const plan = planResult(row, result, now, policy, random);
  const key = repoBranchKey(row.gitRemoteOrigin, row.gitBranch);
  if (key === undefined || key === row.repoBranchKey) return plan;
  return { ...plan, update: { ...plan.update, set: { ...plan.update.set, repoBranchKey: key } } };
}

function planResult(
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
            ...result.status,
            refreshedAt: now,
            updatedAt: now,
            staleAt: now + policy.successTtlMs,
            httpCache: result.httpCache,
          },
          remove: ['errorCount', ...LAST_ERROR],
        },
      };
    case 'no_pr':
      return {
        outcome: 'no_pr',
        update: {
          set: { staleAt: now + noPullRequestDelay(now, row.updatedAt, policy), httpCache: result.httpCache },
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
  // Unfinished for lack of time: due again at once, for the next tick.
  if (error instanceof DeadlineExceeded) return { outcome: 'released', update: { set: { staleAt: now }, remove: [] } };
  const lastError = {
    lastErrorKind: error.kind,
    lastErrorMessage: error.message.slice(0, MAX_ERROR_MESSAGE),
    lastErrorAt: now,
  };
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
  const errorCount = (typeof row.errorCount === 'number' ? row.errorCount : 0) + 1;
  return {
    outcome: 'error',
    update: { set: { ...lastError, errorCount, staleAt: now + errorDelay(errorCount, random, policy) }, remove: [] },
  };
}

/** A row that can no longer be polled (archived, or origin / branch gone) leaves the due index. */
export const UNPOLLABLE_PLAN: WriteBackPlan = { outcome: 'unpollable', update: { set: {}, remove: ['dueShard'] } };
