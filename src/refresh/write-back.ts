import { pollInterval } from '../cadence/adaptive-interval.ts';
import { DeadlineExceeded, NoTokenError, RateLimitedError, type RefreshError } from '../domain/errors.ts';
import { PULL_REQUEST_FIELDS, type DiffStatusRow, type PullRequestStatus } from '../domain/row.ts';
import type { RowUpdate } from '../store/store.ts';
import { errorDelay, noPullRequestDelay, rateLimitedUntil, type BackoffPolicy } from './backoff.ts';
import type { RefreshResult } from './result.ts';

export type Outcome = 'refreshed' | 'no_pr' | 'no_token' | 'rate_limited' | 'error' | 'released' | 'unpollable';

export interface WriteBackPlan {
  outcome: Outcome;
  update: RowUpdate;
  /** The PR fields whose stored value this write changes (empty: the status is unchanged). */
  changedFields: (keyof PullRequestStatus)[];
}

const LAST_ERROR = ['lastErrorKind', 'lastErrorMessage', 'lastErrorAt'] as const;
const MAX_ERROR_MESSAGE = 500;

/**
 * What to write for one refreshed row. Pure. Only what changed is written (the PR fields that
 * differ, the HTTP cache when it differs), so most refreshes rewrite a few numbers. Backing
 * off never touches `updatedAt`: it means "last changed from outside" (a push or a
 * successful refresh).
 */
export function planWriteBack(
  row: DiffStatusRow,
  result: RefreshResult,
  now: number,
  policy: BackoffPolicy,
  random: () => number,
): WriteBackPlan {
  switch (result.kind) {
    case 'refreshed': {
      const changedFields = PULL_REQUEST_FIELDS.filter((f) => !sameValue(row[f], result.status[f]));
      const changedAt = changedFields.length > 0 ? now : knownChange(row, now);
      return {
        outcome: 'refreshed',
        changedFields,
        update: {
          set: {
            ...Object.fromEntries(changedFields.map((f) => [f, result.status[f]])),
            refreshedAt: now,
            updatedAt: now,
            ...(changedAt !== row.changedAt ? { changedAt } : {}),
            ...(sameValue(row.httpCache, result.httpCache) ? {} : { httpCache: result.httpCache }),
          },
          remove: ['errorCount', ...LAST_ERROR],
          schedule: { kind: 'every', periodMs: pollInterval(result.status.pullRequestState, changedAt, now, policy), from: now },
        },
      };
    }
    case 'no_pr': {
      const soon = noPullRequestDelay(now, row.updatedAt, policy);
      const changedAt = knownChange(row, now);
      const periodMs = soon === policy.noPullRequestSoonMs ? soon : pollInterval('no_pr', changedAt, now, policy);
      return {
        outcome: 'no_pr',
        changedFields: result.dropStoredPullRequest ? PULL_REQUEST_FIELDS.filter((f) => row[f] !== undefined) : [],
        update: {
          set: {
            ...(changedAt !== row.changedAt ? { changedAt } : {}),
            ...(sameValue(row.httpCache, result.httpCache) ? {} : { httpCache: result.httpCache }),
          },
          remove: ['errorCount', ...LAST_ERROR, ...(result.dropStoredPullRequest ? PULL_REQUEST_FIELDS : [])],
          schedule: { kind: 'every', periodMs, from: now },
        },
      };
    }
    case 'failed':
      return { ...planFailure(row, result.error, now, policy, random), changedFields: [] };
  }
}

/** When the row last changed as far as it records; a row from before `changedAt` uses its last push or refresh. */
function knownChange(row: DiffStatusRow, now: number): number {
  return row.changedAt ?? row.updatedAt ?? now;
}

function planFailure(
  row: DiffStatusRow,
  error: RefreshError,
  now: number,
  policy: BackoffPolicy,
  random: () => number,
): Omit<WriteBackPlan, 'changedFields'> {
  // Unfinished for lack of time: due again at once, for the next tick.
  if (error instanceof DeadlineExceeded) return { outcome: 'released', update: { set: {}, remove: [], schedule: { kind: 'once', at: now } } };
  const lastError = {
    lastErrorKind: error.kind,
    lastErrorMessage: error.message.slice(0, MAX_ERROR_MESSAGE),
    lastErrorAt: now,
  };
  if (error instanceof NoTokenError) {
    return {
      outcome: 'no_token',
      update: { set: lastError, remove: ['errorCount'], schedule: { kind: 'every', periodMs: policy.noTokenMs, from: now } },
    };
  }
  if (error instanceof RateLimitedError) {
    return {
      outcome: 'rate_limited',
      update: { set: lastError, remove: [], schedule: { kind: 'once', at: rateLimitedUntil(now, error.resetAt, policy) } },
    };
  }
  const errorCount = (typeof row.errorCount === 'number' ? row.errorCount : 0) + 1;
  return {
    outcome: 'error',
    update: { set: { ...lastError, errorCount }, remove: [], schedule: { kind: 'once', at: now + errorDelay(errorCount, random, policy) } },
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A row that can no longer be polled (archived, or origin / branch gone) leaves the due index. */
export const UNPOLLABLE_PLAN: WriteBackPlan = {
  outcome: 'unpollable',
  update: { set: {}, remove: ['dueShard', 'dueSlot'] },
  changedFields: [],
};
