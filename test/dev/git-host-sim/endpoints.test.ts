import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { start, type GitHostSim } from '../../../src/dev/git-host-sim/server.ts';
import { parseProviderConfigs } from '../../../src/providers/config.ts';
import { createHttpAgent } from '../../../src/providers/http/agent.ts';
import { linkTargets } from '../../../src/providers/http/link-header.ts';
import { createProviderRegistry } from '../../../src/providers/registry.ts';
import { RowConditionalCache } from '../../../src/refresh/conditional-cache.ts';
import { auth, client, manualClock } from './helpers.ts';

const clock = manualClock();
const http = client();
let sim: GitHostSim;

before(async () => {
  sim = await start({ clock, seed: 7, tokens: { 'tok-dev': 'dev-1' }, rates: { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0, ciFinish: 0 } });
  const { world } = sim;
  const repo = world.addRepo('acme', 'api');
  const t0 = clock.now() - 3_600_000;
  const older = world.openPullRequest(repo, world.addBranch(repo, 'dev-1/login', 'dev-1'), { title: 'Fix login', additions: 10, deletions: 2, changedFiles: 3 }, t0);
  world.review(older, 'reviewer-ada', 'CHANGES_REQUESTED', t0 + 1_000);
  world.review(older, 'reviewer-ada', 'APPROVED', t0 + 2_000);
  world.review(older, 'reviewer-ken', 'COMMENTED', t0 + 3_000);
  const feature = world.addBranch(repo, 'dev-1/cache', 'dev-1');
  const closed = world.openPullRequest(repo, feature, { title: 'Cache v1' }, t0 + 10_000);
  world.close(closed, t0 + 20_000);
  world.openPullRequest(repo, feature, { title: 'Cache v2', draft: true }, t0 + 30_000);
  world.addBranch(repo, 'dev-1/no-pr', 'dev-1');
});
after(async () => {
  await sim.close();
  await http.agent.close();
});

test('pull lookup by head answers the open PR of that branch as a simple item, without counts', async () => {
  const res = await http.get(`${sim.url}/repos/acme/api/pulls?head=acme:dev-1/cache&state=open&per_page=1`, auth('tok-dev'));
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const list = res.json();
  assert.equal(list.length, 1);
  assert.equal(list[0].number, 3);
  assert.equal(list[0].title, 'Cache v2');
  assert.equal(list[0].draft, true);
  assert.equal(list[0].head.ref, 'dev-1/cache');
  assert.equal(list[0].html_url, `${sim.url}/acme/api/pull/3`);
  for (const field of ['additions', 'deletions', 'changed_files', 'commits', 'mergeable', 'merged']) {
    assert.equal(field in list[0], false, `${field} is not on list items`);
  }
});

test('a branch without an open PR and an unknown branch answer an empty list', async () => {
  for (const branch of ['dev-1/no-pr', 'nope']) {
    const res = await http.get(`${sim.url}/repos/acme/api/pulls?head=acme:${branch}&state=open`, auth('tok-dev'));
    assert.deepEqual(res.json(), []);
  }
});

test('list sorting and paging follow GitHub: created desc by default, updated asc unless told', async () => {
  const numbers = async (query: string) =>
    (await http.get(`${sim.url}/repos/acme/api/pulls?${query}`, auth('tok-dev'))).json().map((p: { number: number }) => p.number);
  assert.deepEqual(await numbers('state=all'), [3, 2, 1]);
  assert.deepEqual(await numbers('state=all&sort=updated'), [1, 2, 3]);
  assert.deepEqual(await numbers('state=all&sort=updated&direction=desc&per_page=2'), [3, 2]);
  assert.deepEqual(await numbers('state=all&sort=updated&direction=desc&per_page=2&page=2'), [1]);
  assert.deepEqual(await numbers('state=closed'), [2]);
});

test('a head without the owner prefix is a validation error', async () => {
  const res = await http.get(`${sim.url}/repos/acme/api/pulls?head=dev-1/cache`, auth('tok-dev'));
  assert.equal(res.status, 422);
  assert.equal(res.json().message, 'Validation Failed');
});

test('pull detail carries the counts, merge state and author', async () => {
  const res = await http.get(`${sim.url}/repos/acme/api/pulls/1`, auth('tok-dev'));
  assert.equal(res.status, 200);
  const pr = res.json();
  assert.equal(pr.number, 1);
  assert.equal(pr.state, 'open');
  assert.equal(pr.merged, false);
  assert.equal(pr.draft, false);
  assert.equal(pr.title, 'Fix login');
  assert.equal(pr.user.login, 'dev-1');
  assert.match(pr.user.avatar_url, /^http:\/\/127\.0\.0\.1:\d+\/avatars\//);
  assert.equal(pr.base.ref, 'main');
  assert.equal(pr.head.ref, 'dev-1/login');
  assert.deepEqual([pr.additions, pr.deletions, pr.changed_files, pr.commits], [10, 2, 3, 1]);
  assert.equal(pr.mergeable, null, 'not computed yet: no evolution step has run');
  assert.equal(pr.html_url, `${sim.url}/acme/api/pull/1`);
  assert.equal(pr.url, `${sim.url}/repos/acme/api/pulls/1`);
});

test('a closed PR reports state closed and merged false; a merged one closed and merged true', async () => {
  assert.deepEqual(
    (({ state, merged }) => ({ state, merged }))((await http.get(`${sim.url}/repos/acme/api/pulls/2`, auth('tok-dev'))).json()),
    { state: 'closed', merged: false },
  );
  const repo = sim.world.repo('acme', 'api')!;
  const branch = sim.world.addBranch(repo, 'dev-1/merge-me', 'dev-1');
  const pr = sim.world.openPullRequest(repo, branch, { title: 'Merge me' }, clock.now());
  sim.world.merge(pr, clock.now());
  const merged = (await http.get(`${sim.url}/repos/acme/api/pulls/${pr.number}`, auth('tok-dev'))).json();
  assert.equal(merged.state, 'closed');
  assert.equal(merged.merged, true);
  assert.ok(merged.merged_at);
});

test('reviews come in submission order with login, state and time', async () => {
  const res = await http.get(`${sim.url}/repos/acme/api/pulls/1/reviews?per_page=100`, auth('tok-dev'));
  assert.equal(res.status, 200);
  const reviews = res.json();
  assert.deepEqual(
    reviews.map((r: { user: { login: string }; state: string }) => [r.user.login, r.state]),
    [['reviewer-ada', 'CHANGES_REQUESTED'], ['reviewer-ada', 'APPROVED'], ['reviewer-ken', 'COMMENTED']],
  );
  assert.match(reviews[0].submitted_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('a push dismisses stale reviews when asked, and the answer shows DISMISSED', async () => {
  const repo = sim.world.repo('acme', 'api')!;
  const branch = sim.world.addBranch(repo, 'dev-1/dismiss', 'dev-1');
  const pr = sim.world.openPullRequest(repo, branch, { title: 'Dismiss' }, clock.now());
  sim.world.review(pr, 'reviewer-ada', 'APPROVED', clock.now());
  sim.world.push(pr, { additions: 5, deletions: 1, changedFiles: 1 }, clock.now(), { dismissStaleReviews: true });
  const states = (await http.get(`${sim.url}/repos/acme/api/pulls/${pr.number}/reviews`, auth('tok-dev'))).json().map((r: { state: string }) => r.state);
  assert.deepEqual(states, ['DISMISSED']);
  const detail = (await http.get(`${sim.url}/repos/acme/api/pulls/${pr.number}`, auth('tok-dev'))).json();
  assert.deepEqual([detail.additions, detail.commits, detail.mergeable], [5, 2, null]);
});

test('the Enterprise prefix serves the same API and names itself in urls', async () => {
  assert.equal(sim.apiUrl, `${sim.url}/api/v3`);
  const res = await http.get(`${sim.apiUrl}/repos/acme/api/pulls/1`, auth('tok-dev'));
  assert.equal(res.status, 200);
  const pr = res.json();
  assert.equal(pr.url, `${sim.apiUrl}/repos/acme/api/pulls/1`);
  assert.equal(pr.html_url, `${sim.url}/acme/api/pull/1`);
  const list = await http.get(`${sim.apiUrl}/repos/acme/api/pulls?head=acme:dev-1/login&state=open`, auth('tok-dev'));
  assert.equal(list.json()[0].number, 1);
});

test('unknown repositories, pull numbers and paths are 404 Not Found', async () => {
  for (const path of ['/repos/acme/nope/pulls', '/repos/acme/api/pulls/999', '/repos/acme/api/pulls/999/reviews', '/user', '/api/v3/repos/acme']) {
    const res = await http.get(sim.url + path, auth('tok-dev'));
    assert.equal(res.status, 404, path);
    assert.equal(res.json().message, 'Not Found');
  }
});

test('an unknown token is 401 Bad credentials, a missing one 401 Requires authentication', async () => {
  const bad = await http.get(`${sim.url}/repos/acme/api/pulls/1`, auth('stolen'));
  assert.equal(bad.status, 401);
  assert.deepEqual(bad.json().message, 'Bad credentials');
  assert.equal(bad.headers['x-ratelimit-limit'], '60');
  const none = await http.get(`${sim.url}/repos/acme/api/pulls/1`);
  assert.equal(none.status, 401);
  assert.equal(none.json().message, 'Requires authentication');
  const snapshot = sim.stats.snapshot();
  assert.equal(snapshot.byToken['stolen']?.unauthorized, 1);
  assert.ok(snapshot.unauthorized >= 2);
  assert.equal(snapshot.byToken['tok-dev']?.unauthorized, 0);
});

test('the legacy "token" scheme is accepted as GitHub does', async () => {
  const res = await http.get(`${sim.url}/repos/acme/api/pulls/1`, { authorization: 'token tok-dev' });
  assert.equal(res.status, 200);
});

test('a list longer than a page links its other pages like GitHub, and the GitHub provider reads them all', async () => {
  const repo = sim.world.repo('acme', 'api')!;
  const pr = sim.world.openPullRequest(repo, sim.world.addBranch(repo, 'dev-1/long-review', 'dev-1'), { title: 'Long' }, clock.now());
  for (let i = 0; i < 149; i++) sim.world.review(pr, i === 2 ? 'reviewer-ada' : 'reviewer-ken', i === 2 ? 'APPROVED' : 'COMMENTED', clock.now());
  sim.world.review(pr, 'reviewer-ada', 'CHANGES_REQUESTED', clock.now());
  const first = await http.get(`${sim.url}/repos/acme/api/pulls/${pr.number}/reviews?per_page=100`, auth('tok-dev'));
  assert.equal(first.json().length, 100);
  const links = linkTargets(String(first.headers.link));
  assert.equal(links.get('next'), `${sim.url}/repos/acme/api/pulls/${pr.number}/reviews?per_page=100&page=2`);
  assert.equal(links.get('last'), links.get('next'));
  const second = await http.get(links.get('next')!, auth('tok-dev'));
  assert.equal(second.json().length, 50);
  assert.deepEqual([...linkTargets(String(second.headers.link)).keys()], ['prev', 'first']);

  const agent = createHttpAgent();
  try {
    const registry = createProviderRegistry(parseProviderConfigs(JSON.stringify([{ type: 'github', webUrl: sim.url, apiUrl: sim.url }])), { dispatcher: agent });
    const provider = registry.providers[0]!;
    const ctx = { token: 'tok-dev', signal: new AbortController().signal, cache: new RowConditionalCache(undefined), truncated: () => assert.fail('not truncated') };
    const status = await provider.fetchPullRequestStatus({ repo: { host: provider.host, path: 'acme/api' }, number: pr.number }, ctx);
    assert.deepEqual([status.changesRequested, status.approved, status.reviewerCount], [true, false, 1]);
  } finally {
    await agent.close();
  }
});

test('a renamed repository answers its old path with a 301 to the new one (query kept); a new repository of the old name ends it', async () => {
  const { world } = sim;
  const repo = world.addRepo('acme', 'before-rename');
  world.openPullRequest(repo, world.addBranch(repo, 'dev-1/x', 'dev-1'), { title: 'Moves along' }, clock.now());
  world.moveRepo(repo, 'acme', 'after-rename');
  for (const [path, location] of [
    ['/repos/acme/before-rename/pulls/1', '/repos/acme/after-rename/pulls/1'],
    ['/api/v3/repos/acme/before-rename/pulls/1/reviews', '/api/v3/repos/acme/after-rename/pulls/1/reviews'],
    ['/repos/acme/before-rename/pulls?head=acme%3Adev-1%2Fx&state=open', '/repos/acme/after-rename/pulls?head=acme%3Adev-1%2Fx&state=open'],
  ] as const) {
    const res = await http.get(`${sim.url}${path}`, auth('tok-dev'));
    assert.equal(res.status, 301, path);
    assert.equal(res.headers.location, location, path);
  }
  const moved = await http.get(`${sim.url}/repos/acme/after-rename/pulls/1`, auth('tok-dev'));
  assert.equal(moved.json().html_url, `${sim.url}/acme/after-rename/pull/1`);
  assert.equal(world.resolveRepo('acme', 'before-rename')?.moved, true);
  world.addRepo('acme', 'before-rename');
  assert.equal((await http.get(`${sim.url}/repos/acme/before-rename/pulls/1`, auth('tok-dev'))).status, 404);
});
