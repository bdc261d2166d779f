import { SLOT_INTERVAL_MS } from './loop-rhythm.ts';

export interface DeadlineInputs {
  /** The tick's own budget (30 s), independent of the 10 s slot. */
  tickBudgetMs: number;
  /** Time kept back, before the Lambda's end and the loop minute's end, for write-backs and releases. */
  safetyMarginMs: number;
  /** The Lambda's time left when the tick started, when running in one. */
  lambdaRemainingMs?: number | undefined;
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
 * The instant by which refreshing must stop (the one place it is decided): the tick budget,
 * the Lambda's remaining time less the margin, the loop minute's end less the margin (so the
 * :50 tick never runs into the next minute's execution), or, for a fan-out worker, one slot
 * after its start, whichever comes first.
 */
export function tickDeadline(startedAt: number, i: DeadlineInputs): number {
  return Math.min(
    startedAt + i.tickBudgetMs,
    i.lambdaRemainingMs === undefined ? Infinity : startedAt + i.lambdaRemainingMs - i.safetyMarginMs,
    i.loopEndsAt === undefined ? Infinity : i.loopEndsAt - i.safetyMarginMs,
    i.fanOutWorker ? startedAt + SLOT_INTERVAL_MS : Infinity,
  );
}
