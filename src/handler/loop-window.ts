/**
 * Milliseconds left in the loop execution's own minute, for a Task payload of the refresh
 * loop (`executionStartTime`). Capping the tick by it keeps the :50 tick from running into
 * the next minute's execution. Undefined (no cap) for any other event, and when `now` is not
 * inside that minute: a replayed sample event or a loop already late gains nothing by
 * refreshing nothing, and overlapping ticks are safe.
 */
export function timeLeftInLoopMinute(event: unknown, now: number): number | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const start = (event as { executionStartTime?: unknown }).executionStartTime;
  if (typeof start !== 'string') return undefined;
  const startedAt = Date.parse(start);
  if (Number.isNaN(startedAt)) return undefined;
  const minuteEnd = startedAt - (startedAt % 60_000) + 60_000;
  const left = minuteEnd - now;
  return left > 0 && left <= 60_000 ? left : undefined;
}
