import assert from 'node:assert/strict';
import { test } from 'node:test';
import { githubWebhook, parseGitHubDelivery } from '../../src/providers/github/webhook.ts';
import { gitlabWebhook, parseGitLabDelivery } from '../../src/providers/gitlab/webhook.ts';

const SHA = 'ce587453ced02b1526dfb4cb910479d431683101';
const repository = { full_name: 'octocat/Hello-World', html_url: 'https://github.com/octocat/Hello-World' };
const branch = (name: string) => ({ kind: 'branch', repoUrl: repository.html_url, branch: name });

test('GitHub check_run / check_suite: a completed one makes its suite\'s head branch due; starting runs and forks are ignored', () => {
  const run = (action: string, headBranch: string | null) => ({
    action,
    check_run: { id: 4, head_sha: SHA, status: 'completed', conclusion: 'success', name: 'mighty_readme', check_suite: { id: 5, head_branch: headBranch, head_sha: SHA } },
    repository,
  });
  assert.deepEqual(parseGitHubDelivery('check_run', run('completed', 'say-hello')), branch('say-hello'));
  assert.equal(parseGitHubDelivery('check_run', run('created', 'say-hello')).kind, 'ignored');
  assert.equal(parseGitHubDelivery('check_run', run('completed', null)).kind, 'ignored', "a fork's push names no branch here");
  const suite = { action: 'completed', check_suite: { id: 5, head_branch: 'say-hello', head_sha: SHA, status: 'completed', conclusion: 'failure' }, repository };
  assert.deepEqual(parseGitHubDelivery('check_suite', suite), branch('say-hello'));
  assert.equal(parseGitHubDelivery('check_suite', { ...suite, action: 'requested' }).kind, 'ignored');
  assert.equal(parseGitHubDelivery('check_run', { action: 'completed', repository }).kind, 'invalid');
  assert.equal(parseGitHubDelivery('check_suite', { ...suite, repository: {} }).kind, 'invalid');
});

test('GitHub status: the branch whose head is the commit becomes due; a commit that heads no branch is ignored', () => {
  const status = (branches: unknown) => ({ sha: SHA, state: 'success', context: 'ci/jenkins', branches, repository });
  const listed = [
    { name: 'main', commit: { sha: 'f'.repeat(40) } },
    { name: 'say-hello', commit: { sha: SHA } },
  ];
  assert.deepEqual(parseGitHubDelivery('status', status(listed)), branch('say-hello'));
  assert.equal(parseGitHubDelivery('status', status([listed[0]])).kind, 'ignored');
  assert.equal(parseGitHubDelivery('status', status('main')).kind, 'invalid');
  assert.equal(parseGitHubDelivery('status', { ...status(listed), sha: 7 }).kind, 'invalid');
});

test('the checks events are named in metrics', () => {
  for (const event of ['check_run', 'check_suite', 'status']) assert.equal(githubWebhook.identify({ 'x-github-event': event }, {}).event, event);
  assert.equal(gitlabWebhook.identify({ 'x-gitlab-event': 'Pipeline Hook' }, {}).event, 'pipeline');
});

test('GitLab Pipeline Hook: the branch (or the merge request\'s source branch) becomes due; a tag pipeline is ignored', () => {
  const project = { id: 1, web_url: 'https://gitlab.com/group/sub/repo', git_http_url: 'https://gitlab.com/group/sub/repo.git' };
  const hook = (attributes: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    object_kind: 'pipeline',
    object_attributes: { id: 31, ref: 'feature', tag: false, sha: SHA, status: 'success', ...attributes },
    project,
    ...extra,
  });
  assert.deepEqual(parseGitLabDelivery('Pipeline Hook', hook({})), { kind: 'branch', repoUrl: project.web_url, branch: 'feature' });
  assert.deepEqual(
    parseGitLabDelivery('Pipeline Hook', hook({ ref: 'refs/merge-requests/4/head' }, { merge_request: { iid: 4, source_branch: 'fix' } })),
    { kind: 'branch', repoUrl: project.web_url, branch: 'fix' },
  );
  assert.equal(parseGitLabDelivery('Pipeline Hook', hook({ ref: 'v1.0', tag: true })).kind, 'ignored');
  assert.equal(parseGitLabDelivery('Pipeline Hook', hook({ ref: '' })).kind, 'invalid');
  assert.equal(parseGitLabDelivery('Pipeline Hook', { object_attributes: { ref: 'x' } }).kind, 'invalid');
});
