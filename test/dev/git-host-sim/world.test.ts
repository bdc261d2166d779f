import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evolution } from '../../../src/dev/git-host-sim/evolution.ts';
import { createWorld, type World } from '../../../src/dev/git-host-sim/world.ts';
import { seededRandom } from '../../../src/dev/git-host-sim/prng.ts';

const START = Date.UTC(2026, 0, 5, 9);
const HOUR = 3_600_000;

function grownWorld(seed: number, advance: (world: World) => void): World {
  const world = createWorld({ startAt: START, evolve: evolution({ seed, stepMs: 10_000 }) });
  for (const name of ['api', 'web']) {
    const repo = world.addRepo('acme', name);
    for (let i = 0; i < 20; i++) world.addBranch(repo, `dev-${i % 4}/topic-${i}`, `dev-${i % 4}`);
  }
  advance(world);
  return world;
}

function snapshot(world: World): string {
  return JSON.stringify(world.repos().map((r) => ({ ...r, branches: [...r.branches.values()], pulls: [...r.pulls.values()] })));
}

test('the same seed and instants give the same world; stepping in pieces equals one jump', () => {
  const once = grownWorld(3, (w) => w.advanceTo(START + 6 * HOUR));
  const pieces = grownWorld(3, (w) => {
    for (let t = START; t <= START + 6 * HOUR; t += 7_777) w.advanceTo(t);
    w.advanceTo(START + 6 * HOUR);
  });
  assert.equal(snapshot(pieces), snapshot(once));
  assert.notEqual(snapshot(grownWorld(4, (w) => w.advanceTo(START + 6 * HOUR))), snapshot(once));
});

test('over hours PRs open, get reviews, grow, merge and close', () => {
  const world = grownWorld(11, (w) => w.advanceTo(START + 8 * HOUR));
  const pulls = world.repos().flatMap((r) => [...r.pulls.values()]);
  const branches = world.repos().flatMap((r) => [...r.branches.values()]);
  assert.ok(pulls.length >= branches.length / 2, `${pulls.length} PRs for ${branches.length} branches`);
  assert.ok(pulls.some((p) => p.merged), 'some merged');
  assert.ok(pulls.some((p) => p.state === 'closed' && !p.merged), 'some closed unmerged');
  assert.ok(pulls.some((p) => p.state === 'open'), 'some still open');
  assert.ok(pulls.some((p) => p.reviews.length > 0), 'some reviewed');
  assert.ok(pulls.some((p) => p.commits > 1), 'some pushed to');
  assert.ok(pulls.some((p) => p.reviews.some((r) => r.state === 'DISMISSED')), 'some reviews dismissed by a push');
  assert.ok(pulls.every((p) => p.reviews.every((r) => r.login !== p.authorLogin)), 'nobody reviews their own PR');
  assert.ok(pulls.every((p) => p.authorLogin === branches.find((b) => b.name === p.headRef)?.pusher));
  assert.ok(pulls.every((p) => !(p.merged && p.draft)), 'drafts never merge');
});

test('the world does not move without time, nor backwards', () => {
  const world = grownWorld(5, (w) => w.advanceTo(START + HOUR));
  const before = snapshot(world);
  world.advanceTo(START + HOUR);
  world.advanceTo(START);
  assert.equal(snapshot(world), before);
  assert.equal(world.time, START + HOUR);
});

test('mutations refuse what GitHub refuses', () => {
  const world = createWorld({ startAt: START });
  const repo = world.addRepo('acme', 'api');
  assert.throws(() => world.addRepo('ACME', 'api'), /exists already/);
  const branch = world.addBranch(repo, 'b', 'dev');
  assert.throws(() => world.addBranch(repo, 'b', 'dev'), /exists already/);
  const draft = world.openPullRequest(repo, branch, { title: 'T', draft: true }, START);
  assert.throws(() => world.merge(draft, START), /draft/);
  world.close(draft, START);
  assert.throws(() => world.review(draft, 'x', 'APPROVED', START), /closed/);
  assert.deepEqual(world.openPullsFor(repo, 'b'), []);
});

test('the seeded generator is deterministic, in range, and forks independent streams', () => {
  const a = seededRandom('seed');
  const b = seededRandom('seed');
  const drawsA = Array.from({ length: 50 }, () => a.int(3, 9));
  assert.deepEqual(Array.from({ length: 50 }, () => b.int(3, 9)), drawsA);
  assert.ok(drawsA.every((n) => n >= 3 && n <= 9) && new Set(drawsA).size === 7);
  const draws = (r: ReturnType<typeof seededRandom>) => Array.from({ length: 5 }, () => r.next());
  assert.deepEqual(draws(seededRandom('seed').fork('x')), draws(seededRandom('seed').fork('x')));
  assert.notDeepEqual(draws(seededRandom('seed').fork('x')), draws(seededRandom('seed')));
  assert.notDeepEqual(draws(seededRandom('seed').fork('x')), draws(seededRandom('seed').fork('y')));
  assert.throws(() => a.pick([]), RangeError);
});
