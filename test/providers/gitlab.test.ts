import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError, RateLimitedError } from '../../src/domain/errors.ts';
import { RowConditionalCache } from '../../src/refresh/conditional-cache.ts';
import type { PullRequestRef } from '../../src/providers/provider.ts';
import { pipelineVerdict } from '../../src/providers/gitlab/merge-request.ts';
import { fakeProvider } from './support/fake-provider.ts';

// Behaviour the recordings do not show (their rate-limit headers were stripped).
const NOW = Date.UTC(2026, 0, 1);
const MR = '/api/v4/projects/g%2Fsub%2Frepo/merge_requests/5';
const ctx = (cache = new RowConditionalCache(undefined)) => ({ token: 't', signal: new AbortController().signal, cache, truncated: () => assert.fail('no list is truncated') });
const ref = (): PullRequestRef => ({ repo: { host: provider.host, path: 'g/sub/repo' }, number: 5 });

const { api, provider } = await fakeProvider('gitlab', NOW);

function serveMr(overrides: Record<string, unknown> = {}) {
  api.routes.set(MR, {
    body: {
      iid: 5, title: 'Big', state: 'locked', draft: true, source_branch: 's', target_branch: 't', author: null,
      changes_count: '1000+', sha: 'abc', diff_refs: { base_sha: 'base', head_sha: '' }, ...overrides,
    },
  });
  api.routes.set(`${MR}/approvals`, { body: { approved: true, approved_by: [{ user: { username: 'x' } }] } });
  api.routes.set(`${MR}/commits?per_page=100`, { body: [{}, {}] });
  api.routes.set(`${MR}/diffs?per_page=100`, { headers: { 'x-next-page': '2' }, body: [{ diff: '@@ -1 +1,2 @@\n-a\n+b\n+c\n' }] });
  api.routes.set(`${MR}/diffs?per_page=100&page=2`, { headers: { 'x-next-page': '' }, body: [{ diff: '@@ -0,0 +1 @@\n+d\n' }] });
}

test('locked is closed, "1000+" files, diffs over pages, commit count without X-Total', async () => {
  serveMr();
  const cache = new RowConditionalCache(undefined);
  const status = await provider.fetchPullRequestStatus(ref(), ctx(cache));
  assert.deepEqual(
    { ...status },
    {
      url: `${api.url}/g/sub/repo/-/merge_requests/5`, pullRequestState: 'closed', pullRequestTitle: 'Big', pullRequestDraft: true,
      authorLogin: '', authorAvatarUrl: '', baseBranch: 't', headBranch: 's', prNumber: 5, changedFiles: 1000,
      additions: 3, deletions: 1, commits: 2, changesRequested: false, approved: true, reviewerCount: 1,
      headSha: 'abc', checks: { state: 'none', total: 0, passed: 0, failed: 0, pending: 0, failing: [] },
    },
  );
  // head_sha was empty: the diff version falls back to the MR's sha.
  assert.equal(cache.entries()['d']?.etag, 'base..abc');
});

test('the same diff version skips commits and diffs; a new head fetches them again', async () => {
  serveMr();
  const cache = new RowConditionalCache(undefined);
  await provider.fetchPullRequestStatus(ref(), ctx(cache));
  api.requests.length = 0;
  await provider.fetchPullRequestStatus(ref(), ctx(cache));
  assert.deepEqual(api.requests.map((r) => r.url), [MR, `${MR}/approvals`]);
  serveMr({ sha: 'def' });
  api.requests.length = 0;
  await provider.fetchPullRequestStatus(ref(), ctx(cache));
  assert.equal(api.requests.length, 5);
});

test('429 with RateLimit-Reset, 403 with RateLimit-Remaining 0, and 401', async () => {
  api.routes.set(MR, { status: 429, headers: { 'ratelimit-reset': String(NOW / 1000 + 30) }, body: { message: 'Retry later' } });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (e) => e instanceof RateLimitedError && e.resetAt === NOW + 30_000);
  api.routes.set(MR, { status: 403, headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': String(NOW / 1000 + 5) }, body: {} });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), (e) => e instanceof RateLimitedError && e.resetAt === NOW + 5_000);
  api.routes.set(MR, { status: 401, body: { message: '401 Unauthorized' } });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), AuthError);
});

test('an unknown state is a ProviderError naming the field', async () => {
  serveMr({ state: 'archived' });
  await assert.rejects(provider.fetchPullRequestStatus(ref(), ctx()), /field state has unknown value "archived"/);
});

test('the head pipeline is the MR\'s checks and detailed_merge_status its mergeability (open MRs only), from the MR answer alone', async () => {
  const cases: [Record<string, unknown> | null, string, Record<string, unknown>][] = [
    [{ id: 1, sha: 'abc', status: 'running' }, 'ci_still_running', { checks: { state: 'pending', total: 1, passed: 0, failed: 0, pending: 1, failing: [] }, mergeable: 'blocked' }],
    [{ id: 1, sha: 'abc', status: 'failed', name: 'Nightly build' }, 'ci_must_pass', { checks: { state: 'failure', total: 1, passed: 0, failed: 1, pending: 0, failing: ['Nightly build'] }, mergeable: 'blocked' }],
    [{ id: 1, sha: 'abc', status: 'success' }, 'mergeable', { checks: { state: 'success', total: 1, passed: 1, failed: 0, pending: 0, failing: [] }, mergeable: 'clean' }],
    [{ id: 1, sha: 'abc', status: 'skipped' }, 'need_rebase', { checks: { state: 'neutral', total: 1, passed: 0, failed: 0, pending: 0, failing: [] }, mergeable: 'behind' }],
    [null, 'checking', { checks: { state: 'none', total: 0, passed: 0, failed: 0, pending: 0, failing: [] }, mergeable: 'unknown' }],
    [null, 'conflict', { mergeable: 'conflicts' }],
    [null, 'draft_status', { mergeable: 'draft' }],
    [null, 'discussions_not_resolved', { mergeable: 'blocked' }],
  ];
  for (const [pipeline, detailed, expected] of cases) {
    serveMr({ state: 'opened', sha: 'abc', head_pipeline: pipeline, detailed_merge_status: detailed, merge_status: 'can_be_merged' });
    api.requests.length = 0;
    const status = await provider.fetchPullRequestStatus(ref(), ctx());
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(status[key as keyof typeof status], value, `${detailed}: ${key}`);
    assert.ok(api.requests.every((r) => !r.url.includes('pipeline')), 'no request beyond the MR\'s own');
  }
  // An older server without detailed_merge_status: merge_status.
  serveMr({ state: 'opened', detailed_merge_status: undefined, merge_status: 'cannot_be_merged' });
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).mergeable, 'conflicts');
  // A closed MR has no mergeability.
  serveMr({ detailed_merge_status: 'not_open' });
  assert.equal((await provider.fetchPullRequestStatus(ref(), ctx())).mergeable, undefined);
});

test('pipeline statuses: canceled fails, skipped and manual are neutral, every state on its way to running is pending', () => {
  const cases: [string, string][] = [
    ['success', 'passed'], ['failed', 'failed'], ['canceled', 'failed'], ['skipped', 'neutral'], ['manual', 'neutral'],
    ['created', 'pending'], ['waiting_for_resource', 'pending'], ['preparing', 'pending'], ['pending', 'pending'], ['running', 'pending'],
    ['scheduled', 'pending'], ['something_new', 'neutral'],
  ];
  for (const [status, verdict] of cases) assert.equal(pipelineVerdict(status), verdict, status);
});
