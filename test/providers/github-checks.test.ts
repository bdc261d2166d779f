import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ChecksSummary } from '../../src/domain/checks.ts';
import type { PullRequestStatus } from '../../src/domain/row.ts';
import { checkRunVerdict, foldChecks, mergeabilityOf, statusVerdict, type CheckRun, type StatusContext } from '../../src/providers/github/checks.ts';
import type { ProviderCallContext, PullRequestRef, TruncatedList } from '../../src/providers/provider.ts';
import { RowConditionalCache } from '../../src/refresh/conditional-cache.ts';
import { fakeProvider } from './support/fake-provider.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const API = '/api/v3/repos/acme/app';
const SHA = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/github/${name}`, import.meta.url), 'utf8'));

test('check run verdicts: anything not completed is pending; failing conclusions fail; skipped, neutral, stale and unknown ones are neutral', () => {
  for (const status of ['queued', 'in_progress', 'waiting']) assert.equal(checkRunVerdict(status, undefined), 'pending', status);
  const byConclusion: Record<string, string> = {
    success: 'passed',
    failure: 'failed',
    timed_out: 'failed',
    cancelled: 'failed',
    action_required: 'failed',
    startup_failure: 'failed',
    neutral: 'neutral',
    skipped: 'neutral',
    stale: 'neutral',
    something_new: 'neutral',
  };
  for (const [conclusion, verdict] of Object.entries(byConclusion)) assert.equal(checkRunVerdict('completed', conclusion), verdict, conclusion);
  assert.deepEqual(['success', 'pending', 'failure', 'error', 'odd'].map(statusVerdict), ['passed', 'pending', 'failed', 'failed', 'neutral']);
});

test('foldChecks: the latest run per name (a re-run replaces the run before it), plus the status contexts', () => {
  const cases: [string, CheckRun[], StatusContext[], Partial<ChecksSummary>][] = [
    ['nothing on the commit', [], [], { state: 'none', total: 0 }],
    ['a re-run that passed replaces the failure', [['lint', 'failed', 1], ['lint', 'passed', 2]], [], { state: 'success', total: 1, failed: 0 }],
    ['order does not matter', [['lint', 'passed', 2], ['lint', 'failed', 1]], [], { state: 'success', total: 1 }],
    ['a re-run still running is pending', [['lint', 'failed', 1], ['lint', 'pending', 3]], [], { state: 'pending', pending: 1 }],
    ['a status context fails the commit', [['build', 'passed', 1]], [['ci/jenkins', 'failed']], { state: 'failure', total: 2, failing: ['ci/jenkins'] }],
    ['statuses alone', [], [['ci/a', 'passed'], ['ci/b', 'pending']], { state: 'pending', total: 2, passed: 1, pending: 1 }],
    ['skipped runs only', [['docs', 'neutral', 1]], [], { state: 'neutral', total: 1 }],
  ];
  for (const [name, runs, statuses, expected] of cases) {
    const summary = foldChecks(runs, statuses);
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(summary[key as keyof ChecksSummary], value, `${name}: ${key}`);
  }
});

test('mergeable_state: dirty is conflicts, unstable and has_hooks are clean, lazy or unknown states unknown; closed PRs have none', () => {
  const ofOpen = { clean: 'clean', unstable: 'clean', has_hooks: 'clean', dirty: 'conflicts', blocked: 'blocked', behind: 'behind', draft: 'draft', unknown: 'unknown', something_new: 'unknown' };
  for (const [state, expected] of Object.entries(ofOpen)) assert.equal(mergeabilityOf(state, 'open'), expected, state);
  assert.equal(mergeabilityOf(undefined, 'open'), 'unknown', 'absent or null: still being computed');
  for (const prState of ['merged', 'closed'] as const) assert.equal(mergeabilityOf('dirty', prState), undefined, prState);
});

const { api, provider } = await fakeProvider('github', NOW);

type TestContext = ProviderCallContext & { cache: RowConditionalCache; truncations: TruncatedList[] };
function ctx(cache = new RowConditionalCache(undefined), stored?: PullRequestStatus): TestContext {
  const truncations: TruncatedList[] = [];
  return { token: 'ghp_checks', signal: new AbortController().signal, cache, ...(stored ? { stored } : {}), truncations, truncated: (list) => truncations.push(list) };
}
const ref = (): PullRequestRef => ({ repo: { host: provider.host, path: 'acme/app' }, number: 1347 });

const RUNS = `${API}/commits/${SHA}/check-runs?per_page=100`;
const RUNS_2 = `/api/v3/repositories/1296269/commits/${SHA}/check-runs?per_page=100&page=2`;
const STATUS = `${API}/commits/${SHA}/status?per_page=100`;

function serve(mergeableState = 'blocked', page2 = fixture('check-runs-page-2.json'), page2Etag = '"runs-2a"') {
  api.routes.set(`${API}/pulls/1347`, {
    headers: { etag: `"pull-${mergeableState}"` },
    body: {
      number: 1347, state: 'open', title: 'Amazing new feature', draft: false, merged: false, mergeable: mergeableState === 'unknown' ? null : true,
      mergeable_state: mergeableState, additions: 100, deletions: 3, changed_files: 5, commits: 3, user: { login: 'octocat' },
      base: { ref: 'master', sha: '6dcb09b5b57875f334f61aebed695e2e4193db5f' }, head: { ref: 'new-topic', sha: SHA },
      html_url: `${api.url}/acme/app/pull/1347`,
    },
  });
  api.routes.set(`${API}/pulls/1347/reviews?per_page=100`, { headers: { etag: '"reviews"' }, body: [] });
  api.routes.set(RUNS, { headers: { etag: '"runs-1"', link: `<${api.url}${RUNS_2}>; rel="next", <${api.url}${RUNS_2}>; rel="last"` }, body: fixture('check-runs-page-1.json') });
  api.routes.set(RUNS_2, { headers: { etag: page2Etag }, body: page2 });
  api.routes.set(STATUS, { headers: { etag: '"status"' }, body: fixture('combined-status.json') });
}

const EXPECTED: ChecksSummary = { state: 'failure', total: 6, passed: 2, failed: 1, pending: 2, failing: ['build'] };

test('GitHub: check runs over two pages and the combined status fold into the row\'s checks; the head sha and mergeable_state come with the PR', async () => {
  serve();
  const status = await provider.fetchPullRequestStatus(ref(), ctx());
  assert.deepEqual(status.checks, EXPECTED);
  assert.equal(status.headSha, SHA);
  assert.equal(status.mergeable, 'blocked');
  assert.deepEqual(api.requests.map((r) => r.url), [`${API}/pulls/1347`, `${API}/pulls/1347/reviews?per_page=100`, RUNS, RUNS_2, STATUS]);
});

test('GitHub: unchanged PR and checks cost only 304s (from another container); a run finishing re-reads its page only', async () => {
  serve();
  const cache = new RowConditionalCache(undefined);
  const first = await provider.fetchPullRequestStatus(ref(), ctx(cache));
  const stored = JSON.parse(JSON.stringify(cache.entries()));
  assert.ok(JSON.stringify(stored).length < 800, `the checks' cache entries stay small: ${JSON.stringify(stored)}`);
  api.requests.length = 0;
  const again = await provider.fetchPullRequestStatus(ref(), ctx(new RowConditionalCache(stored), first));
  assert.deepEqual(again, first);
  assert.ok(api.requests.every((r) => r.headers['if-none-match'] !== undefined), 'every request conditional');
  assert.equal(api.requests.length, 5);

  // The test run finishes green: page 2 changes (new ETag), page 1 and the status answer 304.
  const page2 = fixture('check-runs-page-2.json') as { check_runs: { status: string; conclusion: string | null }[] };
  page2.check_runs[0]!.status = 'completed';
  page2.check_runs[0]!.conclusion = 'success';
  serve('blocked', page2, '"runs-2b"');
  api.requests.length = 0;
  const cache3 = new RowConditionalCache(stored);
  const finished = await provider.fetchPullRequestStatus(ref(), ctx(cache3, first));
  assert.deepEqual(finished.checks, { ...EXPECTED, passed: 3, pending: 1 });
  assert.equal(cache3.entries()['c2']?.etag, '"runs-2b"');
});

test('GitHub: a token that may not read checks (403) or a commit GitHub does not know (404) leaves the checks unknown, not the row failed', async () => {
  for (const status of [403, 404]) {
    serve();
    api.routes.set(RUNS, { status, headers: { 'x-ratelimit-remaining': '4000' }, body: { message: 'Resource not accessible by integration' } });
    const result = await provider.fetchPullRequestStatus(ref(), ctx());
    assert.equal(result.checks, undefined, String(status));
    assert.equal(result.headSha, SHA);
    assert.equal(result.pullRequestTitle, 'Amazing new feature');
  }
});

test('GitHub: mergeability still being computed is reported unknown; the PR is asked again in full (its row never stores unknown)', async () => {
  serve('unknown');
  const cache = new RowConditionalCache(undefined);
  const first = await provider.fetchPullRequestStatus(ref(), ctx(cache));
  assert.equal(first.mergeable, 'unknown');
  // The row keeps what it knew (here: nothing), so the PR's digest does not match: no stale 304.
  const { mergeable: _, ...asStored } = first;
  serve('clean');
  api.requests.length = 0;
  const second = await provider.fetchPullRequestStatus(ref(), ctx(new RowConditionalCache(JSON.parse(JSON.stringify(cache.entries()))), asStored));
  assert.equal(second.mergeable, 'clean');
  assert.equal(api.requests[0]?.headers['if-none-match'], undefined);
});

test('GitHub: more statuses than the one page read are reported as a truncated list', async () => {
  serve();
  const body = fixture('combined-status.json') as { total_count: number };
  body.total_count = 250;
  api.routes.set(STATUS, { body });
  const c = ctx();
  await provider.fetchPullRequestStatus(ref(), c);
  assert.deepEqual(c.truncations, [{ what: 'GitHub commit statuses', pages: 1 }]);
});
