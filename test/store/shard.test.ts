import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Slot } from '../../src/store/due-slot.ts';
import { allDueShards, bucketOf, duePartition, dueShardFor, parsePartition, partitionsToRead } from '../../src/store/shard.ts';

test('one shard puts every row under due#0', () => {
  assert.equal(dueShardFor('chat-1', 1), 'due#0');
  assert.deepEqual(allDueShards(1), ['due#0']);
});

test('shards are stable and spread rows over all partitions', () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 4_000; i++) {
    const shard = dueShardFor(`chat-${i}`, 4);
    assert.equal(shard, dueShardFor(`chat-${i}`, 4));
    counts.set(shard, (counts.get(shard) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), allDueShards(4));
  for (const n of counts.values()) assert.ok(n > 800 && n < 1_200, `balanced: ${n}`);
});

test('a slot on a whole-minute period goes to the bucket of its part of the minute; other slots stay in the base partition', () => {
  const minute = Date.UTC(2026, 10, 30, 12, 0, 0);
  const cases: [Slot | null, string][] = [
    [{ periodMs: 120_000, anchor: minute }, 'due#2:0'],
    [{ periodMs: 120_000, anchor: minute + 9_999 }, 'due#2:0'],
    [{ periodMs: 600_000, anchor: minute + 10_000 }, 'due#2:1'],
    [{ periodMs: 21_600_000, anchor: minute + 59_000 }, 'due#2:5'],
    [{ periodMs: 15_000, anchor: minute + 10_000 }, 'due#2'],
    [{ periodMs: 90_000, anchor: minute }, 'due#2'],
    [{ periodMs: 0, anchor: minute + 10_000 }, 'due#2'],
    [null, 'due#2'],
  ];
  for (const [slot, partition] of cases) assert.equal(duePartition('due#2', slot), partition, JSON.stringify(slot));
});

test('every due instant of a bucketed slot falls in its bucket', () => {
  for (const periodMs of [60_000, 120_000, 240_000, 900_000, 21_600_000]) {
    for (let anchor = 1_700_000_000_123; anchor < 1_700_000_000_123 + 60_000; anchor += 7_001) {
      const bucket = duePartition('due#0', { periodMs, anchor });
      for (let k = 1; k < 5; k++) assert.equal(`due#0:${bucketOf(anchor + k * periodMs)}`, bucket);
    }
  }
});

test('a round reads the base partition and the buckets of the 10-second parts since the shard was served', () => {
  const minute = Date.UTC(2026, 10, 30, 12, 0, 0);
  const cases: [number, number, string[]][] = [
    [minute + 20_000, minute + 30_000, ['due#1', 'due#1:2', 'due#1:3']],
    [minute + 25_000, minute + 29_000, ['due#1', 'due#1:2']],
    [minute + 50_000, minute + 70_000, ['due#1', 'due#1:0', 'due#1:1', 'due#1:5']],
    [minute, minute + 60_000, ['due#1', 'due#1:0', 'due#1:1', 'due#1:2', 'due#1:3', 'due#1:4', 'due#1:5']],
    [-Infinity, minute, ['due#1', 'due#1:0', 'due#1:1', 'due#1:2', 'due#1:3', 'due#1:4', 'due#1:5']],
    [minute + 30_000, minute + 20_000, ['due#1']],
  ];
  for (const [polledUntil, now, partitions] of cases) assert.deepEqual(partitionsToRead(1, polledUntil, now), partitions, `${polledUntil}..${now}`);
  assert.equal(bucketOf(-1), 5, 'instants before 1970 too');
});

test('a dueShard value names its shard, and its bucket when it is one; anything else is no partition', () => {
  const cases: [unknown, ReturnType<typeof parsePartition>][] = [
    ['due#0', { shard: 0 }],
    ['due#12:5', { shard: 12, bucket: 5 }],
    [duePartition('due#3', { periodMs: 120_000, anchor: 20_000 }), { shard: 3, bucket: 2 }],
    ['due#1:6', null],
    ['due#x', null],
    ['due#1:', null],
    [7, null],
    [undefined, null],
  ];
  for (const [value, expected] of cases) assert.deepEqual(parsePartition(value), expected, String(value));
});
