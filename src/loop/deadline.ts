import { SLOT_INTERVAL_MS } from './rhythm.ts';

/** What limits one piece of refreshing work (a tick, a webhook delivery, a refresh-now), as instants. */
export interface DeadlineInputs {
  /** When the work started. */
  startedAt: number;
  /** Its own budget from the start (a tick's 30 s, a delivery's, a refresh-now's timeout). */
  budgetMs: number;
  /** Time kept back before a hard end (the Lambda's, the loop minute's) for write-backs and releases. Default 0. */
  safetyMarginMs?: number | undefined;
  /** When the Lambda invocation ends (its start plus the time it had left), when running in one. */
  lambdaEndsAt?: number | undefined;
  /** When the loop execution's minute ends (`loopMinuteEnd`), for a tick the loop started. */
  loopEndsAt?: number | undefined;
  /**
   * A worker of the fan-out refreshes for one slot (`SLOT_INTERVAL_MS`) at most: the loop's Map
   * waits for its slowest worker, so a worker running out the whole budget would hold every
   * other shard's next slot back, and the next lead would plan from a stale census.
   */
  fanOutWorker?: boolean | undefined;
}

/**
 * The instant by which refreshing must stop (the one place it is decided): the budget, the
 * Lambda's end less the margin, the loop minute's end less the margin (so the :50 tick never
 * runs into the next minute's execution), or, for a fan-out worker, one slot after its start,
 * whichever comes first.
 */
export function refreshDeadline(i: DeadlineInputs): number {
  const margin = i.safetyMarginMs ?? 0;
  return Math.min(
    i.startedAt + i.budgetMs,
    i.lambdaEndsAt === undefined ? Infinity : i.lambdaEndsAt - margin,
    i.loopEndsAt === undefined ? Infinity : i.loopEndsAt - margin,
    i.fanOutWorker ? i.startedAt + SLOT_INTERVAL_MS : Infinity,
  );
}

/** The instant a Lambda invocation ends, from its time left read now; undefined outside Lambda. */
export function lambdaEnd(now: number, remainingMs: (() => number) | undefined): number | undefined {
  return remainingMs === undefined ? undefined : now + remainingMs();
}
