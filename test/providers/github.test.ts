import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError, ProviderError, RateLimitedError } from '../../src/domain/errors.ts';
import type { PullRequestStatus } from '../../src/domain/row.ts';
import { RowConditionalCache } from '../../src/refresh/conditional-cache.ts';
import type { ProviderCallContext, PullRequestRef, TruncatedList } from '../../src/providers/provider.ts';
import { fakeProvider } from './support/fake-provider.ts';
import { reviewsWithLateChangeRequest, serveReviewPages } from './support/review-pages.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const TOKEN = 'ghp_test_token_value';
const API = '/api/v3/repos/acme/app';


const { api, provider } = await fakeProvider('github', NOW, 64 * 1024);

type TestContext = ProviderCallContext & { cache: RowConditionalCache; truncations: TruncatedList[] };

/** `stored`: the row's PR fields, as the refresh before wrote them. */
function ctx(cache = new RowConditionalCache(undefined), stored?: PullRequestStatus): TestContext {
  const truncations: TruncatedList[] = [];
  return { token: TOKEN, signal: new AbortController().signal, cache, ...(stored ? { stored } : {}), truncations, truncated: (list) => truncations.push(list) };
}

const ref = (): PullRequestRef => ({ repo: { host: provider.host, path: 'acme/app' }, number: 7 });

function pull(overrides: Record<string, unknown> = {}) {
  return {
    number: 7,
    state: 'open',
    merged: false,
    merged_at: null,
    mergeable: null,
    mergeable_state: 'draft',
    title: 'Add the thing',
    draft: true,
    additions: 120,
    deletions: 30,
    changed_files: 4,
    commits: 3,
    user: { login: 'octo', avatar_url: 'https://avatars.example/u/1', id: 1 },
    base: { ref: 'main', sha: 'b' },
    head: { ref: 'feature/x', sha: 'h' },
    body: 'x'.repeat(2000),
    ...overrides,
  };
}

const reviews = [
  { user: { login: 'alice' }, state: 'CHANGES_REQUESTED' },
  { user: { login: 'alice' }, state: 'APPROVED' },
  { user: { login: 'bob' }, state: 'COMMENTED' },
  { user: null, state: 'APPROVED' },
];

function servePull(pr = pull(), etag = '"pull-v1"') {
  api.routes.set(`${API}/pulls/7`, { headers: { etag, 'x-ratelimit-remaining': '4999' }, body: pr });
  api.routes.set(`${API}/pulls/7/reviews?per_page=100`, { headers: { etag: '"reviews-v1"' }, body: reviews });
}

test('finds the open PR of a branch on an Enterprise host, with GitHub headers', async () => {
  api.routes.set(`${API}/pulls?head=acme%3Afeature%2Fx&state=open&sort=updated&direction=desc&per_page=1`, {
    headers: { etag: '"search-1"' },
    body: [pull()],
  });
  const found = await provider.resolveBranchPullRequest({ host: provider.host, path: 'acme/app' }, 'feature/x', ctx());
  assert.deepEqual(found, ref());
  const seen = api.requests[0]!;
  assert.equal(seen.headers.authorization, `Bearer ${TOKEN}`);
  assert.equal(seen.headers['user-agent'], 'gitsync');
  assert.equal(seen.headers.accept, 'application/vnd.github+json');
  assert.equal(seen.headers['x-github-api-version'], '2022-11-28');
});

test('no open PR for the branch is null, not an error', async () => {
  api.routes.set(`${API}/pulls?head=acme%3Anew&state=open&sort=updated&direction=desc&per_page=1`, { body: [] });
  assert.equal(await provider.resolveBranchPullRequest({ host: provider.host, path: 'acme/app' }, 'new', ctx()), null);
});

test('maps an open draft PR with reviews; mergeable null is fine', async () => {
  servePull();
  const status = await provider.fetchPullRequestStatus(ref(), ctx());
  assert.deepEqual(status, {
    url: `${api.url}/acme/app/pull/7`,
    pullRequestState: 'open',
    pullRequestTitle: 'Add the thing',
    pullRequestDraft: true,
    additions: 120,
    deletions: 30,
    changedFiles: 4,
    commits: 3,
    authorLogin: 'octo',
    authorAvatarUrl: 'https://avatars.example/u/1',
    baseBranch: 'main',
    headBranch: 'feature/x',
    prNumber: 7,
    mergeable: 'draft',
    changesRequested: false,
    approved: true,
    reviewerCount: 1,
  });
});

test('a merged PR (state closed, merged true) is merged; closed unmerged is closed', async () => {
  servePull(pull({ state: 'closed', merged: true, merged_at: '2026-01-01T00:00:00Z' }));
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).pullRequestState, 'merged');
  servePull(pull({ state: 'closed', merged: false }), '"pull-v2"');
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).pullRequestState, 'closed');
});

test('an unchanged PR costs only 304s, the PR rebuilt from the row and the reviews from small stored values', async () => {
  servePull();
  const cache = new RowConditionalCache(undefined);
  const first = await provider.fetchPullRequestStatus(ref(), ctx(cache));
  api.requests.length = 0;
  // A new context over the same stored entries and row: another container after a cold start.
  const stored = JSON.parse(JSON.stringify(cache.entries()));
  const second = await provider.fetchPullRequestStatus(ref(), ctx(new RowConditionalCache(stored), first));
  assert.deepEqual(second, first);
  assert.deepEqual(
    api.requests.map((r) => r.headers['if-none-match']),
    ['"pull-v1"', '"reviews-v1"'],
  );
  assert.ok(JSON.stringify(stored).length < 200, `cache stays small: ${JSON.stringify(stored).length} bytes`);
  assert.ok(!JSON.stringify(stored).includes('xxxx'), 'the PR body is not stored');
  assert.ok(!JSON.stringify(stored).includes('Add the thing'), 'the row already holds the PR fields: no second copy');
});

test('a row whose PR fields no longer hold what the cached answer said: the PR is fetched without its ETag', async () => {
  servePull();
  const cache = new RowConditionalCache(undefined);
  const first = await provider.fetchPullRequestStatus(ref(), ctx(cache));
  const entries = JSON.parse(JSON.stringify(cache.entries()));
  const rows: [string, Record<string, unknown>][] = [
    ['title cut by the size bounds', { ...first, pullRequestTitle: 'Add the…' }],
    ['title rewritten by another service', { ...first, pullRequestTitle: 'Something else' }],
    ['title of the wrong type', { ...first, pullRequestTitle: 42 }],
    ['a field missing', { ...first, additions: undefined }],
    ['another PR', { ...first, prNumber: 8 }],
    ['unknown state', { ...first, pullRequestState: 'draft' }],
    ['url of another repository', { ...first, url: first.url.replace('acme/app', 'evil/app') }],
  ];
  for (const [why, row] of rows) {
    api.requests.length = 0;
    const again = new RowConditionalCache(entries);
    const status = await provider.fetchPullRequestStatus(ref(), ctx(again, row as unknown as PullRequestStatus));
    assert.deepEqual(status, first, why);
    assert.deepEqual(
      api.requests.map((r) => [r.url, r.headers['if-none-match']]),
      [[`${API}/pulls/7`, undefined], [`${API}/pulls/7/reviews?per_page=100`, '"reviews-v1"']],
      why,
    );
    assert.deepEqual(again.entries()['p'], entries['p'], `${why}: the fresh answer's ETag and digest are kept`);
  }
});

test('a changed PR after a stored ETag is read in full and the entry replaced', async () => {
  servePull();
  const cache = new RowConditionalCache(undefined);
  await provider.fetchPullRequestStatus(ref(), ctx(cache));
  servePull(pull({ title: 'Renamed' }), '"pull-v2"');
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx(cache))).pullRequestTitle, 'Renamed');
  assert.equal(cache.entries()['p']?.etag, '"pull-v2"');
});

test('a damaged stored value (or the older full-answer form) is dropped and the PR fetched unconditionally', async () => {
  servePull();
  for (const value of [{ title: 42 }, { d: 42 }, 'x', { d: 'AAAAAAAAAAAAAAAA' }]) {
    api.requests.length = 0;
    const cache = new RowConditionalCache({ p: { etag: '"pull-v1"', value } });
    const status = await provider.fetchPullRequestStatus(ref(), ctx(cache));
    assert.equal(status.pullRequestTitle, 'Add the thing');
    assert.deepEqual(
      api.requests.filter((r) => r.url === `${API}/pulls/7`).map((r) => r.headers['if-none-match']),
      [undefined],
    );
  }
});

test('primary rate limit: 403 with remaining 0 is RateLimitedError until the reset', async () => {
  api.routes.set(`${API}/pulls/7`, {
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 600) },
    body: { message: 'API rate limit exceeded for user ID 1.' },
  });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (err) => err instanceof RateLimitedError && err.resetAt === NOW + 600_000);
});

test('secondary rate limit message: at least a minute', async () => {
  api.routes.set(`${API}/pulls/7`, { status: 403, body: { message: 'You have exceeded a secondary rate limit.' } });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (err) => err instanceof RateLimitedError && err.resetAt === NOW + 60_000);
  api.routes.set(`${API}/pulls/7`, { status: 429, headers: { 'retry-after': '90' }, body: { message: 'secondary rate limit' } });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (err) => err instanceof RateLimitedError && err.resetAt === NOW + 90_000);
});

test('Bad credentials (401, or 403 without limit signs) is an auth error', async () => {
  for (const status of [401, 403]) {
    api.routes.set(`${API}/pulls/7`, { status, headers: { 'x-ratelimit-remaining': '59' }, body: { message: 'Bad credentials' } });
    await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (err) => err instanceof AuthError && err.status === status);
  }
});

test('404 is a ProviderError with its status', async () => {
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (err) => err instanceof ProviderError && err.status === 404);
});

test('wrong-shaped JSON is a ProviderError naming the field', async () => {
  servePull(pull({ additions: '120' }));
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), /field additions should be a number/);
  servePull(pull({ user: { login: 5 } }), '"x"');
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), /field user\.login should be a string/);
  api.routes.set(`${API}/pulls/7`, { body: 'not json{' });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (err) => err instanceof ProviderError && /not JSON/.test(err.message));
});

test('an oversized body is refused while streaming, declared or not', async () => {
  const huge = JSON.stringify({ ...pull(), body: 'y'.repeat(3 * 1024 * 1024) });
  api.routes.set(`${API}/pulls/7`, { body: huge });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), /larger than 65536 bytes/);
  api.routes.set(`${API}/pulls/7`, () => ({ headers: { 'transfer-encoding': 'chunked' }, body: huge }));
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), /larger than 65536 bytes/);
});

test('an abort from the tick deadline propagates as an abort', async () => {
  servePull();
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    provider.fetchPullRequestStatus(ref(), { ...ctx(), signal: controller.signal }),
    (err) => !(err instanceof ProviderError) && (err as Error).name === 'AbortError',
  );
});

const { api: cappedApi, provider: capped } = await fakeProvider('github', NOW, undefined, { maxPages: 2 });
const REVIEWS = `${API}/pulls/7/reviews?per_page=100`;
const PAGE_2 = '/api/v3/repositories/42/pulls/7/reviews?per_page=100&page=2';

test('150 reviews over two pages: the decisive review on page 2 counts, and the Link header leads there', async () => {
  servePull();
  serveReviewPages(api, '/api/v3', 'acme/app', 7, reviewsWithLateChangeRequest());
  const c = ctx();
  const status = await provider.fetchPullRequestStatus(ref(), c);
  assert.deepEqual(
    { changesRequested: status.changesRequested, approved: status.approved, reviewerCount: status.reviewerCount },
    { changesRequested: true, approved: false, reviewerCount: 2 },
  );
  assert.deepEqual(api.requests.map((r) => r.url), [`${API}/pulls/7`, REVIEWS, PAGE_2]);
  assert.deepEqual(c.truncations, []);
});

test('an unchanged paginated PR costs one 304 per page, rebuilt from a small stored form per page', async () => {
  servePull();
  serveReviewPages(api, '/api/v3', 'acme/app', 7, reviewsWithLateChangeRequest());
  const cache = new RowConditionalCache(undefined);
  const first = await provider.fetchPullRequestStatus(ref(), ctx(cache));
  const stored = JSON.parse(JSON.stringify(cache.entries()));
  api.requests.length = 0;
  const second = await provider.fetchPullRequestStatus(ref(), ctx(new RowConditionalCache(stored), first));
  assert.deepEqual(second, first);
  assert.deepEqual(api.requests.map((r) => [r.url, r.headers['if-none-match'] !== undefined]), [
    [`${API}/pulls/7`, true],
    [REVIEWS, true],
    [PAGE_2, true],
  ]);
  const size = JSON.stringify(stored).length;
  assert.ok(size < 800, `cache stays small: ${size} bytes`);
  assert.ok(!JSON.stringify(stored).includes('commenter'), 'comment-only reviewers are not stored');
});

test('a review added on the last page re-reads that page only; an approval after the change request wins', async () => {
  servePull();
  const reviews = reviewsWithLateChangeRequest();
  serveReviewPages(api, '/api/v3', 'acme/app', 7, reviews);
  const cache = new RowConditionalCache(undefined);
  await provider.fetchPullRequestStatus(ref(), ctx(cache));
  serveReviewPages(api, '/api/v3', 'acme/app', 7, [...reviews, { user: { login: 'alice' }, state: 'APPROVED' }]);
  api.requests.length = 0;
  const status = await provider.fetchPullRequestStatus(ref(), ctx(cache));
  assert.deepEqual([status.changesRequested, status.approved, status.reviewerCount], [false, true, 2]);
  assert.deepEqual(api.requests.map((r) => r.url), [`${API}/pulls/7`, REVIEWS, PAGE_2]);
});

test('a full last page that later gets a next page: the page after it is asked too, though its own answer is 304', async () => {
  servePull();
  const hundred = reviewsWithLateChangeRequest().slice(0, 100);
  serveReviewPages(api, '/api/v3', 'acme/app', 7, hundred);
  const cache = new RowConditionalCache(undefined);
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx(cache))).approved, true);
  // Review 101 starts page 2; page 1 is unchanged, so GitHub answers it 304 (here without a Link header).
  serveReviewPages(api, '/api/v3', 'acme/app', 7, [...hundred, { user: { login: 'bob' }, state: 'CHANGES_REQUESTED' }]);
  api.routes.set(`${REVIEWS}&page=2`, api.routes.get(PAGE_2)!);
  api.requests.length = 0;
  const status = await provider.fetchPullRequestStatus(ref(), ctx(cache));
  assert.equal(status.changesRequested, true);
  assert.deepEqual(api.requests.map((r) => r.url), [`${API}/pulls/7`, REVIEWS, `${REVIEWS}&page=2`]);
});

/** `count` reviews: alice approves first, bob approves on page 2, alice requests changes in the last one. */
function longReview(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    user: { login: i === 0 || i === count - 1 ? 'alice' : i === 150 ? 'bob' : 'carol' },
    state: i === count - 1 ? 'CHANGES_REQUESTED' : i === 0 || i === 150 ? 'APPROVED' : 'COMMENTED',
  }));
}
const cappedPage = (n: number) => `/api/v3/repositories/42/pulls/7/reviews?per_page=100&page=${n}`;

/** One refresh of PR 7 by the capped provider over `cache`: the requests it made (conditional or not), its status and truncations. */
async function cappedRefresh(cache: RowConditionalCache) {
  cappedApi.requests.length = 0;
  const c = ctx(cache);
  const status = await capped.fetchPullRequestStatus({ ...ref(), repo: { host: capped.host, path: 'acme/app' } }, c);
  const requests = cappedApi.requests.map((r) => `${r.headers['if-none-match'] === undefined ? '' : '(if) '}${r.url}`);
  return { status, truncations: c.truncations, requests };
}
const CAPPED_PULL = `${API}/pulls/7`;

test('more pages than maxPages: page 1 and the newest pages are read (the latest decisions), and the cap is reported', async () => {
  cappedApi.routes.set(CAPPED_PULL, { body: pull() });
  serveReviewPages(cappedApi, '/api/v3', 'acme/app', 7, longReview(350));
  const cache = new RowConditionalCache(undefined);
  const first = await cappedRefresh(cache);
  // bob's approval is on page 2, which is not read: the cost of the cap.
  assert.deepEqual([first.status.changesRequested, first.status.approved, first.status.reviewerCount], [true, false, 1]);
  assert.deepEqual(first.truncations, [{ what: 'GitHub reviews', pages: 2 }]);
  assert.deepEqual(first.requests, [CAPPED_PULL, REVIEWS, cappedPage(4)]);

  // The list grows by a page while page 1 stays the same (a bare 304): the new page is found and read.
  serveReviewPages(cappedApi, '/api/v3', 'acme/app', 7, [...longReview(350).slice(0, -1), ...longReview(61).slice(1)]);
  const grown = await cappedRefresh(cache);
  assert.equal(grown.status.changesRequested, true);
  assert.deepEqual(grown.requests, [CAPPED_PULL, `(if) ${REVIEWS}`, `(if) ${cappedPage(4)}`, cappedPage(5)]);
  assert.deepEqual(grown.truncations, [{ what: 'GitHub reviews', pages: 2 }]);

  // From then on the newest page is page 5: unchanged, it costs 304s only.
  assert.deepEqual((await cappedRefresh(cache)).requests, [CAPPED_PULL, `(if) ${REVIEWS}`, `(if) ${cappedPage(5)}`]);
});

test('a list of exactly maxPages full pages that grows past the cap is found by the probe and reported, never cut silently', async () => {
  cappedApi.routes.set(CAPPED_PULL, { body: pull() });
  const full = longReview(200).map((r) => (r.state === 'CHANGES_REQUESTED' ? { ...r, state: 'COMMENTED' } : r));
  serveReviewPages(cappedApi, '/api/v3', 'acme/app', 7, full);
  const cache = new RowConditionalCache(undefined);
  const first = await cappedRefresh(cache);
  assert.deepEqual([first.status.approved, first.truncations], [true, []]);
  // Review 201 starts page 3; pages 1 and 2 are unchanged (bare 304s).
  serveReviewPages(cappedApi, '/api/v3', 'acme/app', 7, [...full, { user: { login: 'alice' }, state: 'CHANGES_REQUESTED' }]);
  const grown = await cappedRefresh(cache);
  assert.equal(grown.status.changesRequested, true);
  assert.deepEqual(grown.requests, [CAPPED_PULL, `(if) ${REVIEWS}`, `(if) ${cappedPage(2)}`, cappedPage(3)]);
  assert.deepEqual(grown.truncations, [{ what: 'GitHub reviews', pages: 2 }]);
  // Next time page 1 and the newest page are read.
  const next = await cappedRefresh(cache);
  assert.equal(next.status.changesRequested, true);
  assert.deepEqual(next.requests, [CAPPED_PULL, `(if) ${REVIEWS}`, `(if) ${cappedPage(3)}`]);
  assert.deepEqual(next.truncations, [{ what: 'GitHub reviews', pages: 2 }]);
});

test('a Link header pointing off the API is refused: the token never follows it', async () => {
  servePull();
  api.routes.set(REVIEWS, { headers: { link: '<https://evil.example/api/v3/x?page=2>; rel="next"' }, body: reviews });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (err) => err instanceof ProviderError && /outside the API/.test(err.message));
  api.routes.set(REVIEWS, { headers: { link: `<${api.url}/elsewhere/x?page=2>; rel="next"` }, body: reviews });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), /outside the API/);
});

test('a stored next page that leads outside the API (a tampered row) is dropped and the page read in full', async () => {
  servePull();
  serveReviewPages(api, '/api/v3', 'acme/app', 7, reviewsWithLateChangeRequest());
  const cache = new RowConditionalCache(undefined);
  const first = await provider.fetchPullRequestStatus(ref(), ctx(cache));
  for (const next of ['@evil.example/x', 'https://evil.example/api/v3/x', '/../../x']) {
    const stored = cache.entries();
    const tampered = { ...stored, r: { ...stored['r']!, value: { ...(stored['r']!.value as object), next } } };
    api.requests.length = 0;
    const status = await provider.fetchPullRequestStatus(ref(), ctx(new RowConditionalCache(tampered), first));
    assert.equal(status.changesRequested, true, next);
    assert.deepEqual(api.requests.map((r) => [r.url, r.headers['if-none-match'] !== undefined]), [
      [`${API}/pulls/7`, true],
      [REVIEWS, true],
      [REVIEWS, false],
      [PAGE_2, true],
    ], next);
  }
});

test('a stored review summary of the older single-page form is dropped and the reviews read in full', async () => {
  servePull();
  serveReviewPages(api, '/api/v3', 'acme/app', 7, reviewsWithLateChangeRequest());
  const cache = new RowConditionalCache({ r: { etag: 'W/"old"', value: { changesRequested: false, approved: true, reviewerCount: 1 } } });
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx(cache))).changesRequested, true);
});
