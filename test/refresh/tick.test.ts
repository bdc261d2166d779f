import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ProviderError, RateLimitedError } from '../../src/domain/errors.ts';
import { PULL_REQUEST_FIELDS } from '../../src/domain/row.ts';
import { Refresher } from '../../src/refresh/refresher.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { deferred, FakeRegistry, statusFor } from '../support/fakes.ts';
import { failingStore, pipeline } from '../support/pipeline.ts';

const opened: TestTables[] = [];
after(() => Promise.all(opened.map((tables) => tables.close())));

/** Each test gets its own tables: a tick would otherwise pick up other tests' due rows. */
async function fresh(options?: Parameters<typeof pipeline>[1]) {
  const tables = await createTestTables();
  opened.push(tables);
  return pipeline(tables, options);
}

let n = 0; // readable, unique chat ids
/** Unique chat ids per test: all tests share one table. */
const id = (name: string) => `${name}-${++n}`;

test('success stores every PR field, refreshedAt/updatedAt = now, due again in 120 s, then publishes', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const chat = id('ok');
  await p.put({ chatId: chat, gitBranch: 'feature-7' });
  const summary = await p.tick();
  assert.equal(summary.refreshed, 1);
  const row = await p.get(chat);
  const want = statusFor({ repo: { host: 'git.test', path: 'o/r' }, number: 7 });
  for (const field of PULL_REQUEST_FIELDS) assert.deepEqual(row[field], want[field], field);
  assert.equal(row.refreshedAt, p.clock.now());
  assert.equal(row.updatedAt, p.clock.now());
  assert.equal(row.staleAt, p.clock.now() + 120_000);
  assert.equal(row.leaseId, undefined);
  assert.equal(row.leaseExpiresAt, undefined);
  assert.deepEqual(
    p.publisher.changes.map((c) => [c.chatId, c.reason]),
    [[chat, 'refreshed']],
  );
});

test('a list longer than the page cap is logged with its row and counted in the summary (TruncatedLists)', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const chat = id('capped');
  await p.put({ chatId: chat, gitBranch: 'feature-8' });
  p.provider.branches.set('feature-8', { before: async (ctx) => ctx.truncated({ what: 'GitHub reviews', pages: 10 }) });
  const summary = await p.tick();
  assert.deepEqual([summary.refreshed, summary.truncatedLists], [1, 2], 'resolve and fetch each reported it once');
  const warnings = p.log.lines.filter((l) => l.level === 'warn' && /page cap/.test(l.message));
  assert.equal(warnings.length, 2);
  assert.deepEqual({ ...warnings[0]!.extra[0] }, { chatId: chat, url: 'https://git.test/o/r/pull/8', what: 'GitHub reviews', pages: 10 });
});

test('no token: waits for the token at a 6-hour safety cadence, updatedAt untouched, last error kept', async () => {
  const p = await fresh();
  const chat = id('notoken');
  const before = await p.put({ chatId: chat, ownerId: 'nobody' });
  const summary = await p.tick();
  assert.equal(summary.noToken, 1);
  const row = await p.get(chat);
  assert.equal(row.staleAt, p.clock.now() + 6 * 3_600_000);
  assert.equal(row.awaitingToken, 'nobody');
  assert.equal(row.updatedAt, before.updatedAt);
  assert.equal(row.lastErrorKind, 'no_token');
  assert.equal(p.publisher.changes.length, 0);
});

test('no PR yet: 15 s inside the 2-minute push window, 5 minutes from its exact end on', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const now = p.clock.now();
  const cases: [string, number, number][] = [
    ['pushed just now', now, 15_000],
    ['pushed 119.999 s ago', now - 119_999, 15_000],
    ['pushed exactly 2 min ago', now - 120_000, 300_000],
    ['pushed an hour ago', now - 3_600_000, 300_000],
  ];
  const chats = [];
  for (const [name, updatedAt] of cases) {
    const chat = id('nopr');
    p.provider.branches.set(`np-${chat}`, { pr: null });
    await p.put({ chatId: chat, gitBranch: `np-${chat}`, updatedAt });
    chats.push([chat, name] as const);
  }
  const summary = await p.tick();
  assert.equal(summary.noPr, 4);
  for (const [i, [chat, name]] of chats.entries()) {
    const row = await p.get(chat);
    assert.equal(row.staleAt, now + cases[i]![2], name);
    assert.equal(row.updatedAt, cases[i]![1], `${name}: updatedAt untouched`);
  }
});

test('rate limited: the failing row and the rows skipped because of it wait for the reset (at least 120 s)', async () => {
  const p = await fresh({ concurrency: 1 });
  p.tokens.tokens.set('alice', 'tok-a');
  p.tokens.tokens.set('bob', 'tok-b');
  const now = p.clock.now();
  const resetAt = now + 1_200_000;
  p.provider.branches.set('rl', { error: () => new RateLimitedError(resetAt) });
  const hit = id('rl');
  const skipped = id('rl-skipped');
  const other = id('rl-other');
  await p.put({ chatId: hit, gitBranch: 'rl', staleAt: now - 3_000 });
  await p.put({ chatId: skipped, staleAt: now - 2_000 });
  await p.put({ chatId: other, ownerId: 'bob', staleAt: now - 1_000 });
  const summary = await p.tick();
  assert.deepEqual([summary.rateLimited, summary.refreshed], [2, 1]);
  assert.equal((await p.get(hit)).staleAt, resetAt);
  assert.equal((await p.get(skipped)).staleAt, resetAt);
  assert.equal((await p.get(skipped)).lastErrorKind, 'skipped_rate_limit');
  assert.equal((await p.get(other)).refreshedAt, now);

  p.provider.branches.set('rl-soon', { error: () => new RateLimitedError(now + 10_000) });
  p.tokens.limitedUntil.clear();
  const soon = id('rl-soon');
  await p.put({ chatId: soon, gitBranch: 'rl-soon' });
  await p.tick();
  assert.equal((await p.get(soon)).staleAt, now + 120_000);
});

test('a row failing five times in a row backs off further each time and shows its last error', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  p.provider.branches.set('flaky', { error: () => new ProviderError('upstream answered 502', 502) });
  const chat = id('flaky');
  const original = await p.put({ chatId: chat, gitBranch: 'flaky' });
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    const summary = await p.tick();
    assert.equal(summary.errors, 1, `tick ${i}`);
    const row = await p.get(chat);
    delays.push(row.staleAt! - p.clock.now());
    assert.equal(row.errorCount, i + 1);
    assert.equal(row.lastErrorKind, 'provider_error');
    assert.equal(row.lastErrorMessage, 'upstream answered 502');
    assert.equal(row.updatedAt, original.updatedAt);
    p.clock.current = row.staleAt!;
  }
  assert.deepEqual(delays, [120_000, 240_000, 480_000, 960_000, 1_800_000]);

  p.provider.branches.delete('flaky');
  await p.tick();
  const healed = await p.get(chat);
  assert.equal(healed.errorCount, undefined);
  assert.equal(healed.lastErrorKind, undefined);
  assert.equal(healed.refreshedAt, p.clock.now());
});

test('two ticks at once on the same table never refresh a row twice', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const chats = Array.from({ length: 60 }, () => id('race'));
  const fetched = new Map<string, number>();
  for (const chat of chats) {
    await p.put({ chatId: chat, gitBranch: `race-${chat}` });
    p.provider.branches.set(`race-${chat}`, {
      before: async () => {
        fetched.set(chat, (fetched.get(chat) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 2));
      },
    });
  }
  // A second worker with its own refresher (another Lambda container), same provider.
  const other = new Refresher({ registry: new FakeRegistry(p.provider), tokens: p.tokens, clock: p.clock, concurrency: 10, perTokenConcurrency: 4 });
  const [a, b] = await Promise.all([p.tick({ batchSize: 40 }), p.tick({ batchSize: 40 }, { refresher: other })]);
  assert.equal(a.refreshed + b.refreshed, 60);
  assert.equal(a.claimed + b.claimed, 60);
  // Each refresh makes two calls (resolve + fetch), both counted by `before`.
  for (const chat of chats) assert.equal(fetched.get(chat), 2, chat);
});

test('a slow tick whose lease was taken over cannot overwrite the newer result', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const chat = id('slow');
  await p.put({ chatId: chat, gitBranch: 'slow-1' });
  const gate = deferred();
  const entered = deferred();
  p.provider.branches.set('slow-1', {
    pr: 1,
    title: 'old answer',
    before: async () => {
      entered.resolve();
      await gate.promise;
    },
  });
  const slow = p.tick();
  await entered.promise;

  // The claim lapses (5 min) and another worker refreshes the row with a newer answer.
  p.clock.advance(300_001);
  p.provider.branches.set('slow-1', { pr: 1, title: 'new answer' });
  const fast = await p.tick();
  assert.equal(fast.refreshed, 1);
  const newer = await p.get(chat);

  p.provider.branches.set('slow-1', { pr: 1, title: 'old answer' });
  gate.resolve();
  const late = await slow;
  assert.equal(late.writeConflicts, 1);
  assert.equal(late.refreshed, 0);
  const final = await p.get(chat);
  assert.equal(final.pullRequestTitle, 'new answer');
  assert.equal(final.refreshedAt, newer.refreshedAt);
  assert.equal(p.publisher.changes.filter((c) => c.chatId === chat).length, 1, 'only the winning write publishes');
});

test('a tick whose budget runs out releases its unfinished rows, and the next tick refreshes them', async () => {
  const p = await fresh({ concurrency: 2 });
  p.tokens.tokens.set('alice', 'tok');
  const hanging = (ctx: { signal: AbortSignal }) =>
    new Promise<void>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
  const chats = Array.from({ length: 4 }, () => id('budget'));
  for (const chat of chats) {
    await p.put({ chatId: chat, gitBranch: `hang-${chat}` });
    p.provider.branches.set(`hang-${chat}`, { before: hanging });
  }
  const summary = await p.tick({ tickBudgetMs: 150 });
  assert.equal(summary.released, 4);
  for (const chat of chats) {
    const row = await p.get(chat);
    assert.equal(row.staleAt, p.clock.now(), 'due again at once, not in 5 minutes');
    assert.equal(row.leaseId, undefined);
  }
  for (const chat of chats) p.provider.branches.delete(`hang-${chat}`);
  const next = await p.tick();
  assert.equal(next.refreshed, 4);
});

test('the Lambda\'s remaining time bounds the tick too', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const chat = id('remaining');
  await p.put({ chatId: chat });
  const summary = await p.tick({ remainingMs: () => 4_000 });
  assert.equal(summary.claimed, 0, 'less time left than the safety margin: nothing is claimed');
  assert.equal((await p.get(chat)).leaseId, undefined);
});

test('a full batch drains the backlog within the same invocation', async () => {
  const p = await fresh({ shardCount: 3 });
  p.tokens.tokens.set('alice', 'tok');
  const chats = Array.from({ length: 23 }, () => id('drain'));
  for (const [i, chat] of chats.entries()) await p.put({ chatId: chat, staleAt: p.clock.now() - 10_000 + i });
  const summary = await p.tick({ batchSize: 10 });
  assert.equal(summary.refreshed, 23);
  assert.equal(summary.batches, 3);
  assert.equal(summary.backlog, false);
  assert.equal(summary.oldestLatenessMs, 10_000);
});

test('backlog is reported when due rows remain at the deadline', async () => {
  const p = await fresh({ concurrency: 1 });
  p.tokens.tokens.set('alice', 'tok');
  for (let i = 0; i < 6; i++) {
    const chat = id('backlog');
    await p.put({ chatId: chat, gitBranch: `slowish-${chat}` });
    p.provider.branches.set(`slowish-${chat}`, { before: () => new Promise((r) => setTimeout(r, 60)) });
  }
  const summary = await p.tick({ batchSize: 2, tickBudgetMs: 100 });
  assert.ok(summary.refreshed + summary.released >= 2);
  assert.equal(summary.backlog, true);
});

test('archived rows and rows without origin or branch leave the due index instead of blocking it', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const archived = id('archived');
  const noBranch = id('nobranch');
  await p.put({ chatId: archived, archived: true, pullRequestTitle: 'kept' });
  await p.put({ chatId: noBranch, gitBranch: '' });
  const summary = await p.tick();
  assert.equal(summary.unpollable, 2);
  assert.equal(p.provider.calls, 0);
  for (const chat of [archived, noBranch]) assert.equal((await p.get(chat)).dueShard, undefined);
  assert.equal((await p.get(archived)).pullRequestTitle, 'kept');
  assert.equal((await p.tick()).claimed, 0);
});

test('a failed write-back does not publish and the tick goes on with the next row', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const broken = id('wfail');
  const fine = id('wfine');
  await p.put({ chatId: broken });
  await p.put({ chatId: fine });
  const store = failingStore(p.store, { writeBack: (chat) => chat === broken });
  const summary = await p.tick({}, { store });
  assert.equal(summary.writeFailures, 1);
  assert.equal(summary.refreshed, 1);
  assert.deepEqual(p.publisher.changes.map((c) => c.chatId), [fine]);
  assert.ok(p.log.lines.some((l) => l.level === 'error' && /write-back failed/.test(l.message)));
  // Nothing was written for the broken row: it keeps its due slot, and the next tick takes it.
  p.clock.advance(10_000);
  const next = await p.tick();
  assert.equal(next.refreshed, 1);
  assert.equal((await p.get(broken)).refreshedAt, p.clock.now());
});

test('a store error ends the tick quietly', async () => {
  const p = await fresh();
  const store = failingStore(p.store, { queryDue: () => true });
  const summary = await p.tick({}, { store });
  assert.equal(summary.claimed, 0);
  assert.ok(p.log.lines.some((l) => l.level === 'error' && /store failed/.test(l.message)));
});

test('a shard leased by a live tick is not polled again, and the empty round does not spin the loop', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const chat = id('leased');
  await p.put({ chatId: chat });
  const now = p.clock.now();
  const other = await p.store.beginRound({ id: 'someone-else', takenAt: now, expiresAt: now + 60_000 });
  assert.deepEqual(other.shards, [0]);
  const summary = await p.tick();
  assert.deepEqual([summary.claimed, summary.lostClaims, summary.backlog], [0, 0, false]);
  assert.equal((await p.get(chat)).refreshedAt, undefined);
  // A holder that dies loses the shard for one lease period only.
  p.clock.advance(60_000);
  assert.equal((await p.tick()).refreshed, 1);
});

test('a refresh-now whose caller died holds nothing: its row and the rows behind it are refreshed by the next tick', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const rows = [id('held'), id('behind'), id('behind')];
  for (const [i, chatId] of rows.entries()) await p.put({ chatId, staleAt: p.clock.now() - 10_000 + i });
  // refresh-now read the oldest row and its process died before writing.
  assert.ok(await p.store.claimNow(rows[0]!, { id: 'dead', takenAt: p.clock.now(), expiresAt: p.clock.now() + 300_000 }));
  // Batches of one: the tick drains all three, the held row first.
  const summary = await p.tick({ batchSize: 1 });
  assert.deepEqual([summary.refreshed, summary.batches, summary.backlog], [3, 4, false]);
  for (const chatId of rows) assert.ok((await p.get(chatId)).refreshedAt !== undefined, chatId);
});

test('a row is written back as soon as its own refresh ends, while a slower row of the batch is still in flight', { timeout: 20_000 }, async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const quick = id('quick');
  const held = id('held');
  await p.put({ chatId: quick, gitBranch: 'quick-1' });
  await p.put({ chatId: held, gitBranch: 'held-1' });
  const gate = deferred();
  const written = deferred();
  p.provider.branches.set('held-1', { pr: 2, before: () => gate.promise });
  // The slow row's provider call only returns once the quick row's result is in the table.
  const poll = async () => {
    while (!(await p.get(quick)).refreshedAt) await new Promise((r) => setTimeout(r, 5));
    written.resolve();
  };
  const ticking = p.tick();
  await poll();
  await written.promise;
  assert.equal((await p.get(held)).refreshedAt, undefined, 'the held row is not done yet');
  gate.resolve();
  const summary = await ticking;
  assert.equal(summary.refreshed, 2);
  assert.ok((await p.get(held)).refreshedAt);
});

test('a malformed row written by another service gets a stored reason and a backoff, and keeps its data', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const chat = id('malformed');
  await p.put({ chatId: chat, gitBranch: 7 as unknown as string, pullRequestTitle: 'kept' });
  const summary = await p.tick();
  assert.equal(summary.errors, 1);
  const row = await p.get(chat);
  assert.equal(row.lastErrorKind, 'invalid_row');
  assert.match(row.lastErrorMessage ?? '', /gitBranch must be a string/);
  assert.equal(row.staleAt, p.clock.now() + 120_000);
  assert.equal(row.gitBranch, 7);
  assert.equal(row.pullRequestTitle, 'kept');
});

test('shutdown: an aborted signal stops the tick; rows in flight are released, not lost', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const chat = id('shutdown');
  await p.put({ chatId: chat, gitBranch: `hang-${chat}` });
  const entered = deferred();
  p.provider.branches.set(`hang-${chat}`, {
    before: (ctx) => {
      entered.resolve();
      return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
    },
  });
  const shutdown = new AbortController();
  const running = p.tick({ signal: shutdown.signal });
  await entered.promise;
  shutdown.abort();
  const summary = await running;
  assert.equal(summary.released, 1);
  assert.equal((await p.get(chat)).staleAt, p.clock.now());

  const stopped = new AbortController();
  stopped.abort();
  assert.equal((await p.tick({ signal: stopped.signal })).batches, 0, 'an aborted tick does not even query');
});

test('SHARD_COUNT lowered from 4 to 1: the tick still polls every shard a row carries and moves each row to due#0', async () => {
  const tables = await createTestTables();
  opened.push(tables);
  const before = pipeline(tables, { shardCount: 4 });
  const after = pipeline(tables, { shardCount: 1 });
  after.tokens.tokens.set('alice', 'tok');
  after.clock.current = before.clock.current;
  const chats = Array.from({ length: 8 }, () => id('sharded'));
  for (const chatId of chats) await before.put({ chatId, dueShard: dueShardFor(chatId, 4) });
  await before.system.markStale({ chatIds: chats.slice(0, 1), branch: `branch-${chats[0]}`, origin: 'https://git.test/o/r' });
  assert.ok(chats.some((c) => dueShardFor(c, 4) !== 'due#0'), 'some rows sit above shard 0');
  after.clock.advance(1_000);
  const summary = await after.tick();
  assert.equal(summary.refreshed, chats.length);
  for (const chatId of chats) assert.match((await after.get(chatId)).dueShard ?? '', /^due#0(:[0-5])?$/, chatId);
});
