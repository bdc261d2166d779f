import { nextDue, type WebhookHosts } from '../cadence/next-due.ts';
import { sameValue } from '../domain/same-value.ts';
import { ItemTooLargeError } from '../domain/errors.ts';
import type { CadencePolicy } from '../cadence/policy.ts';
import { changedPullRequestFields, PULL_REQUEST_FIELDS, settledStatus, type DiffStatusRow, type PullRequestStatus } from '../domain/row.ts';
import { movedPath, repoBranchKey } from '../store/repo-branch-key.ts';
import type { RowUpdate } from '../store/store.ts';
import type { Outcome } from '../cadence/outcomes.ts';
import type { RefreshResult } from '../domain/refresh-result.ts';
import { boundCache, boundStatus } from './size-bounds.ts';

export interface WriteBackPlan {
  outcome: Outcome;
  update: RowUpdate;
  /** The PR fields whose stored value this write changes (empty: the status is unchanged). */
  changedFields: (keyof PullRequestStatus)[];
  /** A refresh's status as this write stores it (`settledStatus`: what change events tell). */
  status?: PullRequestStatus;
}

/**
 * What to write for one refreshed row: what the result changed plus the schedule `nextDue`
 * decides. Pure. Only what changed is written (the PR fields that differ, the HTTP cache
 * when it differs), so most refreshes rewrite a few numbers in an item that stays small.
 * Backing off never touches `updatedAt`: it means "last changed from outside" (a push or a
 * successful refresh). A write-back also sets the row's `repoBranchKey` when it differs, so
 * rows other services inserted without it become findable by webhooks at their first refresh,
 * and a moved repository's rows by the path its deliveries name.
 */
export function planWriteBack(
  row: DiffStatusRow,
  result: RefreshResult,
  now: number,
  policy: CadencePolicy,
  random: () => number,
  webhookHosts?: WebhookHosts,
): WriteBackPlan {
  const due = nextDue(row, result, now, policy, random, webhookHosts);
  // A refresh that ran says where the repository is now; a failed one keeps the stored move.
  const move = result.kind === 'failed' ? row.repoMove : result.repoMove;
  const key = repoBranchKey(row.gitRemoteOrigin, row.gitBranch, movedPath(row.gitRemoteOrigin, move));
  const bookkeeping = { ...due.set, ...(key !== undefined && key !== row.repoBranchKey ? { repoBranchKey: key } : {}) };
  const base = { set: bookkeeping, remove: due.remove, schedule: due.schedule };
  const cache = (httpCache: DiffStatusRow['httpCache']) => (sameValue(row.httpCache, httpCache) ? {} : { httpCache });
  switch (result.kind) {
    case 'refreshed': {
      // Mergeability the host is still computing is no change: the row keeps what it knew.
      const status = settledStatus(row, boundStatus(result.status));
      const changedFields = changedPullRequestFields(row, status);
      const changed = Object.fromEntries(changedFields.filter((f) => status[f] !== undefined).map((f) => [f, status[f]]));
      return {
        outcome: due.outcome,
        changedFields,
        status,
        update: {
          ...base,
          set: {
            ...changed,
            refreshedAt: now,
            updatedAt: now,
            ...cache(boundCache(result.httpCache)),
            ...(result.repoMove ? { repoMove: result.repoMove } : {}),
            ...bookkeeping,
          },
          // A field the host cannot tell (undefined) is removed: absent means unknown.
          remove: [...due.remove, ...changedFields.filter((f) => status[f] === undefined), ...(result.repoMove ? [] : (['repoMove'] as const))],
        },
      };
    }
    case 'no_pr':
      return {
        outcome: due.outcome,
        changedFields: result.dropStoredPullRequest ? PULL_REQUEST_FIELDS.filter((f) => row[f] !== undefined) : [],
        update: {
          ...base,
          set: { ...bookkeeping, ...cache(boundCache(result.httpCache)), ...(result.repoMove ? { repoMove: result.repoMove } : {}) },
          remove: [...due.remove, ...(result.dropStoredPullRequest ? PULL_REQUEST_FIELDS : [])],
        },
      };
    case 'failed':
      return { outcome: due.outcome, changedFields: [], update: base };
  }
}


/**
 * The small write after DynamoDB refused a write-back as too large for one item: the error
 * and its backoff only, and the cache dropped, so it fits whatever the refresh brought back.
 */
export function planItemTooLarge(row: DiffStatusRow, now: number, policy: CadencePolicy, random: () => number): WriteBackPlan {
  const plan = planWriteBack(row, { kind: 'failed', error: new ItemTooLargeError() }, now, policy, random);
  return { ...plan, update: { ...plan.update, remove: [...plan.update.remove, 'httpCache'] } };
}

/**
 * The last write after even the small one was refused as too large (another service filled
 * the row to within a few bytes of the limit): the backoff and the error count only, every
 * rebuildable attribute of gitsync's own dropped, so the row waits like any failure instead
 * of being refreshed again at every tick. Why is logged, not stored: nothing more fits.
 */
export function planMinimalWrite(row: DiffStatusRow, now: number, policy: CadencePolicy, random: () => number): WriteBackPlan {
  const plan = planItemTooLarge(row, now, policy, random);
  const errorCount = plan.update.set.errorCount;
  return {
    ...plan,
    update: {
      set: errorCount === undefined ? {} : { errorCount },
      remove: ['httpCache', 'repoMove', 'lastErrorKind', 'lastErrorMessage', 'lastErrorAt'],
      ...(plan.update.schedule ? { schedule: plan.update.schedule } : {}),
    },
  };
}

/** A row that can no longer be polled (archived, or origin / branch gone) leaves the due index. */
export const UNPOLLABLE_PLAN: WriteBackPlan = {
  outcome: 'unpollable',
  update: { set: {}, remove: ['dueShard', 'dueSlot'] },
  changedFields: [],
};
