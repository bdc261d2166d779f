import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCli } from '../../../src/cli/gitsync.ts';
import { startFakeApi, type FakeApi } from '../support/fake-api.ts';

let cloud: FakeApi;
let server: FakeApi;

before(async () => {
  cloud = await startFakeApi();
  const pr = '/2.0/repositories/team/app/pullrequests/3';
  cloud.routes.set('/2.0/repositories/team/app/pullrequests?q=source.branch.name+%3D+%22feat%22&state=OPEN&sort=-updated_on&pagelen=1&fields=values.id', { body: { values: [{ id: 3 }] } });
  cloud.routes.set(pr, {
    body: {
      id: 3, title: 'Feat', state: 'OPEN', draft: true, author: { nickname: 'alice' }, participants: [],
      source: { branch: { name: 'feat' }, commit: { hash: 'h' } }, destination: { branch: { name: 'main' }, commit: { hash: 'b' } },
    },
  });
  cloud.routes.set(`${pr}/diffstat`, { body: { values: [{ lines_added: 5, lines_removed: 1 }] } });
  cloud.routes.set(`${pr}/commits?pagelen=100`, { body: { values: [{}] } });

  server = await startFakeApi();
  const base = '/bb/rest/api/latest/projects/PROJ/repos/app/pull-requests/9';
  server.routes.set(base, {
    body: { id: 9, title: 'Fix', state: 'MERGED', author: { user: { name: 'bob' } }, fromRef: { displayId: 'fix', latestCommit: 'h' }, toRef: { displayId: 'main', latestCommit: 'b' }, reviewers: [{ status: 'APPROVED' }] },
  });
  server.routes.set(`${base}/diff?contextLines=0&withComments=false`, { body: { diffs: [{ hunks: [{ segments: [{ type: 'ADDED', lines: [{}] }] }] }] } });
  server.routes.set(`${base}/commits?withCounts=true&limit=100`, { body: { values: [{}], isLastPage: true } });
});
after(async () => {
  await Promise.all([cloud.close(), server.close()]);
});

async function cli(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const GIT_PROVIDERS = JSON.stringify([
    { type: 'bitbucket-cloud', webUrl: cloud.url },
    { type: 'bitbucket-server', webUrl: `${server.url}/bb` },
  ]);
  const code = await runCli(args, { env: { GIT_PROVIDERS, ...env }, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

test('gitsync branch on Bitbucket Cloud: the branch PR, with BITBUCKET_TOKEN', async () => {
  const { code, stdout } = await cli(['branch', `${cloud.url}/team/app.git`, 'feat'], { BITBUCKET_TOKEN: 'me@example.com:ATATTx' });
  assert.equal(code, 0);
  const status = JSON.parse(stdout);
  assert.deepEqual([status.prNumber, status.pullRequestDraft, status.additions, status.commits, status.url], [3, true, 5, 1, `${cloud.url}/team/app/pull-requests/3`]);
  assert.match(String(cloud.requests[0]!.headers.authorization), /^Basic /);
});

test('gitsync pr on Bitbucket Data Center below a context path, with BITBUCKET_SERVER_TOKEN', async () => {
  const { code, stdout } = await cli(['pr', `${server.url}/bb/projects/PROJ/repos/app/pull-requests/9/overview`], { BITBUCKET_SERVER_TOKEN: 'dc-token' });
  assert.equal(code, 0);
  const status = JSON.parse(stdout);
  assert.deepEqual([status.pullRequestState, status.approved, status.additions, status.url], ['merged', true, 1, `${server.url}/bb/projects/PROJ/repos/app/pull-requests/9`]);
  assert.equal(server.requests[0]!.headers.authorization, 'Bearer dc-token');
});

test('an app password is refused with a clear message, exit 1', async () => {
  const { code, stderr } = await cli(['pr', `${cloud.url}/team/app/pull-requests/3`], { BITBUCKET_TOKEN: 'alice:ATBB0000' });
  assert.equal(code, 1);
  assert.match(stderr, /app passwords were removed/);
  assert.doesNotMatch(stderr, /ATBB0000/);
});
