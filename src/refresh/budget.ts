export interface BudgetOptions {
  /** The tick's own budget (30 s), independent of the 10 s loop interval. */
  tickBudgetMs: number;
  /** Time kept back from the Lambda's remaining time for write-backs and releases. */
  safetyMarginMs: number;
}

/**
 * The instant by which refreshing must stop: the tick budget, or the Lambda's remaining time
 * less a margin for writing results back, whichever comes first.
 */
export function tickDeadline(startedAt: number, remainingMs: number | undefined, o: BudgetOptions): number {
  const byBudget = startedAt + o.tickBudgetMs;
  if (remainingMs === undefined) return byBudget;
  return Math.min(byBudget, startedAt + remainingMs - o.safetyMarginMs);
}
