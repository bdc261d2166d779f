import type { Slot } from './due-slot.ts';

/**
 * The GSI partition a row polls under: `due#K`, K from a hash of the chat id, so a high
 * write rate spreads over `shardCount` partitions instead of one hot key. This is the shard's
 * base partition: what a service inserting a row writes, and where every one-off slot sits.
 */
export function dueShardFor(chatId: string, shardCount: number): string {
  return basePartition(fnv1a(chatId) % shardCount);
}

export function allDueShards(shardCount: number): string[] {
  return Array.from({ length: shardCount }, (_, k) => basePartition(k));
}

/** Shard `shard`'s base partition, `due#K`. */
export function basePartition(shard: number): string {
  return `due#${shard}`;
}

/**
 * A shard's rows on a periodic slot whose period is a whole number of minutes fall due in the
 * same 10-second part of every minute (anchor + k * period keeps the anchor's second-of-minute).
 * They sit in one of `BUCKETS` partitions per shard, `due#K:b`, b = that part, so a tick reads
 * the base partition and the bucket of its own 10 seconds: about a sixth of the shard, not all
 * of it (index reads are billed by the bytes read). Every period the default cadence uses
 * (2, 4, 8, 10, 15 minutes, 6 hours...) is whole minutes; the rest stay in the base partition.
 */
export const BUCKET_MS = 10_000;
export const BUCKETS = 6;
const BUCKET_CYCLE_MS = BUCKET_MS * BUCKETS;

/** The partition a row of shard `shard` sits in for its slot (see `BUCKETS`). */
export function duePartition(shard: string, slot: Slot | null): string {
  if (!slot || slot.periodMs <= 0 || slot.periodMs % BUCKET_CYCLE_MS !== 0) return shard;
  return `${shard}:${bucketOf(slot.anchor)}`;
}

/** The shard and, for a bucket, the bucket a `dueShard` value names; null when it names neither. */
export function parsePartition(partition: unknown): { shard: number; bucket?: number } | null {
  const match = typeof partition === 'string' ? /^due#(\d+)(?::([0-5]))?$/.exec(partition) : null;
  if (!match) return null;
  return match[2] === undefined ? { shard: Number(match[1]) } : { shard: Number(match[1]), bucket: Number(match[2]) };
}

/** The bucket of an instant: which 10-second part of its minute it falls in. */
export function bucketOf(at: number): number {
  return ((Math.floor(at / BUCKET_MS) % BUCKETS) + BUCKETS) % BUCKETS;
}

/**
 * The partitions of shard `shard` that can hold a row due in (polledUntil, now]: its base and
 * the bucket of every 10 seconds of that window (all of them after a minute or more unserved).
 */
export function partitionsToRead(shard: number, polledUntil: number, now: number): string[] {
  const base = basePartition(shard);
  const last = Math.floor(now / BUCKET_MS);
  // The last BUCKETS 10-second parts at most: beyond those, the buckets repeat.
  const from = Math.max(Number.isFinite(polledUntil) ? Math.floor(polledUntil / BUCKET_MS) : -Infinity, last - (BUCKETS - 1));
  const buckets = new Set<number>();
  for (let part = from; part <= last; part++) buckets.add(bucketOf(part * BUCKET_MS));
  return [base, ...[...buckets].sort((a, b) => a - b).map((b) => `${base}:${b}`)];
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

/** The most shards a deployment may use (`SHARD_COUNT`'s bound): a partition `due#K` beyond it is no shard. */
export const MAX_SHARD_COUNT = 1_000;

/**
 * The due-index sweep: each loop slot scans one of `SWEEP_SEGMENTS` segments of the due index
 * (keys only), so the whole index is read once every 10 minutes whatever a shard mark says. A
 * row a writer put under a shard beyond the mark (another SHARD_COUNT, a mark deleted or
 * lowered by hand) is found by it and its shard polled from then on.
 */
export const SWEEP_SEGMENTS = 60;

/** The segment the sweep reads in the slot of `now`. */
export function sweepSegment(now: number): number {
  return Math.floor(now / BUCKET_MS) % SWEEP_SEGMENTS;
}

/** The shard count a store is built with; anything but a positive integer is a wiring mistake. */
export function checkedShardCount(shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARD_COUNT) throw new Error(`shardCount must be a positive integer, got ${shardCount}`);
  return shardCount;
}
