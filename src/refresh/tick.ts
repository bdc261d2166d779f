import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { Clock } from '../domain/clock.ts';
import { describeError, ItemTooLargeError } from '../domain/errors.ts';
import { silentLog, type Log } from '../domain/log.ts';
import { isPollable, type DiffStatusRow } from '../domain/row.ts';
import { repairRow, type RowRepair } from '../domain/row-repair.ts';
import type { Lease, Round, Store } from '../store/store.ts';
import { isThrottle } from '../store/throttle.ts';
import type { CadencePolicy } from '../cadence/policy.ts';
import { lambdaEnd, refreshDeadline } from '../cadence/deadline.ts';
import { publishSafely, type ChangePublisher } from './change-publisher.ts';
import { hostsSendingWebhooks, type WebhookActivity } from '../cadence/webhook-activity.ts';
import type { RefreshRun } from './refresher.ts';
import type { RefreshResult } from '../domain/refresh-result.ts';
import { countOutcome, emptySummary, type TickSummary } from './tick-summary.ts';
import { isItemTooLarge } from './size-bounds.ts';
import { planItemTooLarge, planMinimalWrite, planWriteBack, UNPOLLABLE_PLAN, type WriteBackPlan } from './write-back.ts';

/** The part of the Refresher a tick needs. */
export interface RowRefresher {
  refresh(
    rows: readonly DiffStatusRow[],
    run: RefreshRun,
    onResult?: (index: number, result: RefreshResult) => void,
  ): Promise<RefreshResult[]>;
}

export interface TickDeps {
  store: Store;
  /** Hosts that send webhooks (their open PRs poll at the safety cadence); none when absent. */
  webhookActivity?: WebhookActivity;
  refresher: RowRefresher;
  clock: Clock;
  policy: CadencePolicy;
  /** Source of backoff jitter, in [0, 1). */
  random?: () => number;
  newLeaseId?: () => string;
  publisher?: ChangePublisher;
  log?: Log;
}

export interface TickOptions {
  batchSize: number;
  tickBudgetMs: number;
  safetyMarginMs: number;
  /** The Lambda's `context.getRemainingTimeInMillis`, when running in one. */
  remainingMs?: () => number;
  /** When the loop execution's minute ends, for a tick the loop started. */
  loopEndsAt?: number | undefined;
  /** Conditional writes (claims, write-backs) in flight at once. */
  writeConcurrency?: number;
  /** The due-index shards this worker polls (default: all). */
  shards?: readonly number[];
  /** A worker the loop's Map started: it refreshes for one slot at most (`refreshDeadline`). */
  fanOutWorker?: boolean;
  signal?: AbortSignal;
}

/**
 * One invocation of the refresh loop: acquire due rows, claim them, refresh them within the
 * budget, write each result back under the lease, and drain further batches while a full
 * batch came back and time remains. Never throws: store failures end the tick and are logged;
 * a row whose claim read or write-back failed is not counted as served (the next tick that
 * holds its shard takes it again).
 */
export async function runTick(deps: TickDeps, options: TickOptions): Promise<TickSummary> {
  const { store, clock } = deps;
  const log = deps.log ?? silentLog;
  const startedAt = clock.now();
  const deadline = refreshDeadline({
    startedAt,
    budgetMs: options.tickBudgetMs,
    safetyMarginMs: options.safetyMarginMs,
    lambdaEndsAt: lambdaEnd(startedAt, options.remainingMs),
    loopEndsAt: options.loopEndsAt,
    fanOutWorker: options.fanOutWorker,
  });
  const writes = pLimit(options.writeConcurrency ?? 10);
  const summary = emptySummary();
  let lastBatchFull = false;
  // One claim window per tick: its lease holds the round's shards until a little after the
  // tick's last write-back can land.
  const lease: Lease = {
    id: deps.newLeaseId?.() ?? randomUUID(),
    takenAt: startedAt,
    expiresAt: deadline + options.safetyMarginMs + LEASE_GRACE_MS,
  };
  let round: Round | undefined;

  try {
    round = await store.beginRound(lease, options.shards);
    while (clock.now() < deadline && !options.signal?.aborted) {
      const now = clock.now();
      const due = await store.queryDue(round, now, options.batchSize);
      summary.batches += 1;
      if (summary.batches === 1 && due[0]) summary.oldestLatenessMs = now - due[0].dueAt;
      lastBatchFull = due.length >= options.batchSize;
      if (due.length === 0) break;

      const current = round;
      const claims = await Promise.all(due.map((d) => writes(() => claimQuietly(store, current, d.chatId, log, summary))));
      const claimed = claims.filter((row): row is DiffStatusRow => row !== null);
      summary.claimed += claimed.length;
      summary.lostClaims += due.length - claimed.length;

      await refreshAndWriteBack(deps, log, claimed, lease, deadline, options.signal, writes, summary, (row, end) => {
        if (end !== 'failed') return;
        current.notServed(row.chatId);
        summary.unserved += 1;
      });
      // Stop draining when the batch was not full, when nothing could be claimed (others hold
      // it: an empty round must not spin the loop), when rows were released (the deadline has
      // passed), or when DynamoDB throttled or failed: more batches would only press it more
      // (rows not served wait for the next tick, 10 s later: the backoff).
      if (!lastBatchFull || claimed.length === 0 || summary.released > 0 || summary.throttles > 0 || summary.unserved > 0) break;
    }
    if (lastBatchFull && summary.claimed > 0) summary.backlog = (await store.queryDue(round, clock.now(), 1)).length > 0;
  } catch (err) {
    if (isThrottle(err)) {
      summary.throttles += 1;
      log.warn('tick ended early: DynamoDB throttled the due index', { error: describeError(err) });
    } else {
      log.error('tick ended early: the store failed', { error: describeError(err) });
    }
  }
  if (round) {
    try {
      await store.endRound(round, clock.now());
    } catch (err) {
      log.error('ending the round failed; its shards come back when the lease lapses', { error: describeError(err) });
    }
  }
  summary.durationMs = clock.now() - startedAt;
  return summary;
}

/** How long a tick's lease outlives its last possible write-back. */
const LEASE_GRACE_MS = 5_000;

/**
 * How one claimed row's write-back ended: written, refused (the row changed since its claim:
 * a push, a delivery, a newer refresh) or failed (DynamoDB errors, throttles past the backoff).
 */
export type WriteBackEnd = 'written' | 'refused' | 'failed';

/**
 * Refreshes claimed rows and writes each result back under `lease` as soon as it is known;
 * unpollable rows leave the due index. Shared by ticks and webhook deliveries; `ended` hears
 * how each row's write-back ended.
 */
export async function refreshAndWriteBack(
  deps: TickDeps,
  log: Log,
  claimed: DiffStatusRow[],
  lease: Lease,
  deadline: number,
  signal: AbortSignal | undefined,
  writes: <T>(fn: () => Promise<T>) => Promise<T>,
  summary: TickSummary,
  ended: (row: DiffStatusRow, end: WriteBackEnd) => void = () => {},
): Promise<void> {
  // Values gitsync cannot use are read as repaired and the repair written with the result.
  const repairs = claimed.map((stored) => {
    const repair = repairRow(stored);
    if (repair.problems.length > 0) log.warn('row attributes unusable; replaced at this write-back', { chatId: stored.chatId, problems: repair.problems });
    return { stored, repair };
  });
  const pollable = repairs.filter(({ repair }) => isPollable(repair.row));
  const random = deps.random ?? Math.random;
  const webhookHosts = await hostsSendingWebhooks(deps.webhookActivity, log);
  const writeBack = ({ stored, repair }: (typeof repairs)[number], planned: WriteBackPlan, planResult?: RefreshResult) =>
    writes(async () => {
      const row = repair.row;
      let written: boolean;
      let plan = withRepair(planned, repair);
      let result = planResult;
      try {
        const attempt = (update: WriteBackPlan['update']) =>
          backingOffThrottles(() => deps.store.writeBack(stored, lease, update), summary, { clock: deps.clock, random }, lease.expiresAt, signal);
        try {
          written = await attempt(plan.update);
        } catch (err) {
          if (!isItemTooLarge(err)) throw err;
          // The same write would fail forever: record why, with a backoff, in a write that fits.
          plan = withRepair(planItemTooLarge(row, deps.clock.now(), deps.policy, random), repair);
          result = { kind: 'failed', error: new ItemTooLargeError() };
          log.warn('write-back refused as too large for one item; recording the error instead', { chatId: row.chatId });
          try {
            written = await attempt(plan.update);
          } catch (again) {
            if (!isItemTooLarge(again)) throw again;
            plan = planMinimalWrite(row, deps.clock.now(), deps.policy, random);
            log.warn('the error write is too large as well; a minimal write keeps the backoff (item_too_large not stored)', { chatId: row.chatId });
            written = await attempt(plan.update);
          }
        }
      } catch (err) {
        ended(stored, 'failed');
        if (isThrottle(err)) {
          log.warn('write-back still throttled after backing off; the row is not counted as served and is taken again by a later tick', { chatId: row.chatId });
          return;
        }
        summary.writeFailures += 1;
        log.error('write-back failed; the row is not counted as served and is taken again by a later tick', {
          chatId: row.chatId,
          outcome: plan.outcome,
          error: describeError(err),
        });
        return;
      }
      if (!written) {
        summary.writeConflicts += 1;
        ended(stored, 'refused');
        return;
      }
      ended(stored, 'written');
      countOutcome(summary, plan.outcome, result?.kind === 'failed' ? result.error.kind : undefined);
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

  const pending = repairs.filter(({ repair }) => !isPollable(repair.row)).map((entry) => writeBack(entry, UNPOLLABLE_PLAN));
  // Each row is written back as soon as its own refresh ends, so DynamoDB writes overlap the
  // HTTP calls still in flight instead of waiting for the slowest row of the batch.
  const started = new Set<number>();
  const settle = (i: number, result: RefreshResult) => {
    if (started.has(i)) return;
    started.add(i);
    const entry = pollable[i]!;
    if (result.kind === 'refreshed') summary.truncatedLists += result.truncatedLists ?? 0;
    pending.push(writeBack(entry, planWriteBack(entry.repair.row, result, deps.clock.now(), deps.policy, random, webhookHosts), result));
  };
  const results = await deps.refresher.refresh(pollable.map(({ repair }) => repair.row), signal ? { deadline, signal } : { deadline }, settle);
  // A refresher that only returns its results (no callbacks) still gets every row written.
  results.forEach((result, i) => settle(i, result));
  await Promise.all(pending);
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

async function claimQuietly(store: Store, round: Round, chatId: string, log: Log, summary: TickSummary): Promise<DiffStatusRow | null> {
  try {
    return await store.claim(round, chatId);
  } catch (err) {
    if (isThrottle(err)) summary.throttles += 1;
    round.notServed(chatId);
    summary.unserved += 1;
    log.warn('claim read failed; the row is due again at the next tick that holds its shard', { chatId, error: describeError(err) });
    return null;
  }
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
  { clock, random }: { clock: Clock; random: () => number },
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
      await sleep(pause);
    }
  }
}

