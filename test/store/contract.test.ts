/**
 * One contract, two stores: what the tick and the slot's lead rely on, checked against the
 * DynamoDB store on DynamoDB Local and against the in-memory store the bench uses for runs too
 * large for the emulator. Both must pass every case.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import type { DueCensus } from '../../src/store/due-census.ts';
import { formatSlot, onceSlot } from '../../src/store/due-slot.ts';
import { DynamoStore } from '../../src/store/dynamo-store.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import type { Lease, Store } from '../../src/store/store.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';

const SHARDS = 3;
const T = Date.UTC(2026, 10, 28, 12);

interface Subject {
  store: Store & DueCensus;
  put(row: DiffStatusRow): Promise<void>;
  setNow(at: number): void;
}

type Factory = (shards?: number) => Promise<Subject>;

const opened: TestTables[] = [];
after(async () => {
  for (const t of opened.reverse()) await t.close();
});

async function dynamoOn(t: TestTables, shards: number, clock: { now(): number }): Promise<DynamoStore> {
  return new DynamoStore({ doc: t.doc, tableName: t.tableName, indexName: t.indexName, shardCount: shards, clock });
}

const factories: Record<string, Factory> = {
  dynamodb: async (shards = SHARDS) => {
    const t = await createTestTables();
    opened.push(t);
    let now = T;
    const store = await dynamoOn(t, shards, { now: () => now });
    return { store, put: async (row) => void (await t.doc.send(new PutCommand({ TableName: t.tableName, Item: row }))), setNow: (at) => void (now = at) };
  },
  memory: async (shards = SHARDS) => {
    let now = T;
    const store = new MemoryStore({ shardCount: shards, clock: { now: () => now } });
    return { store, put: async (row) => store.put(row), setNow: (at) => void (now = at) };
  },
};

function row(chatId: string, dueSlot: string, shards = SHARDS): DiffStatusRow {
  return { chatId, ownerId: 'o', gitRemoteOrigin: 'https://github.com/o/r.git', gitBranch: 'b', dueSlot, dueShard: dueShardFor(chatId, shards), createdAt: T - 1e6, updatedAt: T - 1e6 };
}

const lease = (id: string, at = T, forMs = 30_000): Lease => ({ id, takenAt: at, expiresAt: at + forMs });

for (const [name, make] of Object.entries(factories)) {
  describe(`store contract: ${name}`, () => {
    test('a round holds its shards; a second lease gets none of them until the first lapses', async () => {
      const s = await make();
      const a = await s.store.beginRound(lease('a'));
      assert.deepEqual([...a.shards], [0, 1, 2]);
      const b = await s.store.beginRound(lease('b', T + 1_000));
      assert.deepEqual([...b.shards], []);
      const c = await s.store.beginRound(lease('c', T + 31_000));
      assert.deepEqual([...c.shards], [0, 1, 2], 'after the lease lapsed');
      const only = await s.store.beginRound(lease('d', T + 62_000), [1]);
      assert.deepEqual([...only.shards], [1], 'a worker takes only its group');
    });

    test('due rows come oldest first, each once per round; the census counts what a round would find', async () => {
      const s = await make();
      const ids = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
      for (const [i, id] of ids.entries()) await s.put(row(id, onceSlot(T - 10_000 + i * 1_000)));
      await s.put(row('later', onceSlot(T + 60_000)));
      let counted = 0;
      for (const shard of await s.store.shardsInUse()) counted += await s.store.countDue(shard, T);
      assert.equal(counted, ids.length);
      const round = await s.store.beginRound(lease('a'));
      const due = await s.store.queryDue(round, T, 10);
      assert.deepEqual(due.map((d) => d.chatId), ids);
      assert.deepEqual(due.map((d) => d.dueAt), ids.map((_, i) => T - 10_000 + i * 1_000));
      for (const d of due.slice(0, 2)) assert.ok(await s.store.claim(round, d.chatId));
      assert.deepEqual((await s.store.queryDue(round, T, 10)).map((d) => d.chatId), ids.slice(2), 'taken rows are not offered again');
      let after = 0;
      for (const shard of await s.store.shardsInUse()) after += await s.store.countDue(shard, T);
      assert.equal(after, ids.length, 'the census writes nothing: the rows are due until written back');
    });

    test('a write-back is fenced by the version it claimed and by the lease', async () => {
      const s = await make();
      await s.put(row('w', onceSlot(T - 1_000)));
      const l = lease('a');
      const round = await s.store.beginRound(l);
      await s.store.queryDue(round, T, 10);
      const claimed = await s.store.claim(round, 'w');
      assert.ok(claimed);
      const update = { set: { refreshedAt: T }, remove: [], schedule: { kind: 'every' as const, periodMs: 120_000, from: T } };
      assert.equal(await s.store.writeBack(claimed, l, update), true);
      assert.equal(await s.store.writeBack(claimed, l, update), false, 'the version moved on');
      const fresh = (await s.store.getRow('w'))!;
      assert.equal(fresh.staleAt, T + 120_000);
      s.setNow(l.expiresAt);
      assert.equal(await s.store.writeBack(fresh, l, update), false, 'the lease lapsed');
    });

    test('a periodic slot served by a round is not due again until its next period', async () => {
      const s = await make();
      await s.put(row('p', formatSlot({ periodMs: 60_000, anchor: T - 70_000 })));
      const first = await s.store.beginRound(lease('a'));
      assert.deepEqual((await s.store.queryDue(first, T, 10)).map((d) => [d.chatId, d.dueAt]), [['p', T - 10_000]]);
      assert.ok(await s.store.claim(first, 'p'));
      await s.store.endRound(first, T);
      const second = await s.store.beginRound(lease('b', T + 1_000));
      assert.deepEqual(await s.store.queryDue(second, T + 1_000, 10), []);
      assert.equal(await s.store.countDue(dueShard('p'), T + 1_000), 0);
      await s.store.endRound(second, T + 1_000);
      const third = await s.store.beginRound(lease('c', T + 51_000));
      assert.deepEqual((await s.store.queryDue(third, T + 51_000, 10)).map((d) => d.dueAt), [T + 50_000]);
    });

    test('shards in use are at least the configured ones', async () => {
      const s = await make(5);
      assert.deepEqual(await s.store.shardsInUse(), [0, 1, 2, 3, 4]);
    });
  });
}

test('after SHARD_COUNT is lowered, the shards in use still cover every shard a row may carry (DynamoDB)', async () => {
  const t = await createTestTables();
  opened.push(t);
  const clock = { now: () => T };
  const wide = await dynamoOn(t, 5, clock);
  await wide.markStale('m', { gitBranch: 'b', gitRemoteOrigin: 'https://github.com/o/r.git', now: T });
  const narrow = await dynamoOn(t, 2, clock);
  assert.deepEqual(await narrow.shardsInUse(), [0, 1, 2, 3, 4], 'fan-out groups are cut from these, so no shard is left unpolled');
});

const dueShard = (chatId: string) => Number(dueShardFor(chatId, SHARDS).slice('due#'.length));
