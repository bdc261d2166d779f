import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startFakeApi, type FakeApi } from './providers/support/fake-api.ts';

// Held-out style: look-alikes answering with GitHub's and GitLab's own published example
// answers (test/fixtures/github), and `gitsync pr` as a user runs it.
const BIN = fileURLToPath(new URL('../bin/gitsync.js', import.meta.url));
const SHA = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/github/${name}`, import.meta.url), 'utf8'));
let github: FakeApi;
let gitlab: FakeApi;

before(async () => {
  github = await startFakeApi();
  const repo = '/api/v3/repos/octocat/Hello-World';
  // "Get a pull request", GitHub's example (its head is the combined status example's commit), trimmed of long nested objects.
  github.routes.set(`${repo}/pulls/1347`, {
    headers: { etag: 'W/"pull-1347"' },
    body: {
      url: 'https://api.github.com/repos/octocat/Hello-World/pulls/1347', id: 1, node_id: 'MDExOlB1bGxSZXF1ZXN0MQ==',
      html_url: `${github.url}/octocat/Hello-World/pull/1347`, number: 1347, state: 'open', locked: true, title: 'Amazing new feature',
      user: { login: 'octocat', id: 1, avatar_url: 'https://github.com/images/error/octocat_happy.gif', type: 'User', site_admin: false },
      body: 'Please pull these awesome changes in!', created_at: '2011-01-26T19:01:12Z', updated_at: '2011-01-26T19:01:12Z',
      closed_at: '2011-01-26T19:01:12Z', merged_at: '2011-01-26T19:01:12Z', merge_commit_sha: 'e5bd3914e2e596debea16f433f57875b5b90bcd6',
      head: { label: 'octocat:new-topic', ref: 'new-topic', sha: SHA, user: { login: 'octocat', id: 1 }, repo: { id: 1296269, full_name: 'octocat/Hello-World' } },
      base: { label: 'octocat:master', ref: 'master', sha: SHA, user: { login: 'octocat', id: 1 }, repo: { id: 1296269, full_name: 'octocat/Hello-World' } },
      author_association: 'OWNER', draft: false, merged: false, mergeable: true, rebaseable: true, mergeable_state: 'blocked',
      comments: 10, review_comments: 0, maintainer_can_modify: true, commits: 3, additions: 100, deletions: 3, changed_files: 5,
    },
  });
  github.routes.set(`${repo}/pulls/1347/reviews?per_page=100`, { headers: { etag: '"reviews"' }, body: [] });
  // "List check runs for a Git reference" over two pages (a failing and a pending run), and the combined status with a pending context.
  const runs = `${repo}/commits/${SHA}/check-runs?per_page=100`;
  const runs2 = `/api/v3/repositories/1296269/commits/${SHA}/check-runs?per_page=100&page=2`;
  github.routes.set(runs, { headers: { etag: '"runs-1"', link: `<${github.url}${runs2}>; rel="next", <${github.url}${runs2}>; rel="last"` }, body: fixture('check-runs-page-1.json') });
  github.routes.set(runs2, { headers: { etag: '"runs-2"', link: `<${github.url}${runs}>; rel="first", <${github.url}${runs}>; rel="prev"` }, body: fixture('check-runs-page-2.json') });
  github.routes.set(`${repo}/commits/${SHA}/status?per_page=100`, { headers: { etag: '"status"' }, body: fixture('combined-status.json') });

  gitlab = await startFakeApi();
  const mr = '/api/v4/projects/my-group%2Fmy-project/merge_requests/1';
  // "Get single MR", GitLab's example fields, with its head pipeline still running.
  gitlab.routes.set(mr, {
    body: {
      id: 155016530, iid: 1, project_id: 15513260, title: 'Draft: Vel qui mollitia', description: 'Et voluptas corrupti assumenda temporibus.',
      state: 'opened', created_at: '2022-05-13T07:26:38.402Z', updated_at: '2022-05-14T03:38:31.354Z', target_branch: 'main',
      source_branch: 'test', user_notes_count: 0, upvotes: 0, downvotes: 0, author: { id: 10, username: 'nick', name: 'Nick', state: 'active', avatar_url: 'https://example.com/n.png' },
      draft: true, work_in_progress: true, merge_when_pipeline_succeeds: false, merge_status: 'can_be_merged', detailed_merge_status: 'ci_still_running',
      sha: '8888888888888888888888888888888888888888', web_url: `${gitlab.url}/my-group/my-project/-/merge_requests/1`, changes_count: '1',
      head_pipeline: {
        id: 33, iid: 2, project_id: 15513260, sha: '8888888888888888888888888888888888888888', ref: 'test', status: 'running', source: 'push',
        created_at: '2022-05-13T07:26:38.402Z', updated_at: '2022-05-13T07:26:38.402Z', web_url: `${gitlab.url}/my-group/my-project/-/pipelines/33`,
        before_sha: '0000000000000000000000000000000000000000', tag: false, yaml_errors: null, started_at: '2022-05-13T07:26:38.402Z',
      },
      diff_refs: { base_sha: 'c380d3acebd181f13629a25d2e2acca46ffe1e00', head_sha: '8888888888888888888888888888888888888888', start_sha: 'c380d3acebd181f13629a25d2e2acca46ffe1e00' },
    },
  });
  gitlab.routes.set(`${mr}/approvals`, { body: { approved: false, approved_by: [] } });
  gitlab.routes.set(`${mr}/reviewers?per_page=100`, { body: [] });
  gitlab.routes.set(`${mr}/commits?per_page=100`, { headers: { 'x-total': '1' }, body: [] });
  gitlab.routes.set(`${mr}/diffs?per_page=100`, { body: [{ diff: '@@ -1 +1 @@\n-a\n+b\n' }] });
});
after(async () => {
  await Promise.all([github.close(), gitlab.close()]);
});

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('gitsync pr: GitHub check runs over two pages (a failing and a pending run, a re-run replacing a failure) and a pending status context, with mergeable_state blocked', async () => {
  const out = await run(['pr', `${github.url}/octocat/Hello-World/pull/1347`], {
    GITHUB_TOKEN: 'ghp_checks_cli',
    GIT_PROVIDERS: JSON.stringify([{ type: 'github', webUrl: github.url }]),
  });
  assert.equal(out.code, 0, out.stderr);
  const status = JSON.parse(out.stdout);
  assert.deepEqual(status.checks, { state: 'failure', total: 6, passed: 2, failed: 1, pending: 2, failing: ['build'] });
  assert.equal(status.mergeable, 'blocked');
  assert.equal(status.headSha, SHA);
  assert.equal(status.pullRequestTitle, 'Amazing new feature');
});

test('gitsync pr: a GitLab MR whose head pipeline runs shows pending checks, and its detailed_merge_status as blocked', async () => {
  const out = await run(['pr', `${gitlab.url}/my-group/my-project/-/merge_requests/1`], {
    GITLAB_TOKEN: 'glpat-checks',
    GIT_PROVIDERS: JSON.stringify([{ type: 'gitlab', webUrl: gitlab.url }]),
  });
  assert.equal(out.code, 0, out.stderr);
  const status = JSON.parse(out.stdout);
  assert.deepEqual(status.checks, { state: 'pending', total: 1, passed: 0, failed: 0, pending: 1, failing: [] });
  assert.equal(status.mergeable, 'blocked');
  assert.equal(status.headSha, '8888888888888888888888888888888888888888');
});
