import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seedWorld, type SeededWorld } from '../../../src/dev/git-host-sim/seed.ts';
import { start, type GitHostSim } from '../../../src/dev/git-host-sim/server.ts';
import { dueShardFor } from '../../../src/store/shard.ts';
import { auth, client, manualClock } from './helpers.ts';

const clock = manualClock();
const http = client();
let sim: GitHostSim;
let seeded: SeededWorld;

before(async () => {
  sim = await start({ clock, seed: 9 });
  seeded = seedWorld(sim, { rows: 200, seed: 9, now: clock.now(), shardCount: 4 });
});
after(async () => {
  await sim.close();
  await http.agent.close();
});

test('seeding returns one due row per branch, pointing at the simulated host', () => {
  assert.equal(seeded.rows.length, 200);
  assert.equal(new Set(seeded.rows.map((r) => r.chatId)).size, 200);
  for (const row of seeded.rows) {
    assert.match(row.gitRemoteOrigin ?? '', new RegExp(`^${sim.url}/[a-z]+/[a-z]+\\.git$`));
    assert.equal(row.dueShard, dueShardFor(row.chatId, 4));
    assert.ok(row.staleAt! <= clock.now());
    assert.ok(row.createdAt! <= row.updatedAt! && row.updatedAt! <= clock.now());
    const [owner, name] = new URL(row.gitRemoteOrigin!).pathname.replace(/\.git$/, '').slice(1).split('/');
    assert.ok(sim.world.repo(owner!, name!)?.branches.has(row.gitBranch!), row.gitBranch);
  }
  assert.ok(seeded.rows.some((r) => clock.now() - r.updatedAt! < 120_000), 'some branches pushed just now');
  assert.equal(new Set(seeded.rows.map((r) => r.dueShard)).size, 4, 'rows spread over every shard');
});

test('most owners have a token the host accepts; some have none', async () => {
  const withToken = Object.keys(seeded.tokens);
  assert.equal(seeded.ownerIds.length, 8);
  assert.equal(withToken.length, 7);
  const row = seeded.rows.find((r) => seeded.tokens[r.ownerId!])!;
  const path = new URL(row.gitRemoteOrigin!).pathname.replace(/\.git$/, '');
  const res = await http.get(`${sim.url}/repos${path}/pulls?head=${path.split('/')[1]}:${row.gitBranch}&state=open`, auth(seeded.tokens[row.ownerId!]!));
  assert.equal(res.status, 200);
  assert.ok(seeded.rows.some((r) => !seeded.tokens[r.ownerId!]), 'some rows belong to tokenless owners');
});

test('branches start with open PRs, finished PRs or none', () => {
  const branches = sim.world.repos().flatMap((r) => [...r.branches.values()].map((b) => ({ repo: r, b })));
  const open = branches.filter(({ repo, b }) => sim.world.openPullsFor(repo, b.name).length > 0).length;
  const none = branches.filter(({ b }) => b.pulls.length === 0).length;
  assert.ok(open > 60 && none > 40 && open + none < branches.length, `open ${open}, none ${none}, of ${branches.length}`);
});

test('the same seed seeds the same rows and tokens', async () => {
  const other = await start({ clock, seed: 9, port: 0 });
  try {
    const again = seedWorld(other, { rows: 200, seed: 9, now: clock.now(), shardCount: 4 });
    const local = (s: SeededWorld, url: string) => JSON.stringify(s).replaceAll(url, 'HOST');
    assert.equal(local(again, other.url), local(seeded, sim.url));
  } finally {
    await other.close();
  }
});

test('bad seeding options are refused clearly', () => {
  assert.throws(() => seedWorld(sim, { rows: -1, now: clock.now(), shardCount: 4 }), /rows/);
  assert.throws(() => seedWorld(sim, { rows: 1, now: clock.now(), shardCount: 0 }), /shardCount/);
  assert.throws(() => seedWorld(sim, { rows: 1, owners: 2, ownersWithoutToken: 3, now: clock.now(), shardCount: 4 }), /owners/);
});
