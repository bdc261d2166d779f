import type { WaitingClock } from '../domain/clock.ts';
import { describeError, ItemTooLargeError } from '../domain/errors.ts';
import { silentLog, type Log } from '../domain/log.ts';
import { isPollable, versionAfterWrite, type DiffStatusRow } from '../domain/row.ts';
import { repairRow, type RowRepair } from '../domain/row-repair.ts';
import type { RefreshResult } from '../domain/refresh-result.ts';
import type { CadencePolicy } from '../cadence/policy.ts';
import { hostsSendingWebhooks, type WebhookActivity } from '../cadence/webhook-activity.ts';
import type { HttpCacheStore } from '../store/http-cache-store.ts';
import type { Lease, RowUpdate, Store } from '../store/store.ts';
import { isThrottle } from '../store/throttle.ts';
import { publishSafely, type ChangePublisher } from './change-publisher.ts';
import { entriesToWrite, readHttpCaches, startingEntries, writeHttpCache } from './http-caches.ts';
import type { RefreshRun } from './refresher.ts';
import type { RememberedCaches } from './remembered-caches.ts';
import { isItemTooLarge } from './size-bounds.ts';
import { countOutcome, emptySummary, type TickSummary } from './tick-summary.ts';
import { planItemTooLarge, planMinimalWrite, planWriteBack, UNPOLLABLE_PLAN, type WriteBackPlan } from './write-back.ts';

/** The part of the Refresher the pipeline needs. */
export interface RowRefresher {
  refresh(
    rows: readonly DiffStatusRow[],
    run: RefreshRun,
    onResult?: (index: number, result: RefreshResult) => void,
  ): Promise<RefreshResult[]>;
}

/**
 * What refreshing and writing back runs on, the same for a tick, a webhook delivery and a
 * refresh-now (the composition root builds it once: `System.tickDeps`).
 */
export interface PipelineDeps {
  store: Store;
  /** The rows' conditional-request validators (the HTTP cache table). */
  httpCache: HttpCacheStore;
  /** What this container knows the cache table holds (fewer reads); none when absent. */
  rememberedCaches?: RememberedCaches;
  refresher: RowRefresher;
  /** Reads the time and waits out a throttle's pause. */
  clock: WaitingClock;
  policy: CadencePolicy;
  /** Source of backoff jitter, in [0, 1). */
  random: () => number;
  /** Hosts that send webhooks (their open PRs poll at the safety cadence); none when absent. */
  webhookActivity?: WebhookActivity;
  publisher?: ChangePublisher;
  log?: Log;
}

/**
 * How one claimed row's write-back ended: written, refused (the row changed since its claim:
 * a push, a delivery, a newer refresh) or failed (DynamoDB errors, throttles past the backoff).
 * A release (`unrefreshed: 'release'`) is written once the lease is ended.
 */
export type WriteBackEnd = 'written' | 'refused' | 'failed';

/** What a row's write-back was about, for the caller that needs more than how it ended. */
export interface WriteBackDetail {
  /** The refresh's result; absent for a row that could not be polled. */
  result?: RefreshResult;
  /** What was (or would have been) written. */
  update: RowUpdate;
  /** Why it failed, for a failed write-back. */
  error?: unknown;
}

/** One run of the pipeline over rows claimed under one lease. */
export interface RefreshAndWrite {
  /** The rows as claimed (each write-back is fenced on the version read). */
  rows: readonly DiffStatusRow[];
  lease: Lease;
  /** Epoch ms by which refreshing stops (`refreshDeadline`). */
  deadline: number;
  signal?: AbortSignal | undefined;
  /** The caller's limit of conditional writes in flight (a tick's claims share it). Default: none of its own. */
  writes?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Counted into (a tick's, a delivery's summary). Default: a fresh one, returned. */
  summary?: TickSummary;
  /** Hears how each row's write-back ended. */
  ended?: (row: DiffStatusRow, end: WriteBackEnd, detail: WriteBackDetail) => void;
  /**
   * What a refresh that did not bring the PR's status (no PR, or a failure) writes: `backoff`
   * (the default: its outcome and next due time, as the loop and a delivery do), or `release`:
   * only the lease's end, the row keeping its schedule (refresh-now, whose caller gets the
   * error instead).
   */
  unrefreshed?: 'backoff' | 'release';
}

/** Ends the lease and nothing else. */
const RELEASE: RowUpdate = { set: {}, remove: [] };

/**
 * The one refresh-and-write pipeline, shared by ticks, webhook deliveries and refresh-now:
 * refreshes claimed rows and writes each result back under the lease as soon as it is known
 * (repairs of unusable attributes included, DynamoDB throttles backed off, an item too large
 * recorded in a write that fits), publishes each change, and takes unpollable rows out of the
 * due index. Never throws for a row: `ended` hears how each write-back ended. The batch's HTTP
 * caches are read once before refreshing and a row's cache item is written after its row,
 * only when its entries changed; neither failing fails or holds up a refresh or a write-back
 * (see `http-caches.ts`).
 */
export async function refreshAndWriteBack(deps: PipelineDeps, run: RefreshAndWrite): Promise<TickSummary> {
  const log = deps.log ?? silentLog;
  const { lease, deadline, signal } = run;
  const { random } = deps;
  const writes = run.writes ?? ((fn) => fn());
  const summary = run.summary ?? emptySummary();
  const ended = run.ended ?? (() => {});
  const release = run.unrefreshed === 'release';
  // Values gitsync cannot use are read as repaired and the repair written with the result.
  const repairs = run.rows.map((stored) => {
    const repair = repairRow(stored);
    if (repair.problems.length > 0) log.warn('row attributes unusable; replaced at this write-back', { chatId: stored.chatId, problems: repair.problems });
    return { stored, repair };
  });
  const pollable = repairs.filter(({ repair }) => isPollable(repair.row));
  const [webhookHosts, caches] = await Promise.all([
    hostsSendingWebhooks(deps.webhookActivity, log),
    readHttpCaches(deps.httpCache, pollable.map(({ stored }) => stored), summary, log, deps.rememberedCaches),
  ]);
  const attempt = (stored: DiffStatusRow, update: RowUpdate) =>
    backingOffThrottles(() => deps.store.writeBack(stored, lease, update), summary, { clock: deps.clock, random }, lease.expiresAt, signal);
  /** How a write-back that threw ended: counted and logged; the row is taken again later. */
  const failed = (stored: DiffStatusRow, err: unknown, detail: WriteBackDetail, outcome?: string) => {
    ended(stored, 'failed', { ...detail, error: err });
    if (isThrottle(err)) {
      log.warn('write-back still throttled after backing off; the row is not counted as served and is taken again by a later tick', { chatId: stored.chatId });
      return;
    }
    summary.writeFailures += 1;
    log.error('write-back failed; the row is not counted as served and is taken again by a later tick', {
      chatId: stored.chatId,
      ...(outcome ? { outcome } : {}),
      error: describeError(err),
    });
  };
  const writeBack = ({ stored, repair }: (typeof repairs)[number], planned: WriteBackPlan, planResult?: RefreshResult) =>
    writes(async () => {
      const row = repair.row;
      let written: boolean;
      let plan = withRepair(planned, repair);
      let result = planResult;
      try {
        try {
          written = await attempt(stored, plan.update);
        } catch (err) {
          if (!isItemTooLarge(err)) throw err;
          // The same write would fail forever: record why, with a backoff, in a write that fits.
          plan = withRepair(planItemTooLarge(row, deps.clock.now(), deps.policy, random), repair);
          result = { kind: 'failed', error: new ItemTooLargeError() };
          log.warn('write-back refused as too large for one item; recording the error instead', { chatId: row.chatId });
          try {
            written = await attempt(stored, plan.update);
          } catch (again) {
            if (!isItemTooLarge(again)) throw again;
            plan = planMinimalWrite(row, deps.clock.now(), deps.policy, random);
            log.warn('the error write is too large as well; a minimal write keeps the backoff (item_too_large not stored)', { chatId: row.chatId });
            written = await attempt(stored, plan.update);
          }
        }
      } catch (err) {
        deps.rememberedCaches?.forget(row.chatId);
        failed(stored, err, { ...(result ? { result } : {}), update: plan.update }, plan.outcome);
        return;
      }
      const detail = { ...(result ? { result } : {}), update: plan.update };
      if (!written) {
        deps.rememberedCaches?.forget(row.chatId);
        summary.writeConflicts += 1;
        ended(stored, 'refused', detail);
        return;
      }
      ended(stored, 'written', detail);
      countOutcome(summary, plan.outcome, result?.kind === 'failed' ? result.error.kind : undefined);
      // After the row: a cache item newer than its row is harmless, and an unchanged one is not written.
      const entries = result && result.kind !== 'failed' ? entriesToWrite(caches.get(row.chatId), result.httpCache) : undefined;
      const cacheWritten = entries !== undefined && (await writeHttpCache(deps.httpCache, row.chatId, entries, summary, log));
      // What the table holds now, for the row's new version: the entries written, or those read when nothing was to be written.
      const known = entries ? cacheWritten : caches.has(row.chatId);
      if (known) deps.rememberedCaches?.remember(row.chatId, versionAfterWrite(stored), entries ?? caches.get(row.chatId));
      else deps.rememberedCaches?.forget(row.chatId);
      // A failed check is worth a line of its own: the saved query "chat history" reads it.
      if (result?.kind === 'failed' && plan.update.set.checkedAt !== undefined) {
        log.info('row check failed', { chatId: row.chatId, outcome: plan.outcome, errorKind: result.error.kind });
      }
      if (result?.kind === 'refreshed' && plan.changedFields.length > 0) {
        await publishSafely(deps.publisher, log, {
          chatId: row.chatId,
          reason: 'refreshed',
          status: plan.status ?? result.status,
          changedFields: plan.changedFields,
          at: plan.update.set.refreshedAt ?? deps.clock.now(),
        });
      }
    });
  /**
   * Only the lease's end (`unrefreshed: 'release'`): no outcome, the row keeps its schedule.
   * A claim that left no lease on the row (the slot design fences on the version) has nothing
   * to end: no write.
   */
  const releaseBack = ({ stored }: (typeof repairs)[number], result: RefreshResult) =>
    writes(async () => {
      const detail = { result, update: RELEASE };
      if (stored.leaseId === undefined) return ended(stored, 'written', detail);
      let written: boolean;
      deps.rememberedCaches?.forget(stored.chatId);
      try {
        written = await attempt(stored, RELEASE);
      } catch (err) {
        failed(stored, err, detail);
        return;
      }
      ended(stored, written ? 'written' : 'refused', detail);
    });

  const pending = repairs.filter(({ repair }) => !isPollable(repair.row)).map((entry) => writeBack(entry, UNPOLLABLE_PLAN));
  // Each row is written back as soon as its own refresh ends, so DynamoDB writes overlap the
  // HTTP calls still in flight instead of waiting for the slowest row of the batch.
  const started = new Set<number>();
  const settle = (i: number, result: RefreshResult) => {
    if (started.has(i)) return;
    started.add(i);
    const entry = pollable[i]!;
    if (result.kind === 'refreshed') summary.truncatedLists += result.truncatedLists ?? 0;
    if (release && result.kind !== 'refreshed') pending.push(releaseBack(entry, result));
    else pending.push(writeBack(entry, planWriteBack(entry.repair.row, result, deps.clock.now(), deps.policy, random, webhookHosts), result));
  };
  const rows = pollable.map(({ repair }) => repair.row);
  const httpCaches = rows.map((row) => startingEntries(caches, row));
  const results = await deps.refresher.refresh(rows, { deadline, httpCaches, ...(signal ? { signal } : {}) }, settle);
  // A refresher that only returns its results (no callbacks) still gets every row written.
  results.forEach((result, i) => settle(i, result));
  await Promise.all(pending);
  return summary;
}

/** `plan` with a row repair's writes added (what the plan writes itself wins). */
function withRepair(plan: WriteBackPlan, repair: RowRepair): WriteBackPlan {
  if (repair.problems.length === 0) return plan;
  const { set, remove } = plan.update;
  return {
    ...plan,
    update: {
      ...plan.update,
      set: { ...repair.set, ...set },
      remove: [...new Set([...remove, ...repair.remove.filter((name) => !Object.hasOwn(set, name))])],
    },
  };
}

/** Pauses after a throttle: 100 ms, 200 ms, 400 ms (full jitter keeps the writers apart). */
const THROTTLE_BACKOFF_MS = [100, 200, 400];

/**
 * Runs `write`, and after a DynamoDB throttle (the SDK's own retries spent) waits and tries
 * again, up to three times while the lease (`until`) allows; each throttle is counted. Throws the last
 * throttle when it never got through, any other error at once.
 */
async function backingOffThrottles<T>(
  write: () => Promise<T>,
  summary: TickSummary,
  { clock, random }: { clock: WaitingClock; random: () => number },
  until: number,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!isThrottle(err)) throw err;
      summary.throttles += 1;
      const pause = random() * THROTTLE_BACKOFF_MS[attempt]!;
      if (attempt >= THROTTLE_BACKOFF_MS.length - 1 || clock.now() + pause >= until || signal?.aborted) throw err;
      await clock.sleep(pause);
    }
  }
}

