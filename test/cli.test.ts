import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_AWS } from '../src/dev/dynamodb-local/local-aws.ts';
import { dueShardFor } from '../src/store/shard.ts';
import { startFakeApi, type FakeApi } from './providers/support/fake-api.ts';
import { reviewsWithLateChangeRequest, serveReviewPages } from './providers/support/review-pages.ts';
import { createTestTables, type TestTables } from './support/dynamodb.ts';
import { ACME_PULL_9, serveAcmeApp } from './support/github-pull.ts';

const BIN = fileURLToPath(new URL('../bin/gitsync.js', import.meta.url));
const TOKEN = 'ghp_cli_token_123456';
let api: FakeApi;
let gitlab: FakeApi;
let t: TestTables;

before(async () => {
  api = await startFakeApi();
  serveAcmeApp(api, TOKEN);
  api.routes.set('/api/v3/repos/acme/app/pulls/11', {
    body: {
      number: 11, state: 'open', merged: false, title: 'Long review', draft: false, additions: 1, deletions: 1,
      changed_files: 1, commits: 1, user: { login: 'octo' }, base: { ref: 'main' }, head: { ref: 'long' },
    },
  });
  serveReviewPages(api, '/api/v3', 'acme/app', 11, reviewsWithLateChangeRequest());

  gitlab = await startFakeApi();
  const mr = '/api/v4/projects/group%2Fsub%2Frepo/merge_requests/4';
  gitlab.routes.set(mr, {
    body: { iid: 4, title: 'Needs work', state: 'opened', source_branch: 'fix', target_branch: 'main', author: { username: 'dev' }, sha: 'h', diff_refs: { base_sha: 'b', head_sha: 'h' } },
  });
  gitlab.routes.set(`${mr}/approvals`, { body: { approved: true, approved_by: [{ user: { username: 'lead' } }] } });
  gitlab.routes.set(`${mr}/reviewers?per_page=100`, { body: [{ user: { username: 'qa' }, state: 'requested_changes' }, { user: { username: 'lead' }, state: 'approved' }] });
  gitlab.routes.set(`${mr}/commits?per_page=100`, { headers: { 'x-total': '3' }, body: [] });
  gitlab.routes.set(`${mr}/diffs?per_page=100`, { body: [{ diff: '@@ -1 +1 @@\n-a\n+b\n' }] });
  t = await createTestTables();
});
after(async () => {
  await Promise.all([api.close(), gitlab.close()]);
  await t.close();
});

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', GIT_PROVIDERS: JSON.stringify([{ type: 'github', webUrl: api.url }]), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const expected = ACME_PULL_9;

test('gitsync pr <url> prints the mapped status as JSON', async () => {
  const out = await run(['pr', `${api.url}/acme/app/pull/9/files`], { GITHUB_TOKEN: TOKEN });
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), { ...expected, url: `${api.url}/acme/app/pull/9` });
});

test('gitsync pr: a GitHub PR whose change request is on the second page of 150 reviews shows changesRequested: true', async () => {
  const out = await run(['pr', `${api.url}/acme/app/pull/11`], { GITHUB_TOKEN: TOKEN });
  assert.equal(out.code, 0, out.stderr);
  const status = JSON.parse(out.stdout);
  assert.deepEqual([status.changesRequested, status.approved, status.reviewerCount], [true, false, 2]);
  assert.ok(out.stdout.includes('"changesRequested": true'));
});

test('gitsync pr: a GitLab MR with a reviewer requesting changes shows changesRequested: true', async () => {
  const providers = JSON.stringify([{ type: 'gitlab', webUrl: gitlab.url }]);
  const out = await run(['pr', `${gitlab.url}/group/sub/repo/-/merge_requests/4`], { GITLAB_TOKEN: 'glpat-cli', GIT_PROVIDERS: providers });
  assert.equal(out.code, 0, out.stderr);
  const status = JSON.parse(out.stdout);
  assert.deepEqual([status.changesRequested, status.approved, status.reviewerCount, status.commits], [true, false, 2, 3]);
});

test('gitsync pr: a list longer than maxPages is read in part and says so on stderr', async () => {
  const providers = JSON.stringify([{ type: 'github', webUrl: api.url, maxPages: 1 }]);
  const out = await run(['pr', `${api.url}/acme/app/pull/11`], { GITHUB_TOKEN: TOKEN, GIT_PROVIDERS: providers });
  assert.equal(out.code, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout).changesRequested, false);
  assert.match(out.stderr, /warning: GitHub reviews: more pages than maxPages \(1\); only 1 of them were read/);
});

test('gitsync branch <origin> <branch> resolves the PR first; --token-env picks the variable', async () => {
  const out = await run(['branch', `${api.url}/acme/app.git`, 'feat', '--token-env', 'MY_TOKEN'], { MY_TOKEN: TOKEN });
  assert.equal(out.code, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout).prNumber, 9);
});

test('a branch without an open PR prints null and says so', async () => {
  const out = await run(['branch', `${api.url}/acme/app`, 'none'], { GITHUB_TOKEN: TOKEN });
  assert.equal(out.code, 0);
  assert.equal(out.stdout.trim(), 'null');
  assert.match(out.stderr, /no open pull request for branch "none"/);
});

const failures: [string, string[], Record<string, string>, number, RegExp][] = [
  ['a refused token', ['pr', '/acme/app/pull/9'], { GITHUB_TOKEN: 'wrong-token-value' }, 1, /auth_error: the provider refused the token \(HTTP 401\)/],
  ['a missing PR', ['pr', '/acme/app/pull/10'], { GITHUB_TOKEN: TOKEN }, 1, /provider_error: GitHub pull request: HTTP 404/],
  ['no token variable', ['pr', '/acme/app/pull/9'], {}, 1, /no token: set GITHUB_TOKEN/],
  ['an unconfigured host', ['pr', 'https://github.com/acme/app/pull/9'], { GITHUB_TOKEN: TOKEN }, 1, /not a pull \/ merge request URL of a configured provider/],
  ['bad GIT_PROVIDERS', ['pr', '/acme/app/pull/9'], { GITHUB_TOKEN: TOKEN, GIT_PROVIDERS: '[{"type":"svn"}]' }, 1, /GIT_PROVIDERS: entry 0 has unknown type "svn"/],
  ['a wrong command', ['status'], {}, 2, /usage:/],
];

for (const [name, args, env, code, message] of failures) {
  test(`gitsync fails clearly on ${name}`, async () => {
    const withUrl = args.map((a) => (a.startsWith('/') ? `${api.url}${a}` : a));
    const out = await run(withUrl, env);
    assert.equal(out.code, code, out.stderr);
    assert.match(out.stderr, message);
    assert.equal(out.stdout, '');
    assert.ok(!out.stderr.includes(TOKEN) && !out.stderr.includes('wrong-token-value'));
  });
}

/** The functions' variables for the test tables, as a deployment's operator would export them. */
function tableEnv(): Record<string, string> {
  return {
    TABLE_NAME: t.tableName,
    TOKENS_TABLE_NAME: t.tokensTableName,
    HTTP_CACHE_TABLE_NAME: t.httpCacheTableName,
    DYNAMODB_ENDPOINT: t.endpoint,
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
  };
}

async function putRow(chatId: string, gitBranch: string): Promise<void> {
  const now = Date.now();
  await t.doc.send(
    new PutCommand({
      TableName: t.tableName,
      Item: {
        chatId, ownerId: 'alice', gitRemoteOrigin: `${api.url}/acme/app.git`, gitBranch,
        createdAt: now - 3_600_000, updatedAt: now - 3_600_000, staleAt: now + 600_000, dueShard: dueShardFor(chatId, 1),
      },
    }),
  );
}

test('gitsync refresh <chatId> refreshes the row in the configured tables with the owner\'s stored token and prints it', async () => {
  await t.doc.send(new PutCommand({ TableName: t.tokensTableName, Item: { ownerId: 'alice', providerHost: new URL(api.url).host, accessToken: TOKEN } }));
  await putRow('cli-1', 'feat');
  const out = await run(['refresh', 'cli-1'], tableEnv());
  assert.equal(out.code, 0, out.stderr);
  const printed = JSON.parse(out.stdout);
  assert.deepEqual({ ...printed, url: '' }, { ...printed, ...ACME_PULL_9 });
  assert.equal(printed.url, `${api.url}/acme/app/pull/9`);
  const stored = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { chatId: 'cli-1' }, ConsistentRead: true }));
  assert.equal(stored.Item?.['prNumber'], 9);
  assert.equal(stored.Item?.['refreshedAt'], printed.refreshedAt);
  assert.ok(!out.stdout.includes(TOKEN) && !out.stderr.includes(TOKEN));
});

test('gitsync refresh of a branch without a PR prints the row as stored and says so', async () => {
  await putRow('cli-2', 'none');
  const out = await run(['refresh', 'cli-2'], tableEnv());
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /no open pull request for the branch of chat "cli-2" yet/);
  assert.equal(JSON.parse(out.stdout).chatId, 'cli-2');
  assert.equal(JSON.parse(out.stdout).prNumber, undefined);
});

test('gitsync refresh fails clearly on an unknown chat and on missing tables configuration', async () => {
  const unknown = await run(['refresh', 'nobody'], tableEnv());
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no diff-status row for chat nobody/);
  const { TABLE_NAME: _, ...withoutTable } = tableEnv();
  const unset = await run(['refresh', 'cli-1'], withoutTable);
  assert.equal(unset.code, 1);
  assert.match(unset.stderr, /TABLE_NAME: is required but not set/);
});
