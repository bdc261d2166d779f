import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { formatSlot, onceSlot, parseSlot } from '../../src/store/due-slot.ts';
import { DynamoStore } from '../../src/store/dynamo-store.ts';
import { MemoryStore } from '../../bench/stores/memory-store.ts';
import { BUCKET_MS, duePartition, dueShardFor } from '../../src/store/shard.ts';
import type { DueCensus } from '../../src/store/due-census.ts';
import type { Lease, RowUpdate, Store } from '../../src/store/store.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { ManualClock } from '../support/fakes.ts';

/** One store under test: rows are inserted as another service would insert them. */
interface Subject {
  store: Store;
  clock: ManualClock;
  put(row: DiffStatusRow): Promise<void>;
  /** A second store on the same data with another SHARD_COUNT (a writer with a different count). */
  withShards(shardCount: number): Store;
}

const opened: TestTables[] = [];
after(() => Promise.all(opened.map((t) => t.close())));

async function dynamo(shardCount: number): Promise<Subject> {
  const t = await createTestTables();
  opened.push(t);
  const clock = new ManualClock();
  const make = (n: number) => new DynamoStore({ doc: t.doc, tableName: t.tableName, indexName: t.indexName, shardCount: n, clock });
  return {
    store: make(shardCount),
    clock,
    put: async (row) => void (await t.doc.send(new PutCommand({ TableName: t.tableName, Item: row }))),
    withShards: make,
  };
}

async function memory(shardCount: number): Promise<Subject> {
  const clock = new ManualClock();
  const store = new MemoryStore({ shardCount, clock });
  return {
    store,
    clock,
    put: async (row) => store.put(row),
    // The same table through another shard count, as two functions would see it.
    withShards: (n) => new MemoryStore({ shardCount: n, clock, table: store.table }),
  };
}

function row(chatId: string, dueSlot: string, shardCount = 1): DiffStatusRow {
  return {
    chatId,
    ownerId: 'alice',
    gitRemoteOrigin: 'https://git.test/o/r',
    gitBranch: `b-${chatId}`,
    dueShard: dueShardFor(chatId, shardCount),
    dueSlot,
  };
}

function lease(s: Subject, id: string, ttlMs = 60_000): Lease {
  return { id, takenAt: s.clock.now(), expiresAt: s.clock.now() + ttlMs };
}

/** One round that takes (reads) every due row and writes nothing; the due chat ids. */
async function due(s: Subject, id = 'tick'): Promise<string[]> {
  const round = await s.store.beginRound(lease(s, id));
  const rows = await s.store.queryDue(round, s.clock.now(), 1_000);
  for (const r of rows) await s.store.claim(round, r.chatId);
  await s.store.endRound(round, s.clock.now());
  return rows.map((r) => r.chatId).sort();
}

for (const [name, make] of [['DynamoStore on DynamoDB Local', dynamo], ['MemoryStore', memory]] as const) {
  describe(`store contract: ${name}`, () => {
    test('a one-off slot is due from its instant until a write-back moves it; a row without a slot is due at once', async () => {
      const s = await make(1);
      const now = s.clock.now();
      await s.put(row('past', onceSlot(now - 1)));
      await s.put(row('future', onceSlot(now + 5_000)));
      await s.put({ ...row('no-slot', ''), dueSlot: undefined });
      assert.deepEqual(await due(s), ['no-slot', 'past']);
      assert.deepEqual(await due(s), ['no-slot', 'past'], 'still due: nothing was written');
      s.clock.advance(5_000);
      assert.deepEqual(await due(s), ['future', 'no-slot', 'past']);
    });

    test('a periodic slot is due once per period: a round that served it moves the shard past it', async () => {
      const s = await make(1);
      const anchor = s.clock.now();
      await s.put(row('every', formatSlot({ periodMs: 120_000, anchor })));
      assert.deepEqual(await due(s), []);
      s.clock.advance(120_000);
      assert.deepEqual(await due(s), ['every']);
      s.clock.advance(10_000);
      assert.deepEqual(await due(s), [], 'served by the round before');
      s.clock.advance(110_000);
      assert.deepEqual(await due(s), ['every']);
    });

    test('a row on a whole-minute period sits in the bucket of its part of the minute and is found there; other periods and rows still in the base partition are found too', async () => {
      const s = await make(1);
      const now = s.clock.now();
      // Row "bucket" as a write-back places it; "legacy" as the single-partition design left it;
      // "odd" has a period that is not whole minutes (it never leaves the base partition).
      const bucketed = { periodMs: 120_000, anchor: now + 3 * BUCKET_MS };
      await s.put({ ...row('bucket', formatSlot(bucketed)), dueShard: duePartition('due#0', bucketed) });
      await s.put(row('legacy', formatSlot({ periodMs: 120_000, anchor: now + 4 * BUCKET_MS })));
      await s.put(row('odd', formatSlot({ periodMs: 45_000, anchor: now })));
      assert.match(duePartition('due#0', bucketed), /^due#0:[0-5]$/);
      assert.equal(duePartition('due#0', { periodMs: 45_000, anchor: now }), 'due#0');
      const seen: string[] = [];
      for (let t = 0; t < 150_000; t += BUCKET_MS) {
        for (const id of await due(s)) seen.push(`${id}@${t}`);
        s.clock.advance(BUCKET_MS);
      }
      assert.deepEqual(seen.sort(), ['odd@140000', 'odd@50000', 'odd@90000'], 'nothing early, nothing twice');
      assert.deepEqual(await due(s), ['bucket'], 'found in its bucket one period after its anchor');
      s.clock.advance(BUCKET_MS);
      assert.deepEqual(await due(s), ['legacy'], 'a periodic row left in the base partition is still served');
    });

    test('a write-back that keeps its period keeps the slot, and still writes the truthful next instant', async () => {
      const s = await make(1);
      const anchor = s.clock.now();
      const slot = { periodMs: 600_000, anchor };
      await s.put({ ...row('steady', formatSlot(slot)), dueShard: duePartition('due#0', slot), version: 3, lastErrorKind: 'no_token' });
      s.clock.advance(600_000);
      const l = lease(s, 'w');
      const round = await s.store.beginRound(l);
      assert.deepEqual((await s.store.queryDue(round, s.clock.now(), 10)).map((d) => d.chatId), ['steady']);
      const claimed = (await s.store.claim(round, 'steady'))!;
      const keep = { kind: 'every', periodMs: 600_000, from: s.clock.now() } as const;
      assert.ok(await s.store.writeBack(claimed, l, { set: { lastErrorKind: 'provider_error' }, remove: [], schedule: keep }));
      const written = (await s.store.getRow('steady'))!;
      assert.equal(written.staleAt, anchor + 1_200_000, 'the instant its slot next falls due');
      assert.equal(written.version, 4);
      assert.equal(written.lastErrorKind, 'provider_error');
      assert.equal(written.dueSlot, formatSlot(slot), 'the period kept its slot');
      await s.store.endRound(round, s.clock.now());
      s.clock.advance(600_000);
      assert.deepEqual(await due(s), ['steady'], 'due again one period later, written or not');
      assert.equal(parseSlot(written.dueSlot)?.periodMs, 600_000);
    });

    test('a periodic row found due but not taken (batch full) stays due after the round ends', async () => {
      const s = await make(1);
      const anchor = s.clock.now();
      await s.put(row('a', formatSlot({ periodMs: 60_000, anchor: anchor - 1 })));
      await s.put(row('b', formatSlot({ periodMs: 60_000, anchor })));
      s.clock.advance(60_000);
      const round = await s.store.beginRound(lease(s, 'r1'));
      const first = await s.store.queryDue(round, s.clock.now(), 1);
      assert.deepEqual(first.map((d) => d.chatId), ['a']);
      assert.ok(await s.store.claim(round, 'a'));
      await s.store.endRound(round, s.clock.now());
      s.clock.advance(10_000);
      assert.deepEqual(await due(s), ['b']);
    });

    test('a row a live delivery claim holds is left to it by rounds and by refresh-now; its occurrence is served once the claim lapses', async () => {
      const s = await make(1);
      const anchor = s.clock.now();
      const slot = formatSlot({ periodMs: 60_000, anchor });
      // As `claimForWebhook` leaves a row it refreshes in the webhook function.
      await s.put({ ...row('held', slot), leaseId: 'delivery', leaseExpiresAt: anchor + 80_000 });
      await s.put(row('free', slot));
      s.clock.advance(60_000);
      const l = lease(s, 'r1');
      const round = await s.store.beginRound(l);
      assert.deepEqual((await s.store.queryDue(round, s.clock.now(), 10)).map((d) => d.chatId).sort(), ['free', 'held']);
      assert.equal(await s.store.claim(round, 'held'), null, 'the delivery is refreshing it: the host is not asked twice');
      const free = (await s.store.claim(round, 'free'))!;
      assert.ok(free, 'the rows beside it are served');
      assert.ok(await s.store.writeBack(free, l, { set: { checkedAt: s.clock.now() }, remove: [], schedule: { kind: 'every', periodMs: 60_000, from: s.clock.now() } }));
      assert.equal(await s.store.claimNow('held', lease(s, 'refresh-now')), null, 'refresh-now leaves it to the delivery too');
      await s.store.endRound(round, s.clock.now());

      /** Which of the due rows a new round gets to refresh. */
      const claimable = async (id: string) => {
        const next = await s.store.beginRound(lease(s, id));
        const taken: string[] = [];
        for (const d of await s.store.queryDue(next, s.clock.now(), 10)) if (await s.store.claim(next, d.chatId)) taken.push(d.chatId);
        await s.store.endRound(next, s.clock.now());
        return taken;
      };
      s.clock.advance(10_000);
      assert.deepEqual(await claimable('r2'), [], 'still held; the served row is not taken again');
      // The delivery died without writing: its claim lapses and the occurrence it held is still due.
      s.clock.advance(10_000);
      assert.deepEqual(await claimable('r3'), ['held']);
      assert.ok(await s.store.claimNow('held', lease(s, 'refresh-now-2')), 'a lapsed claim holds nothing');
    });

    test('a shard leased by a live round is not handed to another until the lease lapses', async () => {
      const s = await make(2);
      const held = await s.store.beginRound(lease(s, 'holder', 30_000));
      assert.deepEqual(held.shards, [0, 1]);
      assert.deepEqual((await s.store.beginRound(lease(s, 'other'))).shards, []);
      const subset = await s.withShards(2).beginRound(lease(s, 'subset'), [1]);
      assert.deepEqual(subset.shards, [], 'a worker asking for one shard does not get a held one');
      s.clock.advance(30_000);
      assert.deepEqual((await s.store.beginRound(lease(s, 'next'), [1])).shards, [1], 'a dead holder loses its shards after one lease period');
    });

    test('a write-back is fenced on the version it read: only one of two lands, and a push beats both', async () => {
      const s = await make(1);
      await s.put(row('r', onceSlot(s.clock.now() - 1)));
      const l = lease(s, 'tick');
      const round = await s.store.beginRound(l);
      await s.store.queryDue(round, s.clock.now(), 10);
      const claimed = await s.store.claim(round, 'r');
      assert.ok(claimed);
      const now = await s.store.claimNow('r', lease(s, 'now'));
      assert.ok(now);
      const update: RowUpdate = { set: {}, remove: [], schedule: { kind: 'every', periodMs: 120_000, from: s.clock.now() } };
      assert.equal(await s.store.writeBack(claimed, l, { ...update, set: { pullRequestTitle: 'first' } }), true);
      assert.equal(await s.store.writeBack(now, l, { ...update, set: { pullRequestTitle: 'second' } }), false);
      const fresh = (await s.store.getRow('r'))!;
      assert.equal(fresh.pullRequestTitle, 'first');
      assert.equal(fresh.staleAt, s.clock.now() + 120_000);
      await s.store.markStale('r', { gitBranch: 'pushed', gitRemoteOrigin: 'https://git.test/o/r', now: s.clock.now() });
      assert.equal(await s.store.writeBack(fresh, l, { ...update, set: { pullRequestTitle: 'older' } }), false, 'the push wins');
      await s.store.endRound(round, s.clock.now());
      const pushed = (await s.store.getRow('r'))!;
      assert.equal(pushed.pullRequestTitle, 'first');
      assert.ok(pushed.staleAt! < s.clock.now(), 'due at once');
      assert.deepEqual(await due(s), ['r']);
    });

    test('a write-back is fenced on the origin, branch and archived flag it read: a row inserted again under the same id is left alone', async () => {
      const s = await make(1);
      const update: RowUpdate = { set: { pullRequestTitle: 'old' }, remove: [], schedule: { kind: 'every', periodMs: 120_000, from: s.clock.now() } };
      const cases: [string, Partial<DiffStatusRow>][] = [
        ['another branch', { gitBranch: 'another' }],
        ['another origin', { gitRemoteOrigin: 'https://git.test/o/other' }],
        ['archived now', { archived: true }],
        ['no origin now', { gitRemoteOrigin: undefined }],
      ];
      for (const [name, change] of cases) {
        const id = `again-${name.replaceAll(' ', '-')}`;
        await s.put(row(id, onceSlot(s.clock.now() - 1)));
        const l = lease(s, `tick-${id}`);
        const round = await s.store.beginRound(l);
        await s.store.queryDue(round, s.clock.now(), 10);
        const claimed = (await s.store.claim(round, id))!;
        await s.put({ ...row(id, onceSlot(s.clock.now() + 60_000)), ...change });
        assert.equal(await s.store.writeBack(claimed, l, update), false, name);
        assert.equal((await s.store.getRow(id))!.pullRequestTitle, undefined, name);
        await s.store.endRound(round, s.clock.now());
      }
      // The same origin and branch inserted again: the answer is about that branch, so it lands.
      await s.put(row('again-same', onceSlot(s.clock.now() - 1)));
      const l = lease(s, 'tick-same');
      const round = await s.store.beginRound(l);
      await s.store.queryDue(round, s.clock.now(), 10);
      const claimed = (await s.store.claim(round, 'again-same'))!;
      await s.put(row('again-same', onceSlot(s.clock.now() + 60_000)));
      assert.equal(await s.store.writeBack(claimed, l, update), true);
      await s.store.endRound(round, s.clock.now());
    });

    test('a write-back after its lease lapsed is refused', async () => {
      const s = await make(1);
      await s.put(row('r', onceSlot(s.clock.now() - 1)));
      const l = lease(s, 'slow', 5_000);
      const round = await s.store.beginRound(l);
      await s.store.queryDue(round, s.clock.now(), 10);
      const claimed = (await s.store.claim(round, 'r'))!;
      s.clock.advance(5_000);
      assert.equal(await s.store.writeBack(claimed, l, { set: { pullRequestTitle: 'late' }, remove: [] }), false);
      assert.equal((await s.store.getRow('r'))!.pullRequestTitle, undefined);
    });

    test('keeping the period keeps the slot; a new period moves it; leaving the index removes both keys', async () => {
      const s = await make(1);
      const anchor = s.clock.now() - 120_000;
      const slot = formatSlot({ periodMs: 120_000, anchor });
      await s.put(row('r', slot));
      const l = lease(s, 'tick');
      const round = await s.store.beginRound(l);
      await s.store.queryDue(round, s.clock.now(), 10);
      const claimed = (await s.store.claim(round, 'r'))!;
      const from = s.clock.now() + 1_000;
      assert.ok(await s.store.writeBack(claimed, l, { set: { refreshedAt: from }, remove: [], schedule: { kind: 'every', periodMs: 120_000, from } }));
      let stored = (await s.store.getRow('r'))!;
      assert.equal(stored.dueSlot, slot, 'same period: the index entry is untouched');
      assert.equal(stored.staleAt, anchor + 240_000);
      assert.ok(await s.store.writeBack(stored, l, { set: {}, remove: [], schedule: { kind: 'every', periodMs: 240_000, from } }));
      stored = (await s.store.getRow('r'))!;
      assert.equal(stored.dueSlot, formatSlot({ periodMs: 240_000, anchor: from }));
      assert.ok(await s.store.writeBack(stored, l, { set: {}, remove: ['dueShard', 'dueSlot'] }));
      await s.store.endRound(round, s.clock.now());
      stored = (await s.store.getRow('r'))!;
      assert.equal(stored.dueShard, undefined);
      assert.equal(stored.dueSlot, undefined);
      s.clock.advance(600_000);
      assert.deepEqual(await due(s), []);
    });

    test('after SHARD_COUNT is lowered, rows in the old shards are still polled and move at their next write-back', async () => {
      const s = await make(4);
      const ids = Array.from({ length: 12 }, (_, i) => `row-${i}`);
      // Written by a store with 4 shards (the high-water mark is now 4).
      for (const id of ids) await s.store.markStale(id, { gitBranch: 'b', gitRemoteOrigin: 'https://git.test/o/r', now: s.clock.now() });
      assert.ok(ids.some((id) => dueShardFor(id, 4) !== 'due#0'), 'some rows sit above shard 0');
      const lowered = s.withShards(1);
      const l = lease(s, 'lowered');
      const round = await lowered.beginRound(l);
      assert.deepEqual(round.shards, [0, 1, 2, 3], 'every shard a row can carry is polled');
      const found = await lowered.queryDue(round, s.clock.now(), 100);
      assert.deepEqual(found.map((d) => d.chatId).sort(), [...ids].sort());
      for (const id of ids) {
        const claimed = (await lowered.claim(round, id))!;
        assert.ok(await lowered.writeBack(claimed, l, { set: {}, remove: [], schedule: { kind: 'every', periodMs: 120_000, from: s.clock.now() } }));
      }
      await lowered.endRound(round, s.clock.now());
      for (const id of ids) {
        const row = (await lowered.getRow(id))!;
        // Shard 0, in the bucket of its period's part of the minute.
        assert.equal(row.dueShard, duePartition('due#0', parseSlot(row.dueSlot)), `${id} moved to its shard under the new count`);
        assert.match(row.dueShard ?? '', /^due#0:[0-5]$/);
      }
    });
  });
}

/** The fan-out's part of the contract: the lead's read-only census and a worker's shard group. */
for (const [name, make] of [['DynamoStore on DynamoDB Local', dynamo], ['MemoryStore', memory]] as const) {
  describe(`store contract, fan-out: ${name}`, () => {
    const census = (s: Subject) => s.store as Store & DueCensus;

    test('the census counts what a round would find, and writes nothing', async () => {
      const s = await make(3);
      const now = s.clock.now();
      for (let i = 0; i < 6; i++) await s.put(row(`c${i}`, onceSlot(now - 1_000 - i), 3));
      await s.put(row('later', onceSlot(now + 60_000), 3));
      const count = async () => {
        let n = 0;
        for (const shard of await census(s).shardsInUse()) n += await census(s).countDue(shard, s.clock.now());
        return n;
      };
      assert.equal(await count(), 6);
      assert.equal(await count(), 6, 'counting twice finds the same: no shard was marked served');
      assert.deepEqual(await due(s), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
    });

    test('a worker leases only its shard group; another group stays free for another worker', async () => {
      const s = await make(4);
      const a = await s.store.beginRound(lease(s, 'worker-a'), [0, 2]);
      const b = await s.store.beginRound(lease(s, 'worker-b'), [1, 3]);
      const late = await s.store.beginRound(lease(s, 'overlapping'), [0, 1, 2, 3]);
      assert.deepEqual([[...a.shards], [...b.shards], [...late.shards]], [[0, 2], [1, 3], []]);
    });

    test('the shards in use cover every shard a row may carry after SHARD_COUNT is lowered', async () => {
      const s = await make(5);
      await s.store.markStale('m', { gitBranch: 'b', gitRemoteOrigin: 'https://git.test/o/r', now: s.clock.now() });
      const narrow = s.withShards(2) as Store & DueCensus;
      assert.deepEqual(await narrow.shardsInUse(), [0, 1, 2, 3, 4], 'fan-out groups are cut from these');
    });
  });
}
