import { nextDue } from '../cadence/next-due.ts';
import { ItemTooLargeError } from '../domain/errors.ts';
import type { CadencePolicy } from '../cadence/policy.ts';
import { PULL_REQUEST_FIELDS, type DiffStatusRow } from '../domain/row.ts';
import { repoBranchKey } from '../store/repo-branch-key.ts';
import type { RowUpdate } from '../store/store.ts';
import type { Outcome } from './outcomes.ts';
import type { RefreshResult } from './result.ts';
import { boundCache, boundStatus } from './size-bounds.ts';

export interface WriteBackPlan {
  outcome: Outcome;
  update: RowUpdate;
}

/**
 * What to write for one refreshed row: the result's own fields plus the schedule `nextDue`
 * decides. Pure. Backing off never touches `updatedAt`: it means "last changed from outside"
 * (a push or a successful refresh). Every write-back also sets the row's `repoBranchKey`, so
 * rows other services inserted without it become findable by webhooks at their first refresh.
 */
export function planWriteBack(
  row: DiffStatusRow,
  result: RefreshResult,
  now: number,
  policy: CadencePolicy,
  random: () => number,
  webhookHosts?: ReadonlySet<string>,
): WriteBackPlan {
  const due = nextDue(row, result, now, policy, random, webhookHosts);
  const key = repoBranchKey(row.gitRemoteOrigin, row.gitBranch);
  const schedule = { ...due.set, staleAt: due.staleAt, ...(key !== undefined && key !== row.repoBranchKey ? { repoBranchKey: key } : {}) };
  switch (result.kind) {
    case 'refreshed':
      return {
        outcome: due.outcome,
        update: {
          set: {
            ...boundStatus(result.status),
            refreshedAt: now,
            updatedAt: now,
            httpCache: boundCache(result.httpCache),
            ...(result.repoMove ? { repoMove: result.repoMove } : {}),
            ...schedule,
          },
          remove: [...due.remove, ...(result.repoMove ? [] : (['repoMove'] as const))],
        },
      };
    case 'no_pr':
      return {
        outcome: due.outcome,
        update: {
          set: { ...schedule, httpCache: boundCache(result.httpCache) },
          remove: [...due.remove, ...(result.dropStoredPullRequest ? PULL_REQUEST_FIELDS : [])],
        },
      };
    case 'failed':
      return { outcome: due.outcome, update: { set: schedule, remove: due.remove } };
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

/** A row that can no longer be polled (archived, or origin / branch gone) leaves the due index. */
export const UNPOLLABLE_PLAN: WriteBackPlan = { outcome: 'unpollable', update: { set: {}, remove: ['dueShard'] } };
