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
