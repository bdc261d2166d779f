import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { SHARD_HIGH_WATER_KEY } from '../../src/store/bookkeeping.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { pipeline, type Pipeline } from '../support/pipeline.ts';

/**
 * Issue 19, rows stuck for good: bookkeeping items damaged or gone and rows written by
 * outside services that follow the table contract only roughly, through the real tick on
 * DynamoDB Local. Each row must be refreshed within the bound the README states.
 */
const opened: TestTables[] = [];
after(() => Promise.all(opened.map((tables) => tables.close())));

async function tables(): Promise<TestTables> {
  const t = await createTestTables();
  opened.push(t);
  return t;
}

function withToken(p: Pipeline): Pipeline {
  p.tokens.tokens.set('alice', 'tok');
  return p;
}

/** Rows an outside service inserts, due now, under `shardCount` shards. */
async function insert(p: Pipeline, prefix: string, n: number, shardCount: number, extra: Partial<DiffStatusRow> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const chatId = `${prefix}-${i}`;
    await p.put({ chatId, gitBranch: `branch-${i + 1}`, dueShard: dueShardFor(chatId, shardCount), ...extra });
    ids.push(chatId);
  }
  return ids;
}

/** Ticks every 10 s (the loop's rhythm) for `ms`; returns the rows never refreshed. */
async function tickFor(p: Pipeline, ids: readonly string[], ms: number): Promise<string[]> {
  const since = p.clock.now();
  let stale = [...ids];
  for (let t = 0; t <= ms && stale.length > 0; t += 10_000) {
    await p.tick();
    p.clock.advance(10_000);
    // Checked once a minute: the ticks are what the test is about.
    if (t % 60_000 === 0 || t + 10_000 > ms) stale = await notRefreshedSince(p, stale, since);
  }
  return stale;
}

async function notRefreshedSince(p: Pipeline, ids: readonly string[], since: number): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) if (!((await p.get(id)).refreshedAt! >= since)) out.push(id);
  return out;
}

/** How long a row under a shard beyond the mark may wait: one sweep of the due index (README). */
const SWEEP_MS = 10 * 60_000;

test('case 4: the shard mark deleted after SHARD_COUNT was lowered: every row of the old shards is still polled', async () => {
  const t = await tables();
  const wide = withToken(pipeline(t, { shardCount: 4 }));
  await wide.tick(); // raises the mark to 4
  const narrow = withToken(pipeline(t, { shardCount: 1 }));
  narrow.clock.current = wide.clock.now();
  const ids = await insert(narrow, 'deleted', 20, 4);
  await t.doc.send(new DeleteCommand({ TableName: t.tableName, Key: { chatId: SHARD_HIGH_WATER_KEY } }));
  assert.deepEqual(await tickFor(narrow, ids, SWEEP_MS), []);
});

test('case 4: an outside writer with its own larger SHARD_COUNT: its rows are polled', async () => {
  const t = await tables();
  const p = withToken(pipeline(t, { shardCount: 2 }));
  await p.tick();
  const ids = await insert(p, 'outside', 20, 8);
  assert.deepEqual(await tickFor(p, ids, SWEEP_MS), []);
});

test('case 4: the mark lowered by hand, or holding garbage ("four"): polling goes on, the mark is repaired with a log', async () => {
  const t = await tables();
  const wide = withToken(pipeline(t, { shardCount: 4 }));
  await wide.tick();
  const p = withToken(pipeline(t, { shardCount: 2 }));
  p.clock.current = wide.clock.now();
  const lowered = await insert(p, 'lowered', 20, 4);
  await t.doc.send(new PutCommand({ TableName: t.tableName, Item: { chatId: SHARD_HIGH_WATER_KEY, shardCount: 1 } }));
  assert.deepEqual(await tickFor(p, lowered, SWEEP_MS), []);

  const garbage = await insert(p, 'garbage', 20, 4);
  await t.doc.send(
    new UpdateCommand({ TableName: t.tableName, Key: { chatId: SHARD_HIGH_WATER_KEY }, UpdateExpression: 'SET shardCount = :n', ExpressionAttributeValues: { ':n': 'four' } }),
  );
  assert.deepEqual(await tickFor(p, garbage, SWEEP_MS), []);
  assert.ok(p.log.lines.some((l) => l.level === 'warn' && /shard mark/.test(l.message)), 'the unusable mark is logged');
  const mark = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { chatId: SHARD_HIGH_WATER_KEY } }));
  assert.equal(mark.Item?.['shardCount'], 4, 'the mark is rewritten to cover every shard in use');
});

test('case 5: a version stored as a string: the row is written (the version replaced by a number, logged), not refreshed on every tick, and a push heals it', async () => {
  const t = await tables();
  const p = withToken(pipeline(t));
  const [chatId] = await insert(p, 'string-version', 1, 1, { version: '3' as unknown as number });
  await p.tick();
  const written = await p.get(chatId!);
  assert.equal(written.prNumber, 1, 'the refresh is written');
  assert.equal(typeof written.version, 'number');
  assert.ok(p.log.lines.some((l) => /version/.test(l.message)), 'the replaced version is logged');
  const calls = p.provider.calls;
  for (let i = 0; i < 6; i++) {
    p.clock.advance(10_000);
    await p.tick();
  }
  assert.equal(p.provider.calls, calls, 'not refreshed again before its period');

  // A push to a row whose version an outside writer made a string again.
  await t.doc.send(new UpdateCommand({ TableName: t.tableName, Key: { chatId }, UpdateExpression: 'SET version = :v', ExpressionAttributeValues: { ':v': 'x' } }));
  await p.system.markStale({ chatIds: [chatId!], branch: 'branch-2', origin: 'https://git.test/o/r' });
  await p.tick();
  const pushed = await p.get(chatId!);
  assert.equal(pushed.prNumber, 2, 'the push is refreshed at the next tick');
  assert.equal(typeof pushed.version, 'number');
});

test('case 7: slightly wrong outside writers (a dueSlot anchor in microseconds, a periodic slot in a bucket it does not fall in, updatedAt as an ISO string): each row is refreshed and its value replaced, with the reason logged', async () => {
  const p = withToken(pipeline(await tables()));
  const now = p.clock.now();
  const [micro] = await insert(p, 'micro-anchor', 1, 1, { dueSlot: `0/${(now - 1_000) * 1_000}` });
  // Due every 2 minutes from an anchor in bucket 2, but written to bucket 4: read only when it is not due.
  const anchor = Math.floor(now / 60_000) * 60_000 - 120_000 + 20_000;
  const [bucket] = await insert(p, 'wrong-bucket', 1, 1, { dueSlot: `120000/${anchor}`, dueShard: 'due#0:4' });
  const [iso] = await insert(p, 'iso-updated', 1, 1, { updatedAt: new Date(now - 3_600_000).toISOString() as unknown as number });
  const ids = [micro!, bucket!, iso!];
  assert.deepEqual(await tickFor(p, ids, 60_000), [], 'every row refreshed within a minute');
  for (const id of ids) {
    const row = await p.get(id);
    assert.equal(row.lastErrorKind, undefined, `${id}: ${row.lastErrorMessage}`);
    assert.equal(typeof row.updatedAt, 'number', id);
    assert.ok(Number(row.dueSlot!.split('/')[1]) < p.clock.now() + 3_600_000, `${id}: a usable slot (${row.dueSlot})`);
  }
  assert.ok(p.log.lines.some((l) => l.level === 'warn' && JSON.stringify(l.extra).includes(micro!)), 'the microsecond anchor is logged');
  assert.ok(p.log.lines.some((l) => l.level === 'warn' && JSON.stringify(l.extra).includes(bucket!)), 'the misplaced slot is logged');
  assert.ok(p.log.lines.some((l) => l.level === 'warn' && JSON.stringify(l.extra).includes(iso!)), 'the ISO updatedAt is logged');
});

/** DynamoDB's item size, over-estimating numbers (21 bytes each). */
function itemBytes(row: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(row)) bytes += name.length + (typeof value === 'string' ? Buffer.byteLength(value) : typeof value === 'number' ? 21 : 1);
  return bytes;
}

test('case 6: a row within 100 bytes of the 400 KB item limit gets a minimal write that fits: it backs off, no write failure, the host is not asked on every tick', async () => {
  const t = await tables();
  const p = withToken(pipeline(t));
  const [chatId] = await insert(p, 'nearly-full', 1, 1);
  const row = await p.get(chatId!);
  // Another service filled the row: too full for a refresh and for the small error write.
  await t.doc.send(
    new UpdateCommand({
      TableName: t.tableName,
      Key: { chatId },
      UpdateExpression: 'SET notes = :n',
      ExpressionAttributeValues: { ':n': 'n'.repeat(409_600 - itemBytes(row as unknown as Record<string, unknown>) - 'notes'.length - 100) },
    }),
  );
  const summary = await p.tick();
  assert.equal(summary.writeFailures, 0, JSON.stringify(summary));
  const written = await p.get(chatId!);
  assert.equal(written.errorCount, 1);
  assert.ok(written.staleAt! - p.clock.now() >= 120_000, 'backs off');
  assert.ok(p.log.lines.some((l) => /too large/.test(l.message) && /minimal/.test(l.message)), 'logged');
  const calls = p.provider.calls;
  for (let i = 0; i < 6; i++) {
    p.clock.advance(10_000);
    await p.tick();
  }
  assert.equal(p.provider.calls, calls, 'the host is not asked again before the backoff');
});

test('case 12: containers whose clocks disagree by up to 70 s: each row is refreshed at most once per occurrence of its period (the waste is bounded)', async (ctx) => {
  const t = await tables();
  const skews = [-70_000, 0, 70_000];
  const containers = skews.map(() => withToken(pipeline(t, { shardCount: 2 })));
  const base = containers[1]!.clock.now();
  const ids = await insert(containers[1]!, 'skew', 6, 2);
  const minutes = 20;
  let refreshed = 0;
  for (let step = 0; step < (minutes * 60_000) / 10_000; step++) {
    // The loop's tick of this slot runs in one container or another.
    const c = (step * 7 + Math.floor(step / 3)) % containers.length;
    for (const [i, p] of containers.entries()) p.clock.current = base + step * 10_000 + skews[i]!;
    refreshed += (await containers[c]!.tick()).refreshed;
  }
  // The first refresh, then one per 2-minute period (a quiet PR stays at the fast end for an hour).
  const due = ids.length * (1 + minutes / 2);
  ctx.diagnostic(`${refreshed} refreshes where ${due} were due`);
  assert.ok(refreshed <= due + ids.length, `${refreshed} refreshes where ${due} were due`);
  for (const id of ids) assert.ok((await containers[1]!.get(id)).refreshedAt! >= base + (minutes - 3) * 60_000, `${id} kept fresh`);
});
