import { LOOP_PERIOD_MS, loopMinuteEnd } from '../cadence/loop-rhythm.ts';

/**
 * When the loop execution's own minute ends, for a Task payload of the refresh loop
 * (`executionStartTime`); the tick's deadline keeps the :50 tick from running into the next
 * minute's execution. Undefined (no cap) for any other event, and when `now` is not inside
 * that minute: a replayed sample event or a loop already late gains nothing by refreshing
 * nothing, and overlapping ticks are safe.
 */
export function loopEndsAtFor(event: unknown, now: number): number | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const start = (event as { executionStartTime?: unknown }).executionStartTime;
  if (typeof start !== 'string') return undefined;
  const startedAt = Date.parse(start);
  if (Number.isNaN(startedAt)) return undefined;
  const end = loopMinuteEnd(startedAt);
  const left = end - now;
  return left > 0 && left <= LOOP_PERIOD_MS ? end : undefined;
}
