export interface DeadlineInputs {
  /** The tick's own budget (30 s), independent of the 10 s slot. */
  tickBudgetMs: number;
  /** Time kept back, before the Lambda's end and the loop minute's end, for write-backs and releases. */
  safetyMarginMs: number;
  /** The Lambda's time left when the tick started, when running in one. */
  lambdaRemainingMs?: number | undefined;
  /** When the loop execution's minute ends (`loopMinuteEnd`), for a tick the loop started. */
  loopEndsAt?: number | undefined;
}

/**
 * The instant by which refreshing must stop (the one place it is decided): the tick budget,
 * the Lambda's remaining time less the margin, or the loop minute's end less the margin
 * (so the :50 tick never runs into the next minute's execution), whichever comes first.
 */
export function tickDeadline(startedAt: number, i: DeadlineInputs): number {
  return Math.min(
    startedAt + i.tickBudgetMs,
    i.lambdaRemainingMs === undefined ? Infinity : startedAt + i.lambdaRemainingMs - i.safetyMarginMs,
    i.loopEndsAt === undefined ? Infinity : i.loopEndsAt - i.safetyMarginMs,
  );
}
