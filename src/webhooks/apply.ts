import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { describeError } from '../domain/errors.ts';
import { silentLog } from '../domain/log.ts';
import type { DiffStatusRow } from '../domain/row.ts';
import type { ProviderRegistry, RepoRef } from '../providers/provider.ts';
import { refreshAndWriteBack, type WriteBackEnd } from '../refresh/pipeline.ts';
import type { TickDeps } from '../refresh/tick.ts';
import { emptySummary, type TickSummary } from '../refresh/tick-summary.ts';
import type { MatchCandidate, PageKey, WebhookRowStore } from '../store/dynamo-webhook-store.ts';
import { movedPath } from '../store/repo-branch-key.ts';
import { withWriteBack, type Lease, type Store } from '../store/store.ts';

export interface ApplyOptions {
  /** Rows refreshed inside the delivery; further matches are made due for the loop. */
  refreshRows: number;
  /** Conditional writes (stamps, claims) in flight at once. */
  writeConcurrency: number;
  /** Epoch ms by which refreshing stops (unfinished rows are released: due at once). */
  deadline: number;
  /** How long the claim of an in-function refresh lasts if the function dies. */
  leaseMs: number;
  /** Index entries read per page; the deadline is checked between pages. */
  pageSize: number;
  /** Continue a delivery handed on at this page (its rows are only stamped and made due). */
  after?: PageKey;
}

/** What a delivery did to the rows of its repository and branch. */
export interface ApplyResult {
  /** Rows on that repository and branch (after the exact check against the provider). */
  matched: number;
  /** Refreshed inside the delivery (the tick summary of that refresh). */
  summary: TickSummary;
  /** Stamped and made due at once for the loop (beyond `refreshRows`, or held by another lease). */
  madeDue: number;
  /** Left alone: a delivery received later already handled them, or they changed meanwhile. */
  skipped: number;
  /** Where the rows not reached by the deadline start: the delivery is handed on from there. */
  next?: PageKey;
  /** Receipt-to-row time of each refreshed row's write-back (ms). */
  rowLatenciesMs: number[];
  /**
   * Refreshed rows whose write-back failed (DynamoDB errors): the delivery answers 500 so the
   * host may redeliver it; each such row was made due at once as well, when DynamoDB allowed.
   */
  unwritten: number;
}

export interface BranchChange {
  /** The configured provider host the delivery was verified for. */
  host: string;
  repo: RepoRef;
  branch: string;
  /** `repoBranchKey` of the repository and branch. */
  key: string;
  receivedAt: number;
}

/**
 * Stamps `webhookAt` on every row of the changed repository and branch and refreshes up to
 * `refreshRows` of them at once, through the loop's own claim-refresh-write-back path (same
 * lease, conditional requests and rate-limit rules); the rest are made due at once so the
 * next tick takes them. Pages through the index with bounded write concurrency.
 */
export async function applyBranchChange(
  deps: TickDeps & { rows: WebhookRowStore; registry: ProviderRegistry },
  change: BranchChange,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const { clock } = deps;
  const log = deps.log ?? silentLog;
  const writes = pLimit(options.writeConcurrency);
  const lease: Lease = { id: deps.newLeaseId?.() ?? randomUUID(), takenAt: clock.now(), expiresAt: clock.now() + options.leaseMs };
  const result: ApplyResult = { matched: 0, summary: emptySummary(), madeDue: 0, skipped: 0, rowLatenciesMs: [], unwritten: 0 };
  const isMatch = async (c: MatchCandidate): Promise<boolean> => {
    const match = matchesChange(c, change, deps.registry);
    if (match !== 'moved?') return match;
    const row = await writes(() => deps.rows.movedFrom(c.chatId));
    return movedPath(row?.gitRemoteOrigin, row?.repoMove)?.toLowerCase() === change.repo.path.toLowerCase();
  };

  const markDue = async (chatId: string) => {
    if (await deps.rows.markDueForWebhook(chatId, change.key, change.receivedAt, clock.now())) result.madeDue += 1;
    else result.skipped += 1;
  };
  const makeDue = (chatId: string) => writes(() => markDue(chatId));
  const claimed: DiffStatusRow[] = [];
  const claim = (chatId: string) =>
    writes(async () => {
      const outcome = await deps.rows.claimForWebhook(chatId, change.key, change.receivedAt, lease);
      if (outcome.kind === 'claimed') claimed.push(outcome.row);
      else if (outcome.kind === 'skip') result.skipped += 1;
      else await markDue(chatId);
    });

  // A continuation only stamps and makes due: the delivery's own invocation did the refreshing.
  let refreshing: Promise<void> | undefined = options.after ? Promise.resolve() : undefined;
  let page: PageKey | undefined = options.after;
  do {
    const out = await deps.rows.candidates(change.key, page, options.pageSize);
    page = out.next;
    const verdicts = await Promise.all(out.rows.map(isMatch));
    const matches = out.rows.filter((_, i) => verdicts[i]);
    result.matched += matches.length;
    if (!refreshing) {
      await Promise.all(matches.slice(0, options.refreshRows).map((c) => claim(c.chatId)));
      refreshing = refreshClaimed(deps, claimed, lease, change, options.deadline, writes, result);
      await Promise.all(matches.slice(options.refreshRows).map((c) => makeDue(c.chatId)));
    } else {
      await Promise.all(matches.map((c) => makeDue(c.chatId)));
    }
    // Pages are bounded, so stopping between them keeps the answer inside the budget.
    if (page && clock.now() >= options.deadline) {
      result.next = page;
      log.info('webhook: rows left at the deadline are handed on', { key: change.key, matchedSoFar: result.matched });
      break;
    }
  } while (page);
  await refreshing;
  return result;
}

async function refreshClaimed(
  deps: TickDeps & { rows: WebhookRowStore },
  claimed: DiffStatusRow[],
  lease: Lease,
  change: BranchChange,
  deadline: number,
  writes: <T>(fn: () => Promise<T>) => Promise<T>,
  result: ApplyResult,
): Promise<void> {
  if (claimed.length === 0) return;
  const log = deps.log ?? silentLog;
  const store = timedWriteBacks(deps.store, (ms) => result.rowLatenciesMs.push(ms), () => deps.clock.now() - change.receivedAt);
  const ends = new Map<DiffStatusRow, WriteBackEnd>();
  try {
    await refreshAndWriteBack({ ...deps, store }, { rows: claimed, lease, deadline, writes, summary: result.summary, ended: (row, end) => ends.set(row, end) });
  } catch (err) {
    log.error('webhook: refresh failed', { error: describeError(err) });
  }
  // A refused write-back: the row changed after this delivery's claim (a push, a later
  // delivery, a refresh that read it after the claim); a failed one: DynamoDB failed. Either
  // way this delivery's answer is not on the row, so it is made due for the loop's next tick
  // rather than counted as refreshed; a failure also fails the delivery (see `unwritten`).
  const notWritten = claimed.filter((row) => ends.get(row) !== 'written');
  await Promise.all(
    notWritten.map((row) =>
      writes(async () => {
        const failed = ends.get(row) !== 'refused';
        if (failed) result.unwritten += 1;
        try {
          if (await deps.rows.makeDueAgain(row.chatId, change.key, change.receivedAt, deps.clock.now())) result.madeDue += 1;
          else result.skipped += 1;
        } catch (err) {
          log.error('webhook: a row whose write-back failed could not be made due either', { chatId: row.chatId, error: describeError(err) });
        }
      }),
    ),
  );
}

/** The store, with the time of every successful write-back reported (receipt to row). */
function timedWriteBacks(store: Store, report: (ms: number) => void, elapsed: () => number): Store {
  return withWriteBack(store, async (claimed, lease, update) => {
    const written = await store.writeBack(claimed, lease, update);
    if (written && update.set.refreshedAt !== undefined) report(elapsed());
    return written;
  });
}

/**
 * The exact rule: the row's origin is the delivery's repository on the verifying host (as the
 * configured provider reads it: any URL form, any host case) and its branch is the branch.
 * `moved?`: the origin names another repository on that host, which matches only when the
 * row learned that its repository moved to the delivery's path (`repoMove`, read by the caller).
 */
export function matchesChange(candidate: MatchCandidate, change: BranchChange, registry: ProviderRegistry): boolean | 'moved?' {
  if (typeof candidate.gitRemoteOrigin !== 'string' || candidate.gitBranch !== change.branch) return false;
  const found = registry.forOrigin(candidate.gitRemoteOrigin);
  if (found?.provider.host !== change.host) return false;
  return found.repo.path.toLowerCase() === change.repo.path.toLowerCase() || 'moved?';
}
