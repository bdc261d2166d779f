import { MAX_SHARD_COUNT } from './shard.ts';

/**
 * gitsync keeps a few items of its own in the diff-status table, under chat ids that start
 * with this prefix: a lease item per due-index shard and the shard high-water mark. They
 * carry no `dueShard`, so the due index never holds them.
 */
export const BOOKKEEPING_PREFIX = 'gitsync#';

export function shardLeaseKey(shard: number): string {
  return `${BOOKKEEPING_PREFIX}shard#${shard}`;
}

export const SHARD_HIGH_WATER_KEY = `${BOOKKEEPING_PREFIX}shards`;

export function isBookkeepingItem(chatId: string): boolean {
  return chatId.startsWith(BOOKKEEPING_PREFIX);
}

/** Shards a round polls: those the setting names plus any a row may still carry (case: lowered SHARD_COUNT). */
export function shardsToPoll(shardCount: number, highWater: number | undefined): number[] {
  return Array.from({ length: Math.max(shardCount, highWater ?? 0) }, (_, k) => k);
}

/**
 * The shard mark as stored, checked: a whole number from 1 to `MAX_SHARD_COUNT`, or why it
 * cannot be used (anything else an outside hand wrote: a string, a fraction, a huge count).
 * An unusable mark is ignored, never a reason to poll nothing.
 */
export function readShardMark(value: unknown): { mark: number | undefined; problem?: string } {
  if (value === undefined) return { mark: undefined };
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_SHARD_COUNT) return { mark: value };
  return { mark: undefined, problem: `shardCount ${JSON.stringify(value)} is not a whole number from 1 to ${MAX_SHARD_COUNT}` };
}
