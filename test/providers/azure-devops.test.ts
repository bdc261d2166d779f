import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError, ProviderError, RateLimitedError } from '../../src/domain/errors.ts';
import type { TruncatedList } from '../../src/providers/provider.ts';
import { RowConditionalCache } from '../../src/refresh/conditional-cache.ts';
import { azurePr, azureRepoApi, serveAzureBranchSearch, serveAzurePr } from '../support/azure-devops-pr.ts';
import { fakeProvider } from './support/fake-provider.ts';

// An Azure DevOps Server look-alike on loopback: repositories are collection/project/repo.
const NOW = Date.UTC(2026, 0, 1);
const PATH = 'Coll/My Project/app';
const PR = `${azureRepoApi(PATH)}/pullrequests/5?api-version=7.1`;
const STATUSES = `${azureRepoApi(PATH)}/pullrequests/5/statuses?api-version=7.1`;
const TOKEN = 'azdo-pat-0123456789';
const ctx = (cache = new RowConditionalCache(undefined), truncated: TruncatedList[] = []) => ({
  token: TOKEN,
  signal: new AbortController().signal,
  cache,
  truncated: (list: TruncatedList) => void truncated.push(list),
});

const { api, provider } = await fakeProvider('azure-devops', NOW, undefined, { maxPages: 3 });
const ref = () => ({ repo: { host: provider.host, path: PATH }, number: 5 });

test('an active PR: fields, votes, commits over continuation pages, changed files of the last iteration; no line counts', async () => {
  serveAzurePr(api, PATH, azurePr(5), { commitPages: [100, 7], changePages: [100, 20], iterations: [1, 3, 2] });
  const status = await provider.fetchPullRequestStatus(ref(), ctx());
  assert.deepEqual(
    { ...status },
    {
      url: `${api.url}/Coll/My%20Project/_git/app/pullrequest/5`,
      pullRequestState: 'open', pullRequestTitle: 'Add the thing', pullRequestDraft: false,
      authorLogin: 'dev@fabrikam.com', authorAvatarUrl: 'https://dev.azure.com/_apis/GraphProfile/MemberAvatars/aad.x',
      baseBranch: 'main', headBranch: 'feature', prNumber: 5,
      changedFiles: 120, commits: 107, changesRequested: false, approved: true, reviewerCount: 1,
      mergeable: 'clean',
      checks: { state: 'failure', total: 2, passed: 1, failed: 1, pending: 0, failing: ['ci/lint'] },
    },
  );
  assert.ok(!('additions' in status) && !('deletions' in status), 'unknown line counts are absent, not 0');
  // Iteration 3 is the last one even when listed out of order; a PAT travels as Basic with an empty user.
  assert.ok(api.requests.some((r) => r.url.includes('/iterations/3/changes?$top=100&$skip=100&')));
  assert.ok(api.requests.every((r) => r.headers.authorization === `Basic ${Buffer.from(`:${TOKEN}`).toString('base64')}`));
  assert.ok(api.requests.every((r) => r.headers['x-tfs-fedauthredirect'] === 'Suppress'));
});

const cases: [string, Record<string, unknown>, Partial<Record<string, unknown>>][] = [
  ['draft', { isDraft: true }, { pullRequestState: 'open', pullRequestDraft: true }],
  ['completed is merged', { status: 'completed' }, { pullRequestState: 'merged' }],
  ['abandoned is closed', { status: 'abandoned' }, { pullRequestState: 'closed' }],
  ['approved with suggestions', { reviewers: [{ uniqueName: 'a', vote: 5 }] }, { approved: true, changesRequested: false, reviewerCount: 1 }],
  ['rejected', { reviewers: [{ uniqueName: 'a', vote: 10 }, { uniqueName: 'b', vote: -10 }] }, { approved: false, changesRequested: true, reviewerCount: 2 }],
  ['waiting for the author', { reviewers: [{ uniqueName: 'a', vote: -5 }] }, { approved: false, changesRequested: true, reviewerCount: 1 }],
  ['no reviewers, no author', { reviewers: undefined, createdBy: undefined }, { approved: false, reviewerCount: 0, authorLogin: '' }],
];

for (const [name, overrides, expected] of cases) {
  test(`PR ${name}`, async () => {
    serveAzurePr(api, PATH, azurePr(5, overrides));
    const status = await provider.fetchPullRequestStatus(ref(), ctx());
    for (const [field, value] of Object.entries(expected)) assert.equal(status[field as keyof typeof status], value, field);
  });
}

test('the same merge version skips commits, iterations and changes; a new source commit reads them again', async () => {
  serveAzurePr(api, PATH, azurePr(5));
  const cache = new RowConditionalCache(undefined);
  await provider.fetchPullRequestStatus(ref(), ctx(cache));
  assert.equal(cache.entries()['d']?.etag, 'tgt1..src1');
  api.requests.length = 0;
  const stored = new RowConditionalCache(JSON.parse(JSON.stringify(cache.entries())));
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx(stored))).commits, 2);
  assert.deepEqual(api.requests.map((r) => r.url), [PR, STATUSES]);
  serveAzurePr(api, PATH, azurePr(5, { lastMergeSourceCommit: { commitId: 'src2' } }), { commitPages: [4] });
  api.requests.length = 0;
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx(stored))).commits, 4);
  assert.equal(api.requests.length, 5);
});

test('a PR whose merge is not computed yet is counted but not kept', async () => {
  serveAzurePr(api, PATH, azurePr(5, { lastMergeTargetCommit: undefined }));
  const cache = new RowConditionalCache(undefined);
  await provider.fetchPullRequestStatus(ref(), ctx(cache));
  assert.equal(cache.entries()['d'], undefined);
});

test('an ETag makes the PR a 304 answered from the stored compact form, reviewers included', async () => {
  serveAzurePr(api, PATH, azurePr(5, { reviewers: [{ uniqueName: 'a', vote: -10, displayName: 'x'.repeat(300) }] }), { etag: '"pr-v1"', statusesEtag: '"st-v1"' });
  const cache = new RowConditionalCache(undefined);
  const first = await provider.fetchPullRequestStatus(ref(), ctx(cache));
  api.requests.length = 0;
  const second = await provider.fetchPullRequestStatus(ref(), ctx(new RowConditionalCache(JSON.parse(JSON.stringify(cache.entries())))));
  assert.deepEqual(second, first);
  assert.equal(second.checks?.state, 'failure');
  assert.deepEqual(api.requests.map((r) => r.headers['if-none-match']), ['"pr-v1"', '"st-v1"']);
  assert.ok(!JSON.stringify(cache.entries()).includes('xxxx'), 'description and display names are not stored');
});

test('mergeStatus: conflicts, a policy or failure blocks, queued is unknown; a draft is draft, a completed PR has none', async () => {
  const cases: [Record<string, unknown>, string | undefined][] = [
    [{ mergeStatus: 'succeeded' }, 'clean'],
    [{ mergeStatus: 'conflicts' }, 'conflicts'],
    [{ mergeStatus: 'rejectedByPolicy' }, 'blocked'],
    [{ mergeStatus: 'failure' }, 'blocked'],
    [{ mergeStatus: 'queued' }, 'unknown'],
    [{ mergeStatus: 'notSet' }, 'unknown'],
    [{ mergeStatus: undefined }, 'unknown'],
    [{ mergeStatus: 'conflicts', isDraft: true }, 'draft'],
    [{ mergeStatus: 'succeeded', status: 'completed' }, undefined],
  ];
  for (const [overrides, expected] of cases) {
    serveAzurePr(api, PATH, azurePr(5, overrides));
    assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).mergeable, expected, JSON.stringify(overrides));
  }
});

test('statuses: none is none; a status without a genre is named by its name; a 403 on them leaves checks unknown, the PR refreshed', async () => {
  serveAzurePr(api, PATH, azurePr(5), { statuses: [] });
  assert.deepEqual((await provider.fetchPullRequestStatus(ref(), ctx())).checks, { state: 'none', total: 0, passed: 0, failed: 0, pending: 0, failing: [] });
  serveAzurePr(api, PATH, azurePr(5), { statuses: [{ id: 7, state: 'pending', context: { name: 'deploy' } }] });
  assert.deepEqual((await provider.fetchPullRequestStatus(ref(), ctx())).checks, { state: 'pending', total: 1, passed: 0, failed: 0, pending: 1, failing: [] });
  serveAzurePr(api, PATH, azurePr(5));
  api.routes.set(STATUSES, { status: 403, body: { message: 'TF401027: You need the Git GenericRead permission' } });
  const status = await provider.fetchPullRequestStatus(ref(), ctx());
  assert.equal(status.checks, undefined);
  assert.equal(status.mergeable, 'clean');
  serveAzurePr(api, PATH, azurePr(5), { statuses: [{ id: 'x', state: 'failed', context: { name: 'lint' } }] });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), ProviderError, 'a hostile statuses answer fails the row with a clear error');
});

test('commits and changes stop at maxPages and say so', async () => {
  serveAzurePr(api, PATH, azurePr(5), { commitPages: [100, 100, 100, 100], changePages: [100, 100, 100, 5] });
  const truncated: TruncatedList[] = [];
  const status = await provider.fetchPullRequestStatus(ref(), ctx(undefined, truncated));
  assert.equal(status.commits, 300);
  assert.equal(status.changedFiles, 300);
  assert.deepEqual(truncated, [
    { what: 'Azure DevOps pull request commits', pages: 3 },
    { what: 'Azure DevOps iteration changes', pages: 3 },
  ]);
});

test('branch lookup: active PR newest first, any state, none', async () => {
  serveAzureBranchSearch(api, PATH, 'feature/x', 'active', [9]);
  serveAzureBranchSearch(api, PATH, 'feature/x', 'all', [12]);
  serveAzureBranchSearch(api, PATH, 'gone', 'active', []);
  assert.deepEqual(await provider.resolveBranchPullRequest(ref().repo, 'feature/x', ctx()), { repo: ref().repo, number: 9 });
  assert.equal(api.requests[0]?.url,
    '/Coll/My%20Project/_apis/git/repositories/app/pullrequests?searchCriteria.sourceRefName=refs%2Fheads%2Ffeature%2Fx&searchCriteria.status=active&%24top=1&api-version=7.1');
  assert.equal((await provider.resolveBranchPullRequest(ref().repo, 'feature/x', ctx(), true))?.number, 12);
  assert.equal(await provider.resolveBranchPullRequest(ref().repo, 'gone', ctx()), null);
  await assert.rejects(provider.resolveBranchPullRequest(ref().repo, 'bad..name', ctx()), /not a valid git branch name/);
});

test('429 TF400733 with Retry-After, 429 with X-RateLimit-Reset only: RateLimitedError until then', async () => {
  const tf = { message: 'TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource ...' };
  api.routes.set(PR, { status: 429, headers: { 'retry-after': '30', 'x-ratelimit-resource': 'ATCPU', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 300) }, body: tf });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (e) => e instanceof RateLimitedError && e.resetAt === NOW + 30_000);
  api.routes.set(PR, { status: 429, headers: { 'x-ratelimit-reset': String(NOW / 1000 + 90) }, body: tf });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (e) => e instanceof RateLimitedError && e.resetAt === NOW + 90_000);
});

test('a delayed request (200 with X-RateLimit-Delay and Remaining 0) is an answer, not a limit', async () => {
  serveAzurePr(api, PATH, azurePr(5));
  api.routes.set(PR, { headers: { 'x-ratelimit-delay': '0.5', 'x-ratelimit-remaining': '0' }, body: azurePr(5) });
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).prNumber, 5);
});

test('401, and a 203 sign-in page, are AuthError; an unknown status or 404 a ProviderError', async () => {
  api.routes.set(PR, { status: 401, body: '' });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (e) => e instanceof AuthError && e.status === 401);
  api.routes.set(PR, { status: 203, headers: { 'content-type': 'text/html' }, body: '<html>Sign in</html>' });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (e) => e instanceof AuthError && e.status === 203);
  serveAzurePr(api, PATH, azurePr(5, { status: 'notSet' }));
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), /field status has unknown value "notSet"/);
  api.routes.delete(PR);
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (e) => e instanceof ProviderError && e.status === 404);
});

test('a continuation token leading nowhere sensible is refused, not followed', async () => {
  serveAzurePr(api, PATH, azurePr(5));
  const commits = `${azureRepoApi(PATH)}/pullrequests/5/commits?$top=100&api-version=7.1`;
  api.routes.set(commits, { headers: { 'x-ms-continuationtoken': 'x'.repeat(2_000) }, body: { value: [{}] } });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), /continuation token longer than/);
});

test('an Entra token travels as Bearer', async () => {
  serveAzurePr(api, PATH, azurePr(5));
  const jwt = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2ln';
  await provider.fetchPullRequestStatus(ref(), { ...ctx(), token: jwt });
  assert.ok(api.requests.every((r) => r.headers.authorization === `Bearer ${jwt}`));
});

test('a repository path that is not Azure-shaped never reaches the API', async () => {
  await assert.rejects(provider.fetchPullRequestStatus({ repo: { host: provider.host, path: 'a/../b' }, number: 5 }, ctx()), /is not a azure-devops repository/);
  await assert.rejects(provider.fetchPullRequestStatus({ repo: { host: 'dev.azure.com', path: PATH }, number: 5 }, ctx()), /is not a azure-devops repository/);
  assert.equal(api.requests.length, 0);
});
