import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ConditionalCacheEntries, DiffStatusRow } from '../../src/domain/row.ts';
import type { HttpCacheStore } from '../../src/store/http-cache-store.ts';
import { RememberedCaches } from '../../src/refresh/remembered-caches.ts';
import { Harness, POLICY } from '../reliability/support/harness.ts';

/**
 * The HTTP cache table through the real tick on DynamoDB Local and the simulated GitHub: a
 * refresh that changes nothing writes the row and not the cache item, a change writes both,
 * a legacy row moves its cache to the table without losing a 304, and a cache table that
 * fails never fails a refresh or its write-back.
 */
let h: Harness;
// A harness per test: each test counts its own requests, writes and refreshes.
beforeEach(async () => {
  h = await Harness.create({ random: () => 0 });
  await h.linkToken('alice', 'test-token-alice');
});
afterEach(() => h.close());

/** The pipeline's own cache store, with its calls counted and, when asked, failing. */
function recorded(fail: { read?: boolean; write?: boolean } = {}) {
  const inner = h.system.tickDeps().httpCache;
  const calls = { reads: 0, readIds: [] as string[][], writes: [] as string[] };
  const store: HttpCacheStore = {
    read: async (chatIds) => {
      calls.reads += 1;
      calls.readIds.push([...chatIds]);
      if (fail.read) throw new Error('injected cache read failure');
      return inner.read(chatIds);
    },
    write: async (chatId, entries) => {
      calls.writes.push(chatId);
      if (fail.write) throw new Error('injected cache write failure');
      return inner.write(chatId, entries);
    },
  };
  return { store, calls };
}

function later(ms: number): void {
  h.clock.advance(ms);
  h.sim.world.advanceTo(h.clock.now());
}

/**
 * Rows of one repository, refreshed until settled: a pass that refreshes every row and changes
 * no cache item (the first finds each PR by its branch, the next asks the PR itself and drops
 * the branch search; on a slow machine a row may be released once and need another pass).
 */
async function settledRows(name: string, n: number): Promise<DiffStatusRow[]> {
  const repo = h.repo('acme', name);
  const rows = Array.from({ length: n }, (_, i) => h.newRow({ chatId: `${name}-${i}`, ownerId: 'alice', repo }));
  await h.putRows(rows);
  for (let pass = 0; pass < 6; pass++) {
    const { store, calls } = recorded();
    const summary = await h.tick({ batchSize: 50 }, { httpCache: store });
    later(POLICY.successTtlMs + 1);
    if (pass > 0 && summary.refreshed === n && calls.writes.length === 0) return rows;
  }
  throw new Error(`the rows of ${name} did not settle in 6 passes`);
}

async function item(chatId: string): Promise<Record<string, unknown> | undefined> {
  return (await h.tables.doc.send(new GetCommand({ TableName: h.tables.httpCacheTableName, Key: { chatId }, ConsistentRead: true }))).Item;
}

const notModified = () => h.sim.stats.snapshot().notModified;

test('an unchanged refresh (all 304s) writes the row and not the cache item; a changed one writes both', async () => {
  const rows = await settledRows('unchanged', 3);
  const cached = await Promise.all(rows.map((r) => item(r.chatId)));
  for (const c of cached) assert.ok(c && Object.keys(c['entries'] as object).length > 0, 'the first refreshes stored the entries in the table');
  for (const row of rows) assert.equal((await h.row(row.chatId))!.httpCache, undefined, 'and not on the row');

  const before304 = notModified();
  const { store, calls } = recorded();
  const tickAt = h.clock.now();
  // A container that has not seen these rows yet (nothing remembered).
  const summary = await h.tick({ batchSize: 50 }, { httpCache: store, rememberedCaches: new RememberedCaches() });
  assert.equal(summary.refreshed, 3);
  assert.equal(calls.reads, 1, "one read for the batch's caches");
  assert.deepEqual(calls.writes, [], 'all 304s: no cache write');
  assert.ok(notModified() - before304 >= 3 * 3, 'each row answered from its cached validators (pull, reviews, checks)');
  for (const [i, row] of rows.entries()) {
    const stored = (await h.row(row.chatId))!;
    assert.ok(stored.checkedAt! >= tickAt, 'the row is written back');
    assert.deepEqual(await item(row.chatId), cached[i], 'the cache item is untouched');
  }

  // The PR of one row changes on the host: its answer is a 200 with a new ETag.
  later(POLICY.successTtlMs + 1);
  const pr = h.sim.world.openPullsFor(h.repo('acme', 'unchanged'), rows[0]!.gitBranch!)[0]!;
  h.sim.world.retitle(pr, 'A new title', h.clock.now());
  const changed = recorded();
  await h.tick({ batchSize: 50 }, { httpCache: changed.store });
  assert.deepEqual(changed.calls.writes, [rows[0]!.chatId], 'only the changed row writes its cache');
  assert.equal((await h.row(rows[0]!.chatId))!.pullRequestTitle, 'A new title');
  const after = await item(rows[0]!.chatId);
  assert.notDeepEqual(after?.['entries'], cached[0]?.['entries'], 'the new ETag is stored');
  assert.ok(typeof after?.['expiresAt'] === 'number' && after['expiresAt'] > h.clock.now() / 1000, 'with its expiry (TTL, epoch seconds)');
  assert.deepEqual((await h.check()).violations, []);
});

test('a legacy row: its httpCache attribute is read, removed at the next write-back, and its entries move to the table; 304s work across the move', async () => {
  const rows = await settledRows('legacy', 2);
  // As an older gitsync left them: the entries on the row, no cache item.
  const entries: ConditionalCacheEntries[] = [];
  for (const row of rows) {
    const e = (await item(row.chatId))!['entries'] as ConditionalCacheEntries;
    entries.push(e);
    await h.tables.doc.send(new DeleteCommand({ TableName: h.tables.httpCacheTableName, Key: { chatId: row.chatId } }));
    // Its write-back bumped the version, as every write-back does.
    await h.tables.doc.send(
      new UpdateCommand({
        TableName: h.tables.tableName,
        Key: { chatId: row.chatId },
        UpdateExpression: 'SET httpCache = :c, version = version + :one',
        ExpressionAttributeValues: { ':c': e, ':one': 1 },
      }),
    );
  }
  const counted = h.sim.stats.snapshot().counted;
  const before304 = notModified();
  const summary = await h.tick({ batchSize: 50 });
  assert.equal(summary.refreshed, 2);
  assert.equal(h.sim.stats.snapshot().counted, counted, 'no request made in full: the legacy validators were sent');
  assert.ok(notModified() - before304 >= 2 * 3);
  for (const [i, row] of rows.entries()) {
    assert.equal((await h.row(row.chatId))!.httpCache, undefined, 'the attribute is removed');
    assert.deepEqual((await item(row.chatId))?.['entries'], entries[i], 'the entries are in the table');
  }
  // And the next refresh is answered from the table.
  later(POLICY.successTtlMs + 1);
  const again304 = notModified();
  const { store, calls } = recorded();
  await h.tick({ batchSize: 50 }, { httpCache: store });
  assert.equal(h.sim.stats.snapshot().counted, counted);
  assert.ok(notModified() - again304 >= 2 * 3);
  assert.deepEqual(calls.writes, []);
  assert.deepEqual((await h.check()).violations, []);
});

test('a failed cache read refreshes without validators and still writes the row (and then the cache)', async () => {
  const rows = await settledRows('read-fails', 2);
  const counted = h.sim.stats.snapshot().counted;
  const { store, calls } = recorded({ read: true });
  const tickAt = h.clock.now();
  const summary = await h.tick({ batchSize: 50 }, { httpCache: store, rememberedCaches: new RememberedCaches() });
  assert.equal(summary.refreshed, 2);
  assert.equal(summary.httpCacheReadFailures, 1);
  assert.equal(summary.writeFailures, 0);
  assert.ok(h.sim.stats.snapshot().counted > counted, 'the requests were made in full');
  for (const row of rows) assert.ok((await h.row(row.chatId))!.checkedAt! >= tickAt, 'the row is written back');
  assert.deepEqual(calls.writes.sort(), rows.map((r) => r.chatId).sort(), 'what was read is unknown: the answers are stored');
  assert.deepEqual((await h.check()).violations, []);
});

test('a failed cache write still refreshes and writes the row; the next refresh goes unconditional where it must', async () => {
  const rows = await settledRows('write-fails', 2);
  const pr = h.sim.world.openPullsFor(h.repo('acme', 'write-fails'), rows[0]!.gitBranch!)[0]!;
  h.sim.world.retitle(pr, 'Changed while the cache table fails', h.clock.now());
  const before = await item(rows[0]!.chatId);
  const { store, calls } = recorded({ write: true });
  const summary = await h.tick({ batchSize: 50 }, { httpCache: store });
  assert.equal(summary.refreshed, 2);
  assert.equal(summary.httpCacheWriteFailures, 1);
  assert.equal(summary.writeFailures, 0);
  assert.deepEqual(calls.writes, [rows[0]!.chatId]);
  assert.equal((await h.row(rows[0]!.chatId))!.pullRequestTitle, 'Changed while the cache table fails', 'the row shows the change');
  assert.deepEqual(await item(rows[0]!.chatId), before, 'the old item stays');
  // The old item's pull ETag no longer matches: the host answers in full, and the row stays right.
  later(POLICY.successTtlMs + 1);
  await h.tick({ batchSize: 50 });
  assert.equal((await h.row(rows[0]!.chatId))!.pullRequestTitle, 'Changed while the cache table fails');
  assert.notDeepEqual((await item(rows[0]!.chatId))?.['entries'], before?.['entries'], 'the cache is written again');
  assert.deepEqual((await h.check()).violations, []);
});

test('a container remembers the items it read and wrote: its next ticks read none, until another writer changes the row', async () => {
  const rows = await settledRows('remembered', 3);
  const counted = h.sim.stats.snapshot().counted;
  const before304 = notModified();
  const { store, calls } = recorded();
  const summary = await h.tick({ batchSize: 50 }, { httpCache: store });
  assert.equal(summary.refreshed, 3);
  assert.equal(calls.reads, 0, 'the items this container wrote or read at the rows\' versions are not read again');
  assert.equal(h.sim.stats.snapshot().counted, counted, 'and their validators were sent: nothing asked in full');
  assert.ok(notModified() - before304 >= 3 * 3);

  // Another writer moved one row on (its version) and left it without an item.
  const other = rows[0]!.chatId;
  await h.tables.doc.send(new DeleteCommand({ TableName: h.tables.httpCacheTableName, Key: { chatId: other } }));
  await h.tables.doc.send(
    new UpdateCommand({ TableName: h.tables.tableName, Key: { chatId: other }, UpdateExpression: 'SET version = version + :one', ExpressionAttributeValues: { ':one': 1 } }),
  );
  later(POLICY.successTtlMs + 1);
  const again = recorded();
  const countedBefore = h.sim.stats.snapshot().counted;
  await h.tick({ batchSize: 50 }, { httpCache: again.store });
  assert.deepEqual(again.calls.readIds, [[other]], "only the changed row's item is read from the table");
  assert.ok(h.sim.stats.snapshot().counted > countedBefore, 'it has none: its requests were made in full');
  assert.deepEqual(again.calls.writes, [other], 'and its new item is written');
  assert.deepEqual((await h.check()).violations, []);
});
