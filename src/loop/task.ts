import { LOOP_PERIOD_MS, loopMinuteEnd, SLOT_INTERVAL_MS } from './rhythm.ts';

/** A malformed refresh-loop payload: the Task fails with this message instead of guessing. */
export class LoopEventError extends Error {
  readonly kind = 'loop_event';
  constructor(message: string) {
    super(message);
    this.name = 'LoopEventError';
  }
}

/**
 * What a refresh-loop Task asks: `worker` with the shard group the lead gave it, or `lead`
 * (the slot's first Task; also any other event, such as a test invoke).
 */
export type LoopRole = { role: 'lead'; slotIndex: number } | { role: 'worker'; shards: number[] };

export function loopRole(event: unknown): LoopRole {
  const payload = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  if (payload['shards'] !== undefined) {
    const shards = payload['shards'];
    if (!Array.isArray(shards) || shards.length === 0 || !shards.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new LoopEventError(`shards must be a non-empty array of shard numbers, got ${JSON.stringify(shards)}`);
    }
    return { role: 'worker', shards: shards as number[] };
  }
  const slot = typeof payload['slot'] === 'string' ? Date.parse(payload['slot']) : NaN;
  // The slot's number since the epoch picks the shard the census samples: each in turn.
  return { role: 'lead', slotIndex: Number.isNaN(slot) ? 0 : Math.floor(slot / SLOT_INTERVAL_MS) };
}

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
