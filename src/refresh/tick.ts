import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { describeError } from '../domain/errors.ts';
import { silentLog, type Log } from '../domain/log.ts';
import type { DiffStatusRow } from '../domain/row.ts';
import type { Lease, Round, Store } from '../store/store.ts';
import { isThrottle } from '../store/throttle.ts';
import { lambdaEnd, refreshDeadline } from '../loop/deadline.ts';
import { refreshAndWriteBack, type PipelineDeps } from './pipeline.ts';
import { emptySummary, type TickSummary } from './tick-summary.ts';

/** The pipeline's parts, and the lease ids of a tick's claims (a delivery's, a refresh-now's too). */
export interface TickDeps extends PipelineDeps {
  /** Default: a random UUID per lease. */
  newLeaseId?: () => string;
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

      await refreshAndWriteBack(deps, {
        rows: claimed,
        lease,
        deadline,
        signal: options.signal,
        writes,
        summary,
        ended: (row, end) => {
          if (end !== 'failed') return;
          current.notServed(row.chatId);
          summary.unserved += 1;
        },
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
