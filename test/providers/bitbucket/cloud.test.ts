import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProviderError, RateLimitedError } from '../../../src/domain/errors.ts';
import type { TruncatedList } from '../../../src/providers/provider.ts';
import { RowConditionalCache } from '../../../src/refresh/conditional-cache.ts';
import { bitbucketCloud, NOW } from './flavours.ts';
import { refreshTwice } from '../support/refresh-twice.ts';

const { api, provider, servePr, ref, ctx, repoPath: REPO, prPath: PR } = await bitbucketCloud();
const TOKEN = 'me@example.com:ATATT3xFfGF0secret';

test('an open, approved PR: fields, paged diffstat and commits, Basic auth', async () => {
  servePr();
  const status = await provider.fetchPullRequestStatus(ref(), ctx());
  assert.deepEqual(
    { ...status },
    {
      url: `${api.url}/team/app/pull-requests/7`, pullRequestState: 'open', pullRequestTitle: 'Add caching', pullRequestDraft: false,
      authorLogin: 'alice', authorAvatarUrl: 'https://avatar.example/alice.png', baseBranch: 'main', headBranch: 'feat/cache', prNumber: 7,
      approved: true, changesRequested: false, reviewerCount: 1, additions: 11, deletions: 2, changedFiles: 3, commits: 4,
      mergeable: 'clean',
    },
  );
  assert.equal(api.requests[0]!.headers.authorization, `Basic ${Buffer.from(TOKEN).toString('base64')}`);
});

test('states: draft, merged, declined, superseded; changes requested', async () => {
  for (const [state, expected] of [['MERGED', 'merged'], ['DECLINED', 'closed'], ['SUPERSEDED', 'closed']] as const) {
    servePr({ state });
    assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).pullRequestState, expected);
  }
  servePr({ draft: true, participants: [{ approved: true, state: 'approved' }, { approved: false, state: 'changes_requested' }] });
  const status = await provider.fetchPullRequestStatus(ref(), ctx());
  assert.deepEqual([status.pullRequestDraft, status.approved, status.changesRequested, status.reviewerCount], [true, false, true, 2]);
  servePr({ state: 'ARCHIVED' });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), /field state has unknown value "ARCHIVED"/);
});

test('lists longer than maxPages are read in part and reported', async () => {
  servePr();
  api.routes.set(`${PR}/diffstat?page=2`, { body: { values: [{ lines_added: 1, lines_removed: 0 }], next: `${api.url}${PR}/diffstat?page=3` } });
  const truncated: TruncatedList[] = [];
  const status = await provider.fetchPullRequestStatus(ref(), ctx(undefined, truncated));
  assert.deepEqual(truncated, [{ what: 'Bitbucket Cloud diffstat', pages: 2 }]);
  assert.equal(status.additions, 11);
  assert.ok(!api.requests.some((r) => r.url.endsWith('page=3')));
});

const HEAD = 'a1b2c3d4e5f6';
const STATUSES = `${REPO}/commit/${HEAD}/statuses?pagelen=100`;

/** A commit status in Bitbucket Cloud's documented shape (`commitstatus`). */
function commitStatus(key: string, state: string, updatedOn: string, name: string | null = `${key} build`) {
  return {
    type: 'build', key, state, ...(name !== null ? { name } : {}), refname: 'feat/cache', url: `https://ci.example.com/${key}`,
    description: `${key} ${state}`, uuid: `{${key}-uuid}`, created_on: '2026-01-01T00:00:00.000000+00:00', updated_on: updatedOn,
    links: { self: { href: `${api.url}${REPO}/commit/${HEAD}/statuses/build/${key}` }, commit: { href: `${api.url}${REPO}/commit/${HEAD}` } },
  };
}

function serveHead(statusPages: unknown[][], etag?: string) {
  servePr({ source: { branch: { name: 'feat/cache' }, commit: { hash: HEAD } } });
  statusPages.forEach((values, i) => {
    const path = i === 0 ? STATUSES : `${STATUSES}&page=${i + 1}`;
    const next = i + 1 < statusPages.length ? { next: `${api.url}${STATUSES}&page=${i + 2}` } : {};
    api.routes.set(path, { headers: i === 0 && etag ? { etag } : {}, body: { pagelen: 100, page: i + 1, values, ...next } });
  });
}

test('the head commit\'s statuses: every page, latest per key, STOPPED fails, INPROGRESS pends; an unchanged first page is a 304', async () => {
  serveHead(
    [
      [commitStatus('build', 'INPROGRESS', '2026-01-01T00:01:00+00:00'), commitStatus('lint', 'STOPPED', '2026-01-01T00:02:00+00:00', null)],
      [commitStatus('build', 'SUCCESSFUL', '2026-01-01T00:05:00+00:00'), commitStatus('e2e', 'INPROGRESS', '2026-01-01T00:03:00+00:00')],
    ],
    '"st-1"',
  );
  const [status, again] = await refreshTwice(provider, ref(), ctx, () => (api.requests.length = 0));
  const expected = { state: 'failure', total: 3, passed: 1, failed: 1, pending: 1, failing: ['lint'] };
  assert.deepEqual([status.headSha, status.checks, again.checks], [HEAD, expected, expected]);
  const asked = api.requests.filter((r) => r.url.includes('/statuses'));
  // The first page is a 304; the second, rare, is read in full.
  assert.deepEqual(asked.map((r) => [r.url, r.headers['if-none-match']]), [[STATUSES, '"st-1"'], [`${STATUSES}&page=2`, undefined]]);
});

test('statuses: none is none; a 403 or 404 leaves checks unknown (the PR still refreshes); a next page outside the API is refused', async () => {
  serveHead([[]]);
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).checks?.state, 'none');
  for (const status of [403, 404]) {
    serveHead([[]]);
    api.routes.set(STATUSES, { status, body: { type: 'error', error: { message: 'no' } } });
    const pr = await provider.fetchPullRequestStatus(ref(), ctx());
    assert.equal(pr.checks, undefined, `HTTP ${status}`);
    assert.equal(pr.pullRequestTitle, 'Add caching');
  }
  serveHead([[]]);
  api.routes.set(STATUSES, { body: { values: [], next: 'https://evil.example/2.0/x?page=2' } });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (e) => e instanceof ProviderError && /outside the API/.test(e.message));
});

test('mergeability: a conflict in the diffstat is conflicts (kept with the version\'s counts), else clean; a draft is draft; a merged PR has none', async () => {
  servePr();
  api.routes.set(`${PR}/diffstat?page=2`, { body: { values: [{ status: 'merge conflict', lines_added: 1, lines_removed: 0 }] } });
  const cache = new RowConditionalCache(undefined);
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx(cache))).mergeable, 'conflicts');
  api.requests.length = 0;
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx(new RowConditionalCache(JSON.parse(JSON.stringify(cache.entries())))))).mergeable, 'conflicts');
  assert.ok(!api.requests.some((r) => r.url.includes('diffstat')), 'the same version reads no diffstat again');
  servePr({ draft: true });
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).mergeable, 'draft');
  servePr({ state: 'MERGED' });
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).mergeable, undefined);
});

test('a next page outside the API is refused', async () => {
  servePr();
  api.routes.set(`${PR}/diffstat`, { body: { values: [], next: 'https://evil.example/2.0/x?page=2' } });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (e) => e instanceof ProviderError && /outside the API/.test(e.message));
});

test('branch search: BBQL quoted, open by update; every state when asked; none is null', async () => {
  const open = `${REPO}/pullrequests?q=source.branch.name+%3D+%22feat%2F%5C%22q%5C%22%22&state=OPEN&sort=-updated_on&pagelen=1&fields=values.id`;
  api.routes.set(open, { body: { values: [{ id: 7 }] } });
  assert.deepEqual(await provider.resolveBranchPullRequest(ref().repo, 'feat/"q"', ctx()), ref());
  const any = `${REPO}/pullrequests?q=source.branch.name+%3D+%22gone%22&state=OPEN&state=MERGED&state=DECLINED&state=SUPERSEDED&sort=-created_on&pagelen=1&fields=values.id`;
  api.routes.set(any, { body: { values: [] } });
  assert.equal(await provider.resolveBranchPullRequest(ref().repo, 'gone', ctx(), true), null);
});

test('429 without Retry-After waits a minute; an app password is refused before any request', async () => {
  api.routes.set(PR, { status: 429, body: { type: 'error' } });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (e) => e instanceof RateLimitedError && e.resetAt === NOW + 60_000);
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx(undefined, [], 'alice:ATBBxyz')), /app password/);
  assert.equal(api.requests.length, 1);
});

test('an access token goes as Bearer; a ref on another host is refused before any request', async () => {
  servePr();
  await provider.fetchPullRequestStatus(ref(), ctx(undefined, [], 'ATCTT3xFfGN0token'));
  assert.equal(api.requests[0]!.headers.authorization, 'Bearer ATCTT3xFfGN0token');
  api.requests.length = 0;
  await assert.rejects(provider.fetchPullRequestStatus({ repo: { host: 'bitbucket.org', path: 'team/app' }, number: 7 }, ctx()), /not a bitbucket-cloud repository/);
  assert.equal(api.requests.length, 0);
});

test('bitbucket-cloud paces itself: the 1,001st request of a token within the hour is not sent', async () => {
  servePr();
  const token = 'ATCTT3xbudget';
  const search = `${REPO}/pullrequests?q=source.branch.name+%3D+%22b%22&state=OPEN&sort=-updated_on&pagelen=1&fields=values.id`;
  api.routes.set(search, { body: { values: [] } });
  for (let i = 0; i < 1_000; i += 50) {
    await Promise.all(Array.from({ length: 50 }, () => provider.resolveBranchPullRequest(ref().repo, 'b', ctx(undefined, [], token))));
  }
  api.requests.length = 0;
  await assert.rejects(provider.resolveBranchPullRequest(ref().repo, 'b', ctx(undefined, [], token)), (e) => e instanceof RateLimitedError && e.resetAt === NOW + 3_600_000);
  assert.equal(api.requests.length, 0);
  // Another token has its own hour.
  await provider.resolveBranchPullRequest(ref().repo, 'b', ctx(undefined, [], 'ATCTT3xother'));
  assert.equal(api.requests.length, 1);
});
