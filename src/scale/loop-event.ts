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
  return { role: 'lead', slotIndex: Number.isNaN(slot) ? 0 : Math.floor(slot / 10_000) };
}
