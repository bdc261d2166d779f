/**
 * The GSI partition a row polls under: `due#K`, K from a hash of the chat id, so a high
 * write rate spreads over `shardCount` partitions instead of one hot key.
 */
export function dueShardFor(chatId: string, shardCount: number): string {
  return `due#${fnv1a(chatId) % shardCount}`;
}

export function allDueShards(shardCount: number): string[] {
  return Array.from({ length: shardCount }, (_, k) => `due#${k}`);
}

/** 32-bit FNV-1a: stable across runtimes and containers, which is all a shard key needs. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The shard count a store is built with; anything but a positive integer is a wiring mistake. */
export function checkedShardCount(shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new Error(`shardCount must be a positive integer, got ${shardCount}`);
  return shardCount;
}
