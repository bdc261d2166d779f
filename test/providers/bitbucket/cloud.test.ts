import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProviderError, RateLimitedError } from '../../../src/domain/errors.ts';
import type { TruncatedList } from '../../../src/providers/provider.ts';
import { RowConditionalCache } from '../../../src/refresh/conditional-cache.ts';
import { bitbucketCloud, NOW } from './flavours.ts';

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
