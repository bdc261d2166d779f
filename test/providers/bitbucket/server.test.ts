import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError } from '../../../src/domain/errors.ts';
import type { TruncatedList } from '../../../src/providers/provider.ts';
import { RowConditionalCache } from '../../../src/refresh/conditional-cache.ts';
import { bitbucketServer } from './flavours.ts';
import { refreshTwice } from '../support/refresh-twice.ts';

// The server lives below a context path: every API path and PR URL carries it.
const { api, provider, servePr, ref, ctx, repoPath: REPO, prPath: PR } = await bitbucketServer();
const DIFF = `${PR}/diff?contextLines=0&withComments=false`;
const COMMITS = `${PR}/commits?withCounts=true&limit=100`;
const MERGE = `${PR}/merge`;
const HEAD = '0123456789abcdef0123456789abcdef01234567';
const BUILDS = `/bitbucket/rest/build-status/1.0/commits/${HEAD}?limit=100`;

test('an open, approved PR below a context path: fields, diff lines, commits over pages, Bearer', async () => {
  servePr();
  const status = await provider.fetchPullRequestStatus(ref(), ctx());
  assert.deepEqual(
    { ...status },
    {
      url: `${api.url}/bitbucket/projects/PROJ/repos/app/pull-requests/7`, pullRequestState: 'open', pullRequestTitle: 'Fix login', pullRequestDraft: false,
      authorLogin: 'alice', authorAvatarUrl: '', baseBranch: 'main', headBranch: 'fix/login', prNumber: 7,
      approved: true, changesRequested: false, reviewerCount: 1, additions: 3, deletions: 1, changedFiles: 2, commits: 3,
      mergeable: 'clean',
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

/** A build status in the build-status API's documented shape. */
function build(key: string, state: string, dateAdded: number, name: string | null = `${key} plan`) {
  return { state, key, ...(name !== null ? { name } : {}), url: `https://ci.example.com/browse/${key}`, description: `${key} ${state}`, dateAdded };
}

function serveHead(buildPages: unknown[][], etag?: string) {
  servePr({ fromRef: { id: 'refs/heads/fix/login', displayId: 'fix/login', latestCommit: HEAD } });
  buildPages.forEach((values, i) => {
    const path = i === 0 ? BUILDS : `${BUILDS}&start=${i * 10}`;
    const last = i + 1 === buildPages.length;
    api.routes.set(path, { headers: i === 0 && etag ? { etag } : {}, body: { size: values.length, limit: 100, start: i * 10, isLastPage: last, values, ...(last ? {} : { nextPageStart: (i + 1) * 10 }) } });
  });
}

test('the head commit\'s builds from the build-status API: every page, latest per key, CANCELLED fails; an unchanged first page is a 304', async () => {
  serveHead(
    [
      [build('PLAN-1', 'FAILED', 1_000), build('PLAN-2', 'INPROGRESS', 1_500, null)],
      [build('PLAN-1', 'SUCCESSFUL', 2_000), build('PLAN-3', 'CANCELLED', 1_200)],
    ],
    '"b-1"',
  );
  const [status, again] = await refreshTwice(provider, ref(), ctx, () => (api.requests.length = 0));
  assert.equal(status.headSha, HEAD);
  assert.deepEqual(status.checks, { state: 'failure', total: 3, passed: 1, failed: 1, pending: 1, failing: ['PLAN-3 plan'] });
  assert.deepEqual(again.checks, status.checks);
  assert.deepEqual(
    api.requests.filter((r) => r.url.includes('/build-status/')).map((r) => [r.url, r.headers['if-none-match'], r.headers.authorization]),
    [[BUILDS, '"b-1"', 'Bearer BBDC-token'], [`${BUILDS}&start=10`, undefined, 'Bearer BBDC-token']],
  );
});

test('builds: none is none; a 401 on them is the row\'s auth error, a 403 or 404 leaves checks unknown', async () => {
  serveHead([[]]);
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).checks?.state, 'none');
  serveHead([[]]);
  api.routes.set(BUILDS, { status: 404, body: { errors: [{ message: 'No such commit' }] } });
  const status = await provider.fetchPullRequestStatus(ref(), ctx());
  assert.equal(status.checks, undefined);
  assert.equal(status.mergeable, 'clean');
  api.routes.set(BUILDS, { status: 401, body: { errors: [{ message: 'Authentication failed' }] } });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), AuthError);
});

test('the merge check: conflicted, vetoed, still computing, clean; a draft is draft and a merged PR has none (neither asked)', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ canMerge: false, conflicted: true, outcome: 'CONFLICTED', vetoes: [] }, 'conflicts'],
    [{ canMerge: false, conflicted: false, outcome: 'CLEAN', vetoes: [{ summaryMessage: 'Not enough approvals', detailedMessage: 'Needs 2 approvals' }] }, 'blocked'],
    [{ canMerge: false, conflicted: false, outcome: 'UNKNOWN', vetoes: [] }, 'unknown'],
    [{ canMerge: true, conflicted: false, outcome: 'CLEAN', vetoes: [] }, 'clean'],
  ];
  for (const [answer, expected] of cases) {
    servePr();
    api.routes.set(MERGE, { body: answer });
    assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).mergeable, expected, JSON.stringify(answer));
  }
  for (const [overrides, expected] of [[{ draft: true }, 'draft'], [{ state: 'MERGED' }, undefined]] as const) {
    servePr(overrides);
    api.requests.length = 0;
    assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).mergeable, expected);
    assert.ok(!api.requests.some((r) => r.url === MERGE));
  }
});

test('branch search: outgoing from refs/heads/<branch>, open or all states', async () => {
  api.routes.set(`${REPO}/pull-requests?at=refs%2Fheads%2Ffix%2Flogin&direction=OUTGOING&state=OPEN&order=NEWEST&limit=1`, { body: { values: [{ id: 7 }], isLastPage: true } });
  assert.deepEqual(await provider.resolveBranchPullRequest(ref().repo, 'fix/login', ctx()), ref());
  api.routes.set(`${REPO}/pull-requests?at=refs%2Fheads%2Fold&direction=OUTGOING&state=ALL&order=NEWEST&limit=1`, { body: { values: [], isLastPage: true } });
  assert.equal(await provider.resolveBranchPullRequest(ref().repo, 'old', ctx(), true), null);
});
