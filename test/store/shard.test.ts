import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allDueShards, dueShardFor } from '../../src/store/shard.ts';

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
