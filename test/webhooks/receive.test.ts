import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pullRequestDelivery, pushDelivery } from '../../src/dev/git-host-sim/webhook-json.ts';
import { githubDeliveryEvent, gitlabDeliveryEvent } from '../../src/dev/webhook-request.ts';
import type { Repo, PullRequest } from '../../src/dev/git-host-sim/world.ts';
import type { FunctionUrlEvent } from '../../src/webhooks/receive.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { GITHUB_PREVIOUS_SECRET, GITHUB_SECRET, GITLAB_TOKEN, GITLAB_WEB, webhookWorld, type WebhookWorld } from './support.ts';

let t: TestTables;
let w: WebhookWorld;
let repo: Repo;
let pr: PullRequest;
const urls = () => ({ web: w.sim.url, api: w.sim.apiUrl });

before(async () => {
  t = await createTestTables();
  w = await webhookWorld(t);
  const world = w.sim.world;
  repo = world.addRepo('acme', 'app');
  const branch = world.addBranch(repo, 'feature/login', 'alice');
  pr = world.openPullRequest(repo, branch, { title: 'Login', additions: 10, deletions: 2, changedFiles: 3 }, world.time);
  // CI done and mergeability computed: nothing the PR waits for keeps its polling at the fast end.
  for (const check of pr.checks) world.finishCheck(pr, check, 'success', world.time);
  pr.mergeable = true;
  await w.put({ chatId: 'https', gitRemoteOrigin: `${w.sim.url}/acme/app.git`, gitBranch: 'feature/login' });
  await w.put({ chatId: 'scp', gitRemoteOrigin: `git@127.0.0.1:acme/app.git`, gitBranch: 'feature/login' });
  await w.put({ chatId: 'ssh', gitRemoteOrigin: `ssh://git@127.0.0.1:2222/acme/app`, gitBranch: 'feature/login' });
  await w.put({ chatId: 'other-branch', gitRemoteOrigin: `${w.sim.url}/acme/app`, gitBranch: 'feature/logout' });
  await w.put({ chatId: 'other-repo', gitRemoteOrigin: `${w.sim.url}/acme/api`, gitBranch: 'feature/login' });
  await w.put({ chatId: 'archived', gitRemoteOrigin: `${w.sim.url}/acme/app`, gitBranch: 'feature/login', archived: true, dueShard: undefined });
});
after(async () => {
  await w.close();
  await t.close();
});

const signedPr = (action = 'synchronize', deliveryId?: string, secret = GITHUB_SECRET): FunctionUrlEvent =>
  githubDeliveryEvent({ event: 'pull_request', payload: pullRequestDelivery(repo, pr, urls(), action), secret, ...(deliveryId ? { deliveryId } : {}) });

test('unverified deliveries are refused before anything is parsed or written', async () => {
  await w.unchanged(async () => {
    const good = signedPr('opened');
    const cases: [string, FunctionUrlEvent][] = [
      ['no signature', { ...good, headers: { ...good.headers, 'x-hub-signature-256': undefined } }],
      ['wrong secret', signedPr('opened', undefined, 'not-the-secret')],
      ['tampered body', { ...good, body: good.body!.replace('"opened"', '"closed"') }],
      ['signature of another body', { ...good, headers: { ...good.headers, 'x-hub-signature-256': signedPr('closed').headers!['x-hub-signature-256'] } }],
      ['malformed signature', { ...good, headers: { ...good.headers, 'x-hub-signature-256': 'sha1=abc' } }],
      ['no event header', { ...good, headers: { 'x-hub-signature-256': good.headers!['x-hub-signature-256'] } }],
      ['GitLab token of GitHub secret', gitlabDeliveryEvent({ event: 'Push Hook', payload: {}, token: GITHUB_SECRET })],
      ['GitLab wrong token', gitlabDeliveryEvent({ event: 'Push Hook', payload: {}, token: 'guess' })],
      ['garbage body', { ...good, body: '\u0000'.repeat(100) }],
    ];
    for (const [name, event] of cases) {
      const report = await w.runtime.receive(event);
      assert.equal(report.response.statusCode, 401, name);
      assert.equal(report.outcome, 'refused', name);
    }
  });
});

test('a body over 1 MiB is refused with 413 before hashing; other methods with 405', async () => {
  await w.unchanged(async () => {
    const huge = signedPr('opened');
    huge.body = JSON.stringify({ padding: 'x'.repeat(1024 * 1024) });
    assert.equal((await w.runtime.receive(huge)).response.statusCode, 413);
    const huge64 = { ...huge, body: Buffer.from(huge.body).toString('base64'), isBase64Encoded: true };
    assert.equal((await w.runtime.receive(huge64)).response.statusCode, 413);
    const get = { ...signedPr('opened'), requestContext: { http: { method: 'GET' } } };
    assert.equal((await w.runtime.receive(get)).response.statusCode, 405);
  });
});

test('signed but malformed deliveries are 400, and write nothing', async () => {
  await w.unchanged(async () => {
    const sign = (event: string, payload: unknown) => githubDeliveryEvent({ event, payload, secret: GITHUB_SECRET });
    const cases: [string, FunctionUrlEvent][] = [
      ['not JSON', sign('pull_request', '{"action": "opened",')],
      ['an array', sign('pull_request', [1, 2])],
      ['no pull_request', sign('pull_request', { action: 'opened' })],
      ['head.ref a number', sign('pull_request', { pull_request: { head: { ref: 7, repo: { html_url: `${w.sim.url}/acme/app` } } } })],
      ['head.repo.html_url missing', sign('pull_request_review', { pull_request: { head: { ref: 'x', repo: {} } } })],
      ['push without ref', sign('push', { repository: { html_url: `${w.sim.url}/acme/app` } })],
      ['push ref an object', sign('push', { ref: { x: 1 }, repository: { html_url: `${w.sim.url}/acme/app` } })],
    ];
    for (const [name, event] of cases) {
      const report = await w.runtime.receive(event);
      assert.equal(report.response.statusCode, 400, name);
    }
  });
});

test('ping answers 200, other events, tags and deleted forks 202, and write no row', async () => {
  const rows = await w.scan();
  const sign = (event: string, payload: unknown) => githubDeliveryEvent({ event, payload, secret: GITHUB_SECRET });
  assert.equal((await w.runtime.receive(sign('ping', { zen: 'Keep it logically awesome.', hook_id: 1 }))).response.statusCode, 200);
  assert.equal((await w.runtime.receive(sign('issues', { action: 'opened' }))).response.statusCode, 202);
  const tag = sign('push', { ref: 'refs/tags/v1', repository: { html_url: `${w.sim.url}/acme/app` } });
  assert.equal((await w.runtime.receive(tag)).response.statusCode, 202);
  const gone = sign('pull_request', { action: 'closed', pull_request: { head: { ref: 'feature/login', repo: null } } });
  assert.equal((await w.runtime.receive(gone)).response.statusCode, 202);
  assert.deepEqual(await w.scan(), rows);
});

test('a repository on another or an unconfigured host is refused with 403, even when signed', async () => {
  await w.unchanged(async () => {
    for (const html of ['https://github.com/acme/app', `${GITLAB_WEB}/acme/app`, 'https://evil.example/acme/app']) {
      const payload = { ref: 'refs/heads/feature/login', repository: { html_url: html } };
      const report = await w.runtime.receive(githubDeliveryEvent({ event: 'push', payload, secret: GITHUB_SECRET }));
      assert.equal(report.response.statusCode, 403, html);
    }
  });
});

test('a pull_request delivery refreshes every row of its repository and branch, in any URL form, and no other', async () => {
  const before = new Map((await w.scan()).map((r) => [r.chatId, r]));
  const sentAt = Date.now();
  const report = await w.runtime.receive(signedPr('opened'));
  assert.equal(report.response.statusCode, 200);
  assert.equal(report.applied?.matched, 4, 'https, scp, ssh and the archived row');
  assert.equal(report.applied?.summary.refreshed, 3);
  const rows = new Map((await w.scan()).map((r) => [r.chatId, r]));
  for (const id of ['https', 'scp', 'ssh']) {
    const row = rows.get(id)!;
    assert.equal(row.pullRequestState, 'open', id);
    assert.equal(row.pullRequestTitle, 'Login', id);
    assert.equal(row.additions, 10, id);
    assert.ok(row.webhookAt! >= sentAt && row.webhookAt! <= row.refreshedAt!, `${id}: webhookAt is the receipt`);
    assert.equal(row.leaseId, undefined, `${id}: lease ended`);
    // The host delivers webhooks, so the open PR's polling relaxes to the safety cadence.
    assert.ok(row.staleAt! >= row.refreshedAt! + 15 * 60_000, `${id}: next poll in 15 minutes`);
  }
  assert.ok(rows.get('archived')!.webhookAt! >= sentAt, 'an archived row is stamped');
  assert.equal(rows.get('archived')!.pullRequestState, undefined, 'but not polled');
  assert.deepEqual(rows.get('other-branch'), before.get('other-branch'));
  assert.deepEqual(rows.get('other-repo'), before.get('other-repo'));
  assert.equal(report.applied?.rowLatenciesMs.length, 3);
});

test('the previous secret is accepted during a rotation', async () => {
  const report = await w.runtime.receive(signedPr('edited', undefined, GITHUB_PREVIOUS_SECRET));
  assert.equal(report.response.statusCode, 200);
  assert.equal(report.host, w.host);
});

test('a base64-encoded body is verified on its decoded bytes', async () => {
  const payload = pullRequestDelivery(repo, pr, urls(), 'labeled');
  const report = await w.runtime.receive(githubDeliveryEvent({ event: 'pull_request', payload, secret: GITHUB_SECRET, base64: true }));
  assert.equal(report.response.statusCode, 200);
  assert.equal(report.applied?.matched, 4);
});

test('a redelivery (same X-GitHub-Delivery) does nothing; a replayed or out-of-order payload never rolls a row back', async () => {
  const world = w.sim.world;
  const opened = signedPr('opened', 'delivery-replay-1');
  assert.equal((await w.runtime.receive(opened)).outcome, 'processed');
  world.review(pr, 'reviewer-ada', 'APPROVED', world.time);
  world.merge(pr, world.time);
  const merged = await w.runtime.receive(signedPr('closed', 'delivery-merge-1'));
  assert.equal(merged.outcome, 'processed');
  const afterMerge = await w.scan();
  assert.equal(afterMerge.find((r) => r.chatId === 'https')?.pullRequestState, 'merged');
  const replay = await w.runtime.receive(opened);
  assert.equal(replay.outcome, 'duplicate');
  assert.equal(replay.response.statusCode, 200);
  assert.deepEqual(await w.scan(), afterMerge, 'the redelivery touched nothing');
  // The same stale "opened" payload under a new delivery id (replayed by someone holding it, or
  // arriving late): the rows are refreshed from the host, so they stay merged.
  const stale = githubDeliveryEvent({ event: 'pull_request', payload: JSON.parse(opened.body!), secret: GITHUB_SECRET });
  assert.equal((await w.runtime.receive(stale)).outcome, 'processed');
  for (const row of await w.scan()) {
    if (['https', 'scp', 'ssh'].includes(row.chatId)) {
      assert.equal(row.pullRequestState, 'merged', row.chatId);
      assert.equal(row.approved, true, row.chatId);
    }
  }
});

test('a push to a unicode branch refreshes its rows; its branch without a PR yet is stored as such', async () => {
  const world = w.sim.world;
  const name = 'fix/ünïcødé-分支';
  world.addBranch(repo, name, 'alice');
  await w.put({ chatId: 'unicode', gitRemoteOrigin: `${w.sim.url}/acme/app`, gitBranch: name, url: undefined });
  const report = await w.runtime.receive(
    githubDeliveryEvent({ event: 'push', payload: pushDelivery(repo, name, 'a'.repeat(40), urls()), secret: GITHUB_SECRET }),
  );
  assert.equal(report.applied?.matched, 1);
  assert.equal(report.applied?.summary.noPr, 1);
  const row = (await w.scan()).find((r) => r.chatId === 'unicode')!;
  assert.ok(row.webhookAt);
  assert.equal(row.lastErrorKind, undefined);
});

test('one branch tracked by 1,000 rows: every row stamped, some refreshed at once, the rest due for the loop, in time', async () => {
  const world = w.sim.world;
  const branch = world.addBranch(repo, 'popular', 'alice');
  world.openPullRequest(repo, branch, { title: 'Popular' }, world.time);
  const ids = Array.from({ length: 1_000 }, (_, i) => `popular-${String(i).padStart(4, '0')}`);
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(ids.slice(i, i + 50).map((chatId) => w.put({ chatId, gitRemoteOrigin: `${w.sim.url}/acme/app`, gitBranch: 'popular' })));
  }
  const started = Date.now();
  const report = await w.runtime.receive(
    githubDeliveryEvent({ event: 'push', payload: pushDelivery(repo, 'popular', 'b'.repeat(40), urls()), secret: GITHUB_SECRET }),
  );
  assert.equal(report.response.statusCode, 200);
  // On a loaded machine the 5 s budget may end after the first page of 500: the rest is then
  // handed on (in this process, after the answer). Either way every row is reached.
  let rows = (await w.scan()).filter((r) => r.chatId.startsWith('popular-'));
  for (let i = 0; i < 300 && rows.some((r) => r.webhookAt === undefined); i++) {
    await new Promise((r) => setTimeout(r, 100));
    rows = (await w.scan()).filter((r) => r.chatId.startsWith('popular-'));
  }
  assert.ok(rows.every((r) => r.webhookAt! >= started), 'every row stamped');
  const refreshed = rows.filter((r) => r.pullRequestTitle === 'Popular');
  const due = rows.filter((r) => r.pullRequestTitle === undefined);
  assert.equal(refreshed.length, report.applied?.summary.refreshed);
  assert.ok(refreshed.length >= 1 && refreshed.length <= 50, `refreshed ${refreshed.length}`);
  assert.ok(due.every((r) => r.staleAt! <= Date.now() && r.leaseId === undefined), 'the rest are due at once');
});

test('GitLab merge request and push hooks (documented payloads) match by token, deduplicated by Idempotency-Key', async () => {
  await w.put({ chatId: 'gl', gitRemoteOrigin: `${GITLAB_WEB}/group/sub/project.git`, gitBranch: 'ms-viewport' });
  await w.put({ chatId: 'gl-other', gitRemoteOrigin: `${GITLAB_WEB}/group/sub/project.git`, gitBranch: 'main' });
  const mr = gitlabMergeRequestHook(`${GITLAB_WEB}/group/sub/project`);
  const first = await w.runtime.receive(gitlabDeliveryEvent({ event: 'Merge Request Hook', payload: mr, token: GITLAB_TOKEN, idempotencyKey: 'gl-1' }));
  assert.equal(first.response.statusCode, 200);
  assert.equal(first.event, 'merge_request');
  assert.equal(first.applied?.matched, 1);
  const stamped = (await w.scan()).find((r) => r.chatId === 'gl')!;
  assert.ok(stamped.webhookAt);
  const again = await w.runtime.receive(gitlabDeliveryEvent({ event: 'Merge Request Hook', payload: mr, token: GITLAB_TOKEN, idempotencyKey: 'gl-1' }));
  assert.equal(again.outcome, 'duplicate');
  const push = await w.runtime.receive(
    gitlabDeliveryEvent({ event: 'Push Hook', payload: gitlabPushHook(`${GITLAB_WEB}/group/sub/project`, 'refs/heads/main'), token: GITLAB_TOKEN }),
  );
  assert.equal(push.applied?.matched, 1);
  const tagPush = await w.runtime.receive(
    gitlabDeliveryEvent({ event: 'Tag Push Hook', payload: gitlabPushHook(`${GITLAB_WEB}/group/sub/project`, 'refs/tags/v1'), token: GITLAB_TOKEN }),
  );
  assert.equal(tagPush.response.statusCode, 202);
});

/** A Merge Request Hook with the fields GitLab's webhook events documentation lists. */
function gitlabMergeRequestHook(projectUrl: string) {
  const project = {
    id: 1,
    name: 'Gitlab Test',
    path_with_namespace: 'group/sub/project',
    web_url: projectUrl,
    git_http_url: `${projectUrl}.git`,
    git_ssh_url: `git@127.0.0.1:group/sub/project.git`,
    default_branch: 'master',
  };
  return {
    object_kind: 'merge_request',
    event_type: 'merge_request',
    user: { id: 1, name: 'Administrator', username: 'root' },
    project,
    repository: { name: 'Gitlab Test', url: project.git_http_url, homepage: projectUrl },
    object_attributes: {
      id: 99,
      iid: 1,
      target_branch: 'master',
      source_branch: 'ms-viewport',
      source_project_id: 1,
      target_project_id: 1,
      title: 'MS-Viewport',
      state: 'opened',
      action: 'open',
      updated_at: '2013-12-03T17:23:34Z',
      merge_status: 'unchecked',
      url: `${projectUrl}/-/merge_requests/1`,
      source: project,
      target: project,
      last_commit: { id: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7', message: 'fixed readme', timestamp: '2012-01-03T23:36:29+02:00' },
      work_in_progress: false,
      draft: false,
    },
    labels: [],
    changes: {},
  };
}

/** A Push Hook with the fields GitLab documents. */
function gitlabPushHook(projectUrl: string, ref: string) {
  return {
    object_kind: 'push',
    event_name: 'push',
    before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
    after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    ref,
    checkout_sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    user_username: 'jsmith',
    project_id: 15,
    project: { id: 15, name: 'Diaspora', web_url: projectUrl, git_http_url: `${projectUrl}.git`, path_with_namespace: 'group/sub/project' },
    commits: [],
    total_commits_count: 0,
    repository: { name: 'Diaspora', url: `${projectUrl}.git`, homepage: projectUrl },
  };
}

test('a row whose version an outside writer stored as a string is refreshed by the delivery, its version replaced by a number (issue 19 case 5)', async () => {
  const world = w.sim.world;
  const branch = world.addBranch(repo, 'feature/string-version', 'alice');
  const versioned = world.openPullRequest(repo, branch, { title: 'Versioned' }, world.time);
  await w.put({ chatId: 'string-version', gitRemoteOrigin: `${w.sim.url}/acme/app.git`, gitBranch: 'feature/string-version', version: 'x' as unknown as number });
  const report = await w.runtime.receive(githubDeliveryEvent({ event: 'pull_request', payload: pullRequestDelivery(repo, versioned, urls(), 'opened'), secret: GITHUB_SECRET }));
  assert.equal(report.response.statusCode, 200, report.response.body);
  assert.equal(report.applied?.summary.refreshed, 1);
  const row = (await w.scan()).find((r) => r.chatId === 'string-version')!;
  assert.equal(row.pullRequestTitle, 'Versioned');
  assert.equal(typeof row.version, 'number');
});
