import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProviderError, RateLimitedError } from '../../src/domain/errors.ts';
import { REVIEWERS_RECHECK_MS } from '../../src/providers/gitlab/gitlab-provider.ts';
import type { PullRequestRef } from '../../src/providers/provider.ts';
import { RowConditionalCache } from '../../src/refresh/conditional-cache.ts';
import { fakeProvider } from './support/fake-provider.ts';

let now = Date.UTC(2026, 0, 1);
const MR = '/api/v4/projects/g%2Frepo/merge_requests/5';
const ctx = (cache = new RowConditionalCache(undefined)) => ({
  token: 't',
  signal: new AbortController().signal,
  cache,
  truncated: () => assert.fail('no list is truncated'),
});

const { api, provider } = await fakeProvider('gitlab', () => now);
const ref = (): PullRequestRef => ({ repo: { host: provider.host, path: 'g/repo' }, number: 5 });

/** An MR alice approved (nothing left to approve) whose steady diff stats are already stored. */
function serveMr(reviewers?: unknown[]) {
  api.routes.set(MR, {
    headers: { etag: 'W/"mr"' },
    body: { iid: 5, title: 'T', state: 'opened', source_branch: 's', target_branch: 'main', author: null, sha: 'h', diff_refs: { base_sha: 'b', head_sha: 'h' } },
  });
  api.routes.set(`${MR}/approvals`, { headers: { etag: 'W/"ap"' }, body: { approved: true, approved_by: [{ user: { username: 'alice' } }] } });
  if (reviewers) api.routes.set(`${MR}/reviewers?per_page=100`, { headers: { etag: 'W/"rv"' }, body: reviewers });
  else api.routes.delete(`${MR}/reviewers?per_page=100`);
}
const steady = () => new RowConditionalCache({ d: { etag: 'b..h', value: { commits: 1, additions: 1, deletions: 0, files: 1 } } });
const review = (s: { changesRequested: boolean; approved: boolean; reviewerCount: number }) => [s.changesRequested, s.approved, s.reviewerCount];

// Runs first: the provider remembers a missing endpoint, so the endpoint tests come before the fallback ones.
test('a reviewer requesting changes: changesRequested, not approved despite the approval; counted with the approver', async () => {
  serveMr([
    { user: { username: 'bob' }, state: 'requested_changes' },
    { user: { username: 'carol' }, state: 'unreviewed' },
  ]);
  const cache = steady();
  assert.deepEqual(review(await provider.fetchPullRequestStatus(ref(), ctx(cache))), [true, false, 2]);
  api.requests.length = 0;
  // Unchanged: three 304s, rebuilt from the stored forms.
  assert.deepEqual(review(await provider.fetchPullRequestStatus(ref(), ctx(cache))), [true, false, 2]);
  assert.deepEqual(api.requests.map((r) => [r.url.replace(MR, ''), r.headers['if-none-match']]), [
    ['', 'W/"mr"'],
    ['/approvals', 'W/"ap"'],
    ['/reviewers?per_page=100', 'W/"rv"'],
  ]);
  assert.deepEqual(cache.entries()['v']?.value, { page: { requested_changes: ['bob'] }, count: 2 });
});

test('more than a page of reviewers: the Link header leads to the next page, whose change request counts', async () => {
  const many = Array.from({ length: 100 }, (_, i) => ({ user: { username: `dev-${i}` }, state: i === 7 ? 'approved' : 'unreviewed' }));
  serveMr(many);
  const page2 = `${MR}/reviewers?id=g%2Frepo&merge_request_iid=5&page=2&per_page=100`;
  api.routes.set(`${MR}/reviewers?per_page=100`, { headers: { etag: 'W/"p1"', link: `<${api.url}${page2}>; rel="next", <${api.url}${page2}>; rel="last"` }, body: many });
  api.routes.set(page2, { headers: { etag: 'W/"p2"' }, body: [{ user: { username: 'late' }, state: 'requested_changes' }] });
  assert.deepEqual(review(await provider.fetchPullRequestStatus(ref(), ctx(steady()))), [true, false, 3]);
  assert.ok(api.requests.some((r) => r.url === page2));
});

test('rate limits and server errors on the reviewers endpoint are errors, not a missing endpoint', async () => {
  serveMr();
  api.routes.set(`${MR}/reviewers?per_page=100`, { status: 429, headers: { 'ratelimit-reset': String(now / 1000 + 30) }, body: { message: 'Retry later' } });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx(steady())), (e) => e instanceof RateLimitedError && e.resetAt === now + 30_000);
  api.routes.set(`${MR}/reviewers?per_page=100`, { status: 500, body: { message: 'boom' } });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx(steady())), (e) => e instanceof ProviderError && e.status === 500);
  serveMr([{ user: { username: 'bob' }, state: 'approved' }]);
  assert.deepEqual(review(await provider.fetchPullRequestStatus(ref(), ctx(steady()))), [false, true, 2]);
});

test('a server without the endpoint (404): approvals as before, remembered for the host, asked again after an hour', async () => {
  serveMr();
  assert.deepEqual(review(await provider.fetchPullRequestStatus(ref(), ctx(steady()))), [false, true, 1]);
  assert.equal(api.requests.filter((r) => r.url === `${MR}/reviewers?per_page=100`).length, 1);
  api.requests.length = 0;
  now += REVIEWERS_RECHECK_MS - 1;
  await provider.fetchPullRequestStatus(ref(), ctx(steady()));
  assert.deepEqual(api.requests.map((r) => r.url.replace(MR, '')), ['', '/approvals'], 'not asked again within the hour');
  // The server was upgraded meanwhile.
  serveMr([{ user: { username: 'bob' }, state: 'requested_changes' }]);
  now += 1;
  assert.deepEqual(review(await provider.fetchPullRequestStatus(ref(), ctx(steady()))), [true, false, 2]);
});
