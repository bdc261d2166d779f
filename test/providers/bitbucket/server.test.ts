import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TruncatedList } from '../../../src/providers/provider.ts';
import { RowConditionalCache } from '../../../src/refresh/conditional-cache.ts';
import { bitbucketServer } from './flavours.ts';

// The server lives below a context path: every API path and PR URL carries it.
const { api, provider, servePr, ref, ctx, repoPath: REPO, prPath: PR } = await bitbucketServer();
const DIFF = `${PR}/diff?contextLines=0&withComments=false`;
const COMMITS = `${PR}/commits?withCounts=true&limit=100`;

test('an open, approved PR below a context path: fields, diff lines, commits over pages, Bearer', async () => {
  servePr();
  const status = await provider.fetchPullRequestStatus(ref(), ctx());
  assert.deepEqual(
    { ...status },
    {
      url: `${api.url}/bitbucket/projects/PROJ/repos/app/pull-requests/7`, pullRequestState: 'open', pullRequestTitle: 'Fix login', pullRequestDraft: false,
      authorLogin: 'alice', authorAvatarUrl: '', baseBranch: 'main', headBranch: 'fix/login', prNumber: 7,
      approved: true, changesRequested: false, reviewerCount: 1, additions: 3, deletions: 1, changedFiles: 2, commits: 3,
    },
  );
  assert.equal(api.requests[0]!.headers.authorization, 'Bearer BBDC-token');
});

test('states: merged, declined, draft with NEEDS_WORK; totalCount spares the paging', async () => {
  for (const [state, expected] of [['MERGED', 'merged'], ['DECLINED', 'closed']] as const) {
    servePr({ state });
    assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).pullRequestState, expected);
  }
  servePr({ draft: true, reviewers: [{ status: 'APPROVED' }, { status: 'NEEDS_WORK' }] });
  api.routes.set(COMMITS, { body: { values: [{}], isLastPage: false, nextPageStart: 1, totalCount: 42 } });
  const status = await provider.fetchPullRequestStatus(ref(), ctx());
  assert.deepEqual([status.pullRequestDraft, status.approved, status.changesRequested, status.reviewerCount, status.commits], [true, false, true, 2, 42]);
});

test('commit pages past maxPages and a truncated diff are reported', async () => {
  servePr();
  api.routes.set(`${COMMITS}&start=2`, { body: { values: [{}], isLastPage: false, nextPageStart: 3 } });
  api.routes.set(DIFF, { body: { diffs: [], truncated: true } });
  const truncated: TruncatedList[] = [];
  const status = await provider.fetchPullRequestStatus(ref(), ctx(undefined, truncated));
  assert.deepEqual(truncated.map((t) => t.what), ['Bitbucket Data Center diff', 'Bitbucket Data Center commits']);
  assert.equal(status.commits, 3);
});

test('branch search: outgoing from refs/heads/<branch>, open or all states', async () => {
  api.routes.set(`${REPO}/pull-requests?at=refs%2Fheads%2Ffix%2Flogin&direction=OUTGOING&state=OPEN&order=NEWEST&limit=1`, { body: { values: [{ id: 7 }], isLastPage: true } });
  assert.deepEqual(await provider.resolveBranchPullRequest(ref().repo, 'fix/login', ctx()), ref());
  api.routes.set(`${REPO}/pull-requests?at=refs%2Fheads%2Fold&direction=OUTGOING&state=ALL&order=NEWEST&limit=1`, { body: { values: [], isLastPage: true } });
  assert.equal(await provider.resolveBranchPullRequest(ref().repo, 'old', ctx(), true), null);
});
