import assert from 'node:assert/strict';
import type { ChecksSummary } from '../../src/domain/checks.ts';
import { after, test } from 'node:test';
import { request } from 'undici';
import { ProviderError } from '../../src/domain/errors.ts';
import type { PullRequestStatus } from '../../src/domain/row.ts';
import { parseProviderConfigs } from '../../src/providers/config.ts';
import { countDiffLines } from '../../src/providers/gitlab/diff-lines.ts';
import { diffPageStats } from '../../src/providers/gitlab/diff-stats.ts';
import { ApiClient } from '../../src/providers/http/api-client.ts';
import { createHttpAgent } from '../../src/providers/http/agent.ts';
import { gitlabType } from '../../src/providers/gitlab/provider-type.ts';
import { RowConditionalCache } from '../../src/refresh/conditional-cache.ts';
import type { GitProvider, ProviderCallContext } from '../../src/providers/provider.ts';
import { createProviderRegistry } from '../../src/providers/registry.ts';
import { diffsFromRaw, loadCassettes, rawDiffText, startReplay, type Interaction, type Replay } from './support/cassettes.ts';

const cassettes = loadCassettes();
const agent = createHttpAgent();
after(() => agent.close());

const TOKEN = 'glpat-replay-token';
const ctx = (cache = new RowConditionalCache(undefined)): ProviderCallContext => ({ token: TOKEN, signal: new AbortController().signal, cache, truncated: () => assert.fail('no list is truncated') });

async function withReplay<T>(
  interactions: readonly Interaction[],
  run: (provider: GitProvider, replay: Replay) => Promise<T>,
  options: Parameters<typeof startReplay>[1] = {},
): Promise<T> {
  const replay = await startReplay(interactions, options);
  try {
    const registry = createProviderRegistry(parseProviderConfigs(JSON.stringify([{ type: 'gitlab', webUrl: replay.url }])), { dispatcher: agent });
    const result = await run(registry.providers[0]!, replay);
    assert.deepEqual(replay.unmatched, [], 'every request matches a recording');
    for (const seen of replay.requests) assert.equal(seen.headers.authorization, `Bearer ${TOKEN}`);
    return result;
  } finally {
    await replay.close();
  }
}

const interactionsOf = (name: string): Interaction[] => {
  const found = cassettes.get(name);
  assert.ok(found, `cassette ${name} exists`);
  return found;
};

// --- ResolveBranchPullRequest: [project path, branch, open MR iid or null]
const resolveCases: Record<string, [string, string, number | null]> = {
  'ResolveBranchPullRequest/open_mr_branch.yaml': ['test-group9945421/test-project', 'johnstcn-main-patch-98822', 3],
  'ResolveBranchPullRequest/simple_namespace_open_mr_branch.yaml': ['johnstcn/dotfiles', 'github', 1],
  // Merged MR whose source branch was deleted: not an open MR.
  'ResolveBranchPullRequest/nested_branch_deleted_after_merge.yaml': ['test-group9945421/test-subgroup/another-test-project', 'johnstcn-main-patch-54711', null],
  'ResolveBranchPullRequest/nested_group_source_branch_removed_after_merge.yaml': ['gitlab-org/api/client-go', 'add-missing-deprecation-replacement', null],
  // A branch that exists only in a fork is not found on the target project.
  'ResolveBranchPullRequest/nested_fork_branch_not_on_target.yaml': ['test-group9945421/test-subgroup/another-test-project', 'forked', null],
  'ResolveBranchPullRequest/nested_group_branch_from_fork.yaml': ['gitlab-org/api/client-go', 'convert-examples-to-testable-examples', null],
};

for (const [name, [path, branch, iid]] of Object.entries(resolveCases)) {
  test(`replay ${name}: branch ${branch} -> ${iid === null ? 'no open MR' : `!${iid}`}`, async () => {
    await withReplay(interactionsOf(name), async (provider, replay) => {
      const origin = `git@${provider.host.replace(/:\d+$/, '')}:${path}.git`;
      const found = provider.parseOrigin(origin);
      assert.ok(found, 'the scp-like origin parses');
      const ref = await provider.resolveBranchPullRequest(found, branch, ctx());
      assert.equal(ref?.number ?? null, iid);
      // Nested groups travel as one encoded segment.
      assert.ok(replay.requests[0]!.url.startsWith(`/api/v4/projects/${path.replaceAll('/', '%2F')}/merge_requests?`));
    });
  });
}

// --- FetchPullRequestStatus. Line counts are `git apply --numstat` of the same MR's raw diff.
const common = { pullRequestDraft: false, changesRequested: false, baseBranch: 'main' } as const;
// The recorded MRs' checks: no head pipeline but on !2883 (a merge train pipeline that passed).
const noCi: ChecksSummary = { state: 'none', total: 0, passed: 0, failed: 0, pending: 0, failing: [] };
const pipelinePassed: ChecksSummary = { state: 'success', total: 1, passed: 1, failed: 0, pending: 0, failing: [] };
const johnstcn = { authorLogin: 'johnstcn', authorAvatarUrl: 'https://gitlab.com/uploads/-/system/user/avatar/687093/avatar.png' };
const heidi = { authorLogin: 'heidi.berry', authorAvatarUrl: 'https://gitlab.com/uploads/-/system/user/avatar/18657743/avatar.png' };
const openMergeable: Omit<PullRequestStatus, 'url'> = {
  ...common, ...johnstcn, pullRequestState: 'open', pullRequestTitle: 'Open mergeable', headBranch: 'johnstcn-main-patch-98822',
  prNumber: 3, changedFiles: 1, additions: 1, deletions: 1, commits: 1, approved: false, reviewerCount: 0,
  headSha: 'da57fca657e02c1fbe131402f927d134a34b257b', checks: noCi, mergeable: 'clean',
};
const nestedGroupMerged: Omit<PullRequestStatus, 'url'> = {
  ...common, ...heidi, pullRequestState: 'merged', pullRequestTitle: 'fix: Add PublicJobs to CreateProjectOptions',
  headBranch: 'add-missing-deprecation-replacement', prNumber: 2883, changedFiles: 1, additions: 103, deletions: 51, commits: 2,
  approved: true, reviewerCount: 1,
  headSha: 'f793022bc000a737f4fca46a4eed1c4a3ea353d2', checks: pipelinePassed,
};
const statusCases: Record<string, [string, Omit<PullRequestStatus, 'url'>]> = {
  'FetchPullRequestStatus/open_mergeable.yaml': ['test-group9945421/test-project', openMergeable],
  'FetchPullRequestStatus/open_mergeable.bb1701a.yaml': ['test-group9945421/test-project', openMergeable],
  'FetchPullRequestStatus/open_with_conflicts.yaml': ['test-group9945421/test-project', {
    ...common, ...johnstcn, pullRequestState: 'open', pullRequestTitle: 'Open with conflicts', headBranch: 'johnstcn-main-patch-84369',
    prNumber: 2, changedFiles: 1, additions: 1, deletions: 1, commits: 1, approved: false, reviewerCount: 0,
    headSha: '642379758fa148ff24cba5f676226a3f8e560d73', checks: noCi, mergeable: 'conflicts',
  }],
  'FetchPullRequestStatus/nested_merged.yaml': ['test-group9945421/test-subgroup/another-test-project', {
    ...common, ...johnstcn, pullRequestState: 'merged', pullRequestTitle: 'Nested merged', headBranch: 'johnstcn-main-patch-54711',
    prNumber: 1, changedFiles: 1, additions: 1, deletions: 1, commits: 1, approved: false, reviewerCount: 0,
    headSha: 'ff919f3dc418e4fbffb6fbded7b4c9ae60a4531b', checks: noCi,
  }],
  'FetchPullRequestStatus/nested_closed_from_fork.yaml': ['test-group9945421/test-subgroup/another-test-project', {
    ...common, ...johnstcn, pullRequestState: 'closed', pullRequestTitle: 'Nested closed from fork', headBranch: 'forked',
    prNumber: 3, changedFiles: 1, additions: 2, deletions: 0, commits: 1, approved: false, reviewerCount: 0,
    headSha: '6b743c6728fa248e3654657e0e576eafcf472953', checks: noCi,
  }],
  'FetchPullRequestStatus/nested_group_merged.yaml': ['gitlab-org/api/client-go', nestedGroupMerged],
  'FetchPullRequestStatus/nested_group_merged.ccae998.yaml': ['gitlab-org/api/client-go', nestedGroupMerged],
  'FetchPullRequestStatus/nested_group_closed_from_fork.yaml': ['gitlab-org/api/client-go', {
    ...common, authorLogin: 'amrkhald777', authorAvatarUrl: 'https://gitlab.com/uploads/-/system/user/avatar/32878191/avatar.png',
    pullRequestState: 'closed', pullRequestTitle: 'feat: convert examples to testable examples for pkg.go.dev',
    headBranch: 'convert-examples-to-testable-examples', prNumber: 2654, changedFiles: 21, additions: 876, deletions: 0, commits: 2,
    approved: false, reviewerCount: 0,
    headSha: '868041db85955c58393306e7c21c480f243b3a18', checks: noCi,
  }],
  'FetchPullRequestStatus/simple_namespace_open_mergeable.yaml': ['johnstcn/dotfiles', {
    ...common, ...johnstcn, pullRequestState: 'open', pullRequestTitle: 'Edit install.sh', headBranch: 'johnstcn-main-patch-16936',
    prNumber: 2, changedFiles: 1, additions: 1, deletions: 0, commits: 2, approved: false, reviewerCount: 0,
    headSha: '039b0a471e3afd3119c0baa526412ab8ec0bb56b', checks: noCi, mergeable: 'clean',
  }],
  // GitLab reports 794 changed files; the recorded raw diff of this conflicted MR is empty.
  'FetchPullRequestStatus/simple_namespace_open_with_conflicts.yaml': ['johnstcn/dotfiles', {
    ...common, ...johnstcn, pullRequestState: 'open', pullRequestTitle: 'Migrate from Ansible back to shell scripts', headBranch: 'github',
    prNumber: 1, changedFiles: 794, additions: 0, deletions: 0, commits: 2, approved: false, reviewerCount: 0,
    headSha: '806769254e513400a9ef53cd7fd51e236b61eef9', checks: noCi, mergeable: 'conflicts',
  }],
};

/**
 * Older recordings predate the `/diffs` (and one the `/commits`) request. They are answered
 * from the same request in another recording, or `/diffs` from the MR's recorded raw diff.
 */
function supplements(own: readonly Interaction[]): Interaction[] {
  const all = [...cassettes.values()].flat();
  const keys = new Set(own.map((i) => i.key));
  const extra: Interaction[] = [];
  for (const i of all) {
    if (keys.has(i.key) || i.key.endsWith('/raw_diffs') === false) continue;
    const diffsKey = i.key.replace(/\/raw_diffs$/, '/diffs?per_page=100');
    if (!keys.has(diffsKey)) extra.push({ ...i, key: diffsKey, headers: { 'content-type': 'application/json' }, body: diffsFromRaw(rawDiffText(i.body)) });
  }
  return [...all.filter((i) => !keys.has(i.key) && !i.key.endsWith('/raw_diffs')), ...extra];
}

const OLDER = new Set([
  'FetchPullRequestStatus/open_mergeable.bb1701a.yaml',
  'FetchPullRequestStatus/nested_group_merged.ccae998.yaml',
  'FetchPullRequestStatus/nested_group_merged.yaml',
  'FetchPullRequestStatus/nested_group_closed_from_fork.yaml',
  'FetchPullRequestStatus/simple_namespace_open_mergeable.yaml',
  'FetchPullRequestStatus/simple_namespace_open_with_conflicts.yaml',
]);

for (const [name, [path, expected]] of Object.entries(statusCases)) {
  test(`replay ${name}: ${expected.pullRequestState} !${expected.prNumber}`, async () => {
    const own = interactionsOf(name);
    const extra = supplements(own);
    await withReplay(own, async (provider, replay) => {
      const url = `${replay.url}/${path}/-/merge_requests/${expected.prNumber}`;
      const ref = provider.parsePullRequestUrl(url);
      assert.ok(ref);
      const status = await provider.fetchPullRequestStatus(ref, ctx());
      assert.deepEqual(status, { url, ...expected });
      assert.equal(own.filter((i) => !replay.used.has(i)).length, 0, 'every recorded request was made');
      assert.ok(replay.requests.some((r) => r.url.endsWith(`/merge_requests/${expected.prNumber}/reviewers?per_page=100`)), 'reviewers were asked; the 404 is the fallback');
      const supplemented = [...replay.used].filter((i) => !own.includes(i)).length;
      assert.equal(supplemented > 0, OLDER.has(name), 'only older recordings need supplements');
    }, { extra });
  });
}

test('steady state: an unchanged MR costs two 304s and no commit or diff request', async () => {
  await withReplay(interactionsOf('FetchPullRequestStatus/nested_merged.yaml'), async (provider, replay) => {
    const ref = provider.parsePullRequestUrl(`${replay.url}/test-group9945421/test-subgroup/another-test-project/-/merge_requests/1`)!;
    const cache = new RowConditionalCache(undefined);
    const first = await provider.fetchPullRequestStatus(ref, ctx(cache));
    const stored = JSON.parse(JSON.stringify(cache.entries()));
    replay.requests.length = 0;
    assert.deepEqual(await provider.fetchPullRequestStatus(ref, ctx(new RowConditionalCache(stored))), first);
    assert.deepEqual(replay.requests.map((r) => [r.url.replace(/^.*merge_requests\/1/, ''), r.headers['if-none-match']]), [
      ['', 'W/"e0"'],
      ['/approvals', 'W/"e1"'],
    ]);
    assert.ok(JSON.stringify(stored).length < 1_000, `stored validators are small (${JSON.stringify(stored).length} bytes)`);
  }, {
    // The recorder stripped ETags; the MR and its approvals get one here on purpose.
    addHeaders: (i): Record<string, string> => (i.key.endsWith('/approvals') ? { etag: 'W/"e1"' } : /merge_requests\/1$/.test(i.key) ? { etag: 'W/"e0"' } : {}),
  });
});

// --- FetchPullRequestDiff: the line counter agrees with git's numstat on every raw diff.
const rawDiffCases: Record<string, [number, number]> = {
  'FetchPullRequestDiff/open_mergeable.yaml': [1, 1],
  'FetchPullRequestDiff/open_with_conflicts.yaml': [1, 1],
  'FetchPullRequestDiff/nested_merged.yaml': [1, 1],
  'FetchPullRequestDiff/nested_closed_from_fork.yaml': [2, 0],
  'FetchPullRequestDiff/nested_group_merged.yaml': [103, 51],
  'FetchPullRequestDiff/nested_group_closed_from_fork.yaml': [876, 0],
  'FetchPullRequestDiff/simple_namespace_open_mergeable.yaml': [1, 0],
  'FetchPullRequestDiff/simple_namespace_open_with_conflicts_empty_diff.yaml': [0, 0],
};

for (const [name, [additions, deletions]] of Object.entries(rawDiffCases)) {
  test(`replay ${name}: +${additions} -${deletions}`, async () => {
    const replay = await startReplay(interactionsOf(name));
    try {
      const [only] = interactionsOf(name);
      const res = await request(`${replay.url}${only!.key}`);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(countDiffLines(rawDiffText(await res.body.text())), { additions, deletions });
    } finally {
      await replay.close();
    }
  });
}

// --- FetchBranchDiff: through the GitLab API client. A branch missing on the target is a
// 404 ProviderError; the open branch's compare counts the same lines as its MR.
const branchDiffCases: Record<string, [string, number | { additions: number; deletions: number }]> = {
  'FetchBranchDiff/open_mr_branch.yaml': ['test-group9945421/test-project', { additions: 1, deletions: 1 }],
  'FetchBranchDiff/nested_branch_deleted_after_merge.yaml': ['test-group9945421/test-subgroup/another-test-project', 404],
  'FetchBranchDiff/nested_fork_branch_not_on_target.yaml': ['test-group9945421/test-subgroup/another-test-project', 404],
  'FetchBranchDiff/nested_group_branch_from_fork_not_on_target.yaml': ['gitlab-org/api/client-go', 404],
  'FetchBranchDiff/nested_group_source_branch_deleted_after_merge.yaml': ['gitlab-org/api/client-go', 404],
};

for (const [name, [path, expected]] of Object.entries(branchDiffCases)) {
  test(`replay ${name}: ${typeof expected === 'number' ? 'branch not found' : 'compare counts lines'}`, async () => {
    const [project, compare] = interactionsOf(name);
    const replay = await startReplay(interactionsOf(name));
    try {
      const client = new ApiClient({
        apiUrl: `${replay.url}/api/v4`,
        dispatcher: agent,
        clock: { now: () => 0 },
        rateLimitHeaders: gitlabType.rateLimitHeaders,
        headers: () => ({}),
      });
      const projectAnswer = await client.get(project!.key.replace('/api/v4', ''), ctx(), 'GitLab project');
      assert.equal((projectAnswer.body as { path_with_namespace: string }).path_with_namespace, path);
      const comparing = client.get(compare!.key.replace('/api/v4', ''), ctx(), 'GitLab compare');
      if (typeof expected === 'number') {
        await assert.rejects(comparing, (err) => err instanceof ProviderError && err.status === 404 && /Ref Not Found/.test(err.message));
      } else {
        const { additions, deletions } = diffPageStats(((await comparing).body as { diffs: unknown }).diffs);
        assert.deepEqual({ additions, deletions }, expected);
      }
      assert.deepEqual(replay.unmatched, []);
    } finally {
      await replay.close();
    }
  });
}

test('every cassette is replayed by a test above', () => {
  const covered = new Set([...Object.keys(resolveCases), ...Object.keys(statusCases), ...Object.keys(rawDiffCases), ...Object.keys(branchDiffCases)]);
  assert.deepEqual([...cassettes.keys()].filter((k) => !covered.has(k)).sort(), []);
  assert.equal(cassettes.size, covered.size);
});
