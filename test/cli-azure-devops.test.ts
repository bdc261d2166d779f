import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { runCli } from '../src/cli/gitsync.ts';
import { startFakeApi, type FakeApi } from './providers/support/fake-api.ts';
import { azurePr, azureRepoApi, serveAzureBranchSearch, serveAzurePr } from './support/azure-devops-pr.ts';

// `gitsync pr` and `gitsync branch` against an Azure DevOps Server look-alike that checks the PAT.
const BIN = fileURLToPath(new URL('../bin/gitsync.js', import.meta.url));
const PAT = 'azdo-cli-pat-0123456789';
const PATH = 'DefaultCollection/Fiber Team/web app';
let api: FakeApi;

const prs: [number, string, Record<string, unknown>, Record<string, unknown>][] = [
  [1, 'active', {}, { pullRequestState: 'open', pullRequestDraft: false, approved: true, changesRequested: false }],
  [2, 'draft', { isDraft: true, reviewers: [] }, { pullRequestState: 'open', pullRequestDraft: true, approved: false, reviewerCount: 0 }],
  [3, 'completed', { status: 'completed' }, { pullRequestState: 'merged' }],
  [4, 'abandoned', { status: 'abandoned' }, { pullRequestState: 'closed' }],
  [5, 'approved', { reviewers: [{ uniqueName: 'a', vote: 10 }, { uniqueName: 'b', vote: 5 }] }, { approved: true, changesRequested: false, reviewerCount: 2 }],
  [6, 'rejected', { reviewers: [{ uniqueName: 'a', vote: 10 }, { uniqueName: 'b', vote: -10 }] }, { approved: false, changesRequested: true, reviewerCount: 2 }],
];

before(async () => {
  api = await startFakeApi();
  for (const [id, , overrides] of prs) serveAzurePr(api, PATH, azurePr(id, { sourceRefName: `refs/heads/b${id}`, ...overrides }));
  serveAzureBranchSearch(api, PATH, 'b1', 'active', [1]);
  serveAzureBranchSearch(api, PATH, 'none', 'active', []);
  api.routes.set(`${azureRepoApi(PATH)}/pullrequests/7?api-version=7.1`, {
    status: 429,
    headers: { 'retry-after': '20' },
    body: { message: 'TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource' },
  });
  // Every route answers 401 to any other credential, as Azure does with a suppressed sign-in redirect.
  for (const [url, answer] of api.routes) {
    api.routes.set(url, (req) => (req.headers.authorization === `Basic ${Buffer.from(`:${PAT}`).toString('base64')}` ? (typeof answer === 'function' ? answer(req) : answer) : { status: 401, body: '' }));
  }
});
after(() => api.close());

const prUrl = (id: number) => `${api.url}/DefaultCollection/Fiber%20Team/_git/web%20app/pullrequest/${id}`;

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: { GIT_PROVIDERS: JSON.stringify([{ type: 'azure-devops', webUrl: api.url }]), AZURE_DEVOPS_TOKEN: PAT, ...env },
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

for (const [id, name, , expected] of prs) {
  test(`gitsync pr: ${name} PR`, async () => {
    const out = await cli(['pr', `${prUrl(id)}?_a=files`]);
    assert.equal(out.code, 0, out.stderr);
    const status = JSON.parse(out.stdout);
    for (const [field, value] of Object.entries(expected)) assert.equal(status[field], value, field);
    assert.equal(status.url, prUrl(id));
    assert.equal(status.headBranch, `b${id}`);
    assert.deepEqual([status.commits, status.changedFiles, status.additions, status.deletions], [2, 3, undefined, undefined]);
  });
}

test('gitsync branch: the origin with spaces finds the active PR', async () => {
  const out = await cli(['branch', `${api.url}/DefaultCollection/Fiber%20Team/_git/web%20app`, 'b1']);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout).prNumber, 1);
  const none = await cli(['branch', `${api.url}/DefaultCollection/Fiber%20Team/_git/web%20app`, 'none']);
  assert.equal(none.stdout.trim(), 'null');
  assert.match(none.stderr, /no open pull request for branch "none"/);
});

test('gitsync pr: 429 with Retry-After, 401, a foreign host, no token', async () => {
  assert.match((await cli(['pr', prUrl(7)])).stderr, /rate_limited: rate limited until/);
  const refused = await cli(['pr', prUrl(1)], { AZURE_DEVOPS_TOKEN: 'wrong-pat' });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /auth_error: the provider refused the token \(HTTP 401\)/);
  assert.match((await cli(['pr', 'https://dev.azure.com/fabrikam/Fiber/_git/app/pullrequest/1'])).stderr, /not a pull \/ merge request URL of a configured provider/);
  assert.match((await cli(['pr', prUrl(1)], { AZURE_DEVOPS_TOKEN: '' })).stderr, /no token: set AZURE_DEVOPS_TOKEN/);
});

test('the gitsync binary runs an Azure DevOps PR', async () => {
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'pr', prUrl(6)], {
      env: { PATH: process.env.PATH ?? '', GIT_PROVIDERS: JSON.stringify([{ type: 'azure-devops', webUrl: api.url }]), AZURE_DEVOPS_TOKEN: PAT },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assert.equal(out.code, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout).changesRequested, true);
  assert.ok(!out.stdout.includes(PAT) && !out.stderr.includes(PAT));
});
