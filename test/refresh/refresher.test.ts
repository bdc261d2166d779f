import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DeadlineExceeded,
  NoProviderError,
  NoTokenError,
  ProviderError,
  RateLimitedError,
  SkippedByRateLimit,
  UnexpectedError,
} from '../../src/domain/errors.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { Refresher } from '../../src/refresh/refresher.ts';
import type { RefreshResult } from '../../src/domain/refresh-result.ts';
import { deferred, FakeProvider, FakeRegistry, FakeTokens, ManualClock } from '../support/fakes.ts';

function setup(options: { concurrency?: number; perTokenConcurrency?: number } = {}) {
  const provider = new FakeProvider();
  const tokens = new FakeTokens();
  const clock = new ManualClock();
  const refresher = new Refresher({
    registry: new FakeRegistry(provider),
    tokens,
    clock,
    concurrency: options.concurrency ?? 10,
    perTokenConcurrency: options.perTokenConcurrency ?? 10,
  });
  const run = { deadline: clock.now() + 30_000 };
  return { provider, tokens, clock, refresher, run };
}

function row(chatId: string, ownerId: string, repo: string, branch: string, extra: Partial<DiffStatusRow> = {}): DiffStatusRow {
  return { chatId, ownerId, gitRemoteOrigin: `https://git.test/${repo}`, gitBranch: branch, ...extra };
}

function kinds(results: RefreshResult[]): string[] {
  return results.map((r) => (r.kind === 'failed' ? r.error.kind : r.kind));
}

test('N refreshes are in flight at once (proved with a gate)', async () => {
  const { provider, tokens, refresher, run } = setup({ concurrency: 5 });
  tokens.tokens.set('alice', 'tok-a');
  const gate = deferred();
  let entered = 0;
  const allIn = deferred();
  const rows = Array.from({ length: 5 }, (_, i) => {
    provider.branches.set(`b${i}`, {
      pr: i + 1,
      before: async () => {
        if (++entered === 5) allIn.resolve();
        await gate.promise;
      },
    });
    return row(`c${i}`, 'alice', 'o/r', `b${i}`);
  });
  const running = refresher.refresh(rows, run);
  await allIn.promise; // would hang (test timeout) if the refreshes ran one at a time
  assert.equal(provider.inFlight, 5);
  gate.resolve();
  assert.deepEqual(kinds(await running), Array(5).fill('refreshed'));
});

test('global and per-token limits bound the calls in flight', async () => {
  const { provider, tokens, refresher, run } = setup({ concurrency: 6, perTokenConcurrency: 2 });
  const owners = ['a', 'b', 'c', 'd'];
  for (const o of owners) tokens.tokens.set(o, `tok-${o}`);
  const perToken = new Map<string, number>();
  let maxPerToken = 0;
  const rows: DiffStatusRow[] = [];
  for (const o of owners) {
    for (let i = 0; i < 5; i++) {
      const branch = `${o}-${i}`;
      provider.branches.set(branch, {
        before: async (ctx) => {
          perToken.set(ctx.token, (perToken.get(ctx.token) ?? 0) + 1);
          maxPerToken = Math.max(maxPerToken, perToken.get(ctx.token)!);
          await new Promise((r) => setTimeout(r, 5));
          perToken.set(ctx.token, perToken.get(ctx.token)! - 1);
        },
      });
      rows.push(row(`${o}${i}`, o, 'o/r', branch));
    }
  }
  const results = await refresher.refresh(rows, run);
  assert.deepEqual(kinds(results), Array(20).fill('refreshed'));
  assert.equal(maxPerToken, 2);
  assert.ok(provider.maxInFlight <= 6, `max in flight ${provider.maxInFlight}`);
});

test('results come back in input order whatever order the calls finish in', async () => {
  const { provider, tokens, refresher, run } = setup();
  tokens.tokens.set('alice', 'tok');
  const rows = [3, 1, 2].map((n) => {
    provider.branches.set(`b${n}`, { pr: n, before: () => new Promise((r) => setTimeout(r, n * 10)) });
    return row(`c${n}`, 'alice', 'o/r', `b${n}`);
  });
  const results = await refresher.refresh(rows, run);
  assert.deepEqual(
    results.map((r) => (r.kind === 'refreshed' ? r.status.prNumber : null)),
    [3, 1, 2],
  );
});

test('a rate limit skips the rest of its token\'s rows but not other groups', async () => {
  const { provider, tokens, refresher, run, clock } = setup({ concurrency: 1, perTokenConcurrency: 1 });
  tokens.tokens.set('alice', 'tok-a');
  tokens.tokens.set('bob', 'tok-b');
  const resetAt = clock.now() + 900_000;
  provider.branches.set('limited', { error: () => new RateLimitedError(resetAt) });
  const rows = [
    row('a1', 'alice', 'o/r', 'limited'),
    row('a2', 'alice', 'o/r', 'b2'),
    row('b1', 'bob', 'o/r', 'b3'),
    row('a3', 'alice', 'o/r', 'b4'),
    row('b2', 'bob', 'o/r', 'b5'),
  ];
  const results = await refresher.refresh(rows, run);
  assert.deepEqual(kinds(results), ['rate_limited', 'skipped_rate_limit', 'refreshed', 'skipped_rate_limit', 'refreshed']);
  for (const i of [1, 3]) {
    const r = results[i]!;
    assert.ok(r.kind === 'failed' && r.error instanceof SkippedByRateLimit && r.error.resetAt === resetAt);
  }
  assert.deepEqual(tokens.recorded, [{ key: 'alice@git.test', resetAt }]);
  assert.equal(provider.calls, 1 + 2 * 2, 'alice: one call; bob: two rows x two calls');
});

test('a token known to be limited is not called until its reset', async () => {
  const { provider, tokens, refresher, run, clock } = setup();
  tokens.tokens.set('alice', 'tok-a');
  tokens.limitedUntil.set('alice@git.test', clock.now() + 60_000);
  const results = await refresher.refresh([row('a1', 'alice', 'o/r', 'b1')], run);
  assert.deepEqual(kinds(results), ['skipped_rate_limit']);
  assert.equal(provider.calls, 0);
  clock.advance(60_000);
  const later = { deadline: clock.now() + 30_000 };
  assert.deepEqual(kinds(await refresher.refresh([row('a1', 'alice', 'o/r', 'b1')], later)), ['refreshed']);
});

test('one token look-up per owner and host, all at once', async () => {
  const { tokens, refresher, run } = setup();
  tokens.tokens.set('alice', 'tok-a');
  tokens.tokens.set('bob', 'tok-b');
  await refresher.refresh(
    [row('1', 'alice', 'o/r', 'x1'), row('2', 'alice', 'o/r', 'x2'), row('3', 'bob', 'o/r', 'x3'), row('4', 'alice', 'o/s', 'x4')],
    run,
  );
  // alice's two groups (o/r, o/s) share one look-up: a batch spread over many repositories
  // must not pay one sequential read per (owner, origin).
  assert.equal(tokens.resolveCalls, 2);
});

test('no provider, no token, empty token and a failing token look-up fail the group without HTTP', async () => {
  const { provider, tokens, refresher, run } = setup();
  tokens.tokens.set('empty', '');
  const results = await refresher.refresh(
    [
      { chatId: '1', ownerId: 'alice', gitRemoteOrigin: 'https://elsewhere.test/o/r', gitBranch: 'b' },
      row('2', 'nobody', 'o/r', 'b'),
      row('3', 'empty', 'o/r', 'b'),
      row('4', 'nobody', 'o/r', 'c'),
      { chatId: '5', gitRemoteOrigin: 'https://git.test/o/r', gitBranch: 'b' },
    ],
    run,
  );
  assert.equal(provider.calls, 0);
  assert.deepEqual(kinds(results), ['no_provider', 'no_token', 'no_token', 'no_token', 'no_token']);
  assert.ok(results[0]!.kind === 'failed' && results[0]!.error instanceof NoProviderError);
  assert.ok(results[2]!.kind === 'failed' && results[2]!.error instanceof NoTokenError);

  tokens.failWith = new Error('tokens table unavailable');
  const failing = await refresher.refresh([row('6', 'alice', 'o/r', 'b')], run);
  assert.ok(failing[0]!.kind === 'failed' && failing[0]!.error instanceof UnexpectedError);
  assert.equal(provider.calls, 0);
});

test('no PR yet is a result, not an error; a stored PR url is fetched directly', async () => {
  const { provider, tokens, refresher, run } = setup();
  tokens.tokens.set('alice', 'tok');
  provider.branches.set('fresh', { pr: null });
  const results = await refresher.refresh(
    [row('1', 'alice', 'o/r', 'fresh'), row('2', 'alice', 'o/r', 'branch-42', { url: 'https://git.test/o/r/pull/42' })],
    run,
  );
  assert.deepEqual(kinds(results), ['no_pr', 'refreshed']);
  assert.ok(results[1]!.kind === 'refreshed' && results[1]!.status.prNumber === 42);
  assert.equal(provider.calls, 1 + 1, 'resolve for the first row, fetch only for the second');
});

test('a stored PR url of another branch (the chat pushed a new branch): the branch’s own PR is looked up', async () => {
  const { provider, tokens, refresher, run } = setup();
  tokens.tokens.set('alice', 'tok');
  provider.branches.set('branch-7', { pr: 7 });
  provider.branches.set('no-pr-yet', { pr: null });
  const stale = { url: 'https://git.test/o/r/pull/42' };
  const results = await refresher.refresh([row('1', 'alice', 'o/r', 'branch-7', stale), row('2', 'alice', 'o/r', 'no-pr-yet', stale)], run);
  assert.ok(results[0]!.kind === 'refreshed' && results[0]!.status.prNumber === 7);
  assert.deepEqual(results[1], { kind: 'no_pr', httpCache: {}, dropStoredPullRequest: true });
  assert.equal(provider.calls, 3 + 3, 'stale fetch, resolve and fetch; stale fetch, resolve open and resolve any state');
});

test('a stored PR url in another repository of the host (the origin moved): resolved by branch without fetching it', async () => {
  const { provider, tokens, refresher, run } = setup();
  tokens.tokens.set('alice', 'tok');
  const results = await refresher.refresh([row('1', 'alice', 'o/new', 'branch-5', { url: 'https://git.test/o/old/pull/42' })], run);
  assert.ok(results[0]!.kind === 'refreshed' && results[0]!.status.prNumber === 5 && results[0]!.status.url.includes('/o/new/'));
  assert.equal(provider.calls, 2);
});

test('a PR url on another host than the origin is never requested: the branch PR replaces it', async () => {
  const { tokens, refresher, run } = setup();
  tokens.tokens.set('alice', 'tok');
  const results = await refresher.refresh([row('1', 'alice', 'o/r', 'b', { url: 'https://evil.test/o/r/pull/1' })], run);
  assert.deepEqual(kinds(results), ['refreshed']);
  assert.ok(results[0]!.kind === 'refreshed' && !results[0]!.status.url.includes('evil.test'));
});

test('rows whose turn comes after the deadline fail with DeadlineExceeded; in-flight calls are aborted', async () => {
  const { provider, tokens, refresher, clock } = setup({ concurrency: 1, perTokenConcurrency: 1 });
  tokens.tokens.set('alice', 'tok');
  provider.branches.set('slow', {
    before: (ctx) =>
      new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true })),
  });
  provider.branches.set('late', {});
  const results = await refresher.refresh([row('1', 'alice', 'o/r', 'slow'), row('2', 'alice', 'o/r', 'late')], {
    deadline: clock.now() + 50,
  });
  assert.ok(results.every((r) => r.kind === 'failed' && r.error instanceof DeadlineExceeded), JSON.stringify(kinds(results)));
});

test('provider errors stay typed per row and do not affect the others', async () => {
  const { provider, tokens, refresher, run } = setup();
  tokens.tokens.set('alice', 'tok');
  provider.branches.set('broken', { error: () => new ProviderError('boom', 502) });
  provider.branches.set('weird', { error: () => new TypeError('undefined is not a function') });
  const results = await refresher.refresh(
    [row('1', 'alice', 'o/r', 'broken'), row('2', 'alice', 'o/r', 'ok'), row('3', 'alice', 'o/r', 'weird')],
    run,
  );
  assert.deepEqual(kinds(results), ['provider_error', 'refreshed', 'unexpected']);
});

test('rows with attributes of the wrong type fail alone as invalid rows, without a request; a damaged cache is dropped', async () => {
  const { provider, tokens, refresher, run } = setup();
  tokens.tokens.set('alice', 'tok');
  const malformed = [
    { chatId: '1', ownerId: 'alice', gitRemoteOrigin: 'https://git.test/o/r', gitBranch: 42 },
    { chatId: '2', ownerId: ['alice'], gitRemoteOrigin: 'https://git.test/o/r', gitBranch: 'b' },
    { chatId: '3', ownerId: 'alice', gitRemoteOrigin: 'https://git.test/o/r', gitBranch: 'b', url: null },
    { chatId: '4', ownerId: 'alice', gitRemoteOrigin: 'https://git.test/o/r', gitBranch: 'b' },
  ] as unknown as DiffStatusRow[];
  const httpCaches = [undefined, undefined, undefined, 'etag', { p: { etag: 42 } }];
  const results = await refresher.refresh([...malformed, row('5', 'alice', 'o/r', 'fine')], { ...run, httpCaches });
  // A damaged cache of gitsync's own is dropped, not a reason to stop (rows 4 and 5).
  assert.deepEqual(kinds(results), ['invalid_row', 'invalid_row', 'invalid_row', 'refreshed', 'refreshed']);
  assert.ok(results[0]!.kind === 'failed' && /gitBranch must be a string, not number/.test(results[0]!.error.message));
  assert.ok(results[1]!.kind === 'failed' && /ownerId must be a string, not array/.test(results[1]!.error.message));
  assert.equal(provider.calls, 4, 'only the well-formed rows reached the provider');
});
