import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createWorld } from '../../../src/dev/git-host-sim/world.ts';
import { evolution } from '../../../src/dev/git-host-sim/evolution.ts';
import { start, type GitHostSim } from '../../../src/dev/git-host-sim/server.ts';
import { parseGitHubDelivery } from '../../../src/providers/github/webhook.ts';
import { auth, client, manualClock } from './helpers.ts';

const clock = manualClock();
const http = client();
let sim: GitHostSim;

before(async () => {
  sim = await start({ clock, seed: 3, tokens: { 'tok-dev': 'dev-1' }, rates: { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0, ciFinish: 0 } });
});
after(async () => {
  await sim.close();
  await http.agent.close();
});

test('a head commit\'s check runs and combined status: pending at the push, then finished, each answer with an ETag (304 while unchanged)', async () => {
  const repo = sim.world.addRepo('acme', 'ci');
  const pr = sim.world.openPullRequest(repo, sim.world.addBranch(repo, 'dev-1/ci', 'dev-1'), { title: 'CI' }, clock.now());
  const runsUrl = `${sim.url}/repos/acme/ci/commits/${pr.headSha}/check-runs?per_page=100`;
  const statusUrl = `${sim.url}/repos/acme/ci/commits/${pr.headSha}/status`;
  const runs = await http.get(runsUrl, auth('tok-dev'));
  assert.equal(runs.status, 200);
  assert.equal(runs.json().total_count, 2);
  assert.deepEqual(runs.json().check_runs.map((r: { name: string; status: string; conclusion: null }) => [r.name, r.status, r.conclusion]), [
    ['build', 'in_progress', null],
    ['test', 'in_progress', null],
  ]);
  const status = await http.get(statusUrl, auth('tok-dev'));
  assert.equal(status.json().state, 'pending');
  assert.deepEqual(status.json().statuses.map((s: { context: string }) => s.context), ['ci/lint']);
  const etag = String(runs.headers.etag);
  assert.equal((await http.get(runsUrl, { ...auth('tok-dev'), 'if-none-match': etag })).status, 304);

  sim.world.finishCheck(pr, pr.checks[1]!, 'failure', clock.now());
  const changed = await http.get(runsUrl, { ...auth('tok-dev'), 'if-none-match': etag });
  assert.equal(changed.status, 200);
  assert.deepEqual(changed.json().check_runs[1].conclusion, 'failure');
  const pull = (await http.get(`${sim.url}/repos/acme/ci/pulls/${pr.number}`, auth('tok-dev'))).json();
  assert.equal(pull.head.sha, pr.headSha);

  // A push starts the new head's CI; the old head has none left.
  const oldSha = pr.headSha;
  sim.world.push(pr, { additions: 1, deletions: 0, changedFiles: 1 }, clock.now());
  assert.equal((await http.get(`${sim.url}/repos/acme/ci/commits/${pr.headSha}/check-runs`, auth('tok-dev'))).json().check_runs[1].status, 'in_progress');
  assert.equal((await http.get(`${sim.url}/repos/acme/ci/commits/${oldSha}/check-runs`, auth('tok-dev'))).json().total_count, 0);
});

test('evolution finishes pending checks over time, mostly green, from a stream of its own', () => {
  const startAt = Date.UTC(2026, 0, 1);
  const world = createWorld({ startAt, evolve: evolution({ seed: 11, stepMs: 10_000, rates: { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0 } }) });
  const repo = world.addRepo('o', 'r');
  const prs = Array.from({ length: 20 }, (_, i) => world.openPullRequest(repo, world.addBranch(repo, `b${i}`, 'dev'), { title: `t${i}` }, startAt));
  world.advanceTo(startAt + 60 * 60_000);
  const states = prs.flatMap((pr) => pr.checks.map((c) => c.state));
  assert.equal(states.filter((s) => s === 'pending').length, 0, 'an hour is enough for every check');
  const failures = states.filter((s) => s === 'failure').length;
  assert.ok(failures > 0 && failures < states.length / 3, `some fail, most pass: ${failures} of ${states.length}`);
});

test('the check delivery the simulated GitHub sends makes the head branch due', () => {
  const repo = sim.world.addRepo('acme', 'hooks');
  const pr = sim.world.openPullRequest(repo, sim.world.addBranch(repo, 'dev-1/hook', 'dev-1'), { title: 'Hook' }, clock.now());
  for (const check of [...pr.checks]) {
    sim.world.finishCheck(pr, check, 'success', clock.now());
    const e = sim.dialect.checkDelivery!(repo, pr, check, { web: sim.url, api: sim.apiUrl }, 'secret');
    const event = e.headers!['x-github-event']!;
    assert.deepEqual(parseGitHubDelivery(event, JSON.parse(e.body!)), { kind: 'branch', repoUrl: `${sim.url}/acme/hooks`, branch: 'dev-1/hook' }, event);
  }
});
