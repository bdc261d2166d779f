import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bitbucketCloudDialect } from '../../src/dev/git-host-sim/bitbucket-cloud-dialect.ts';
import { bitbucketServerDialect } from '../../src/dev/git-host-sim/bitbucket-server-dialect.ts';
import { DEFAULT_RATES } from '../../src/dev/git-host-sim/evolution.ts';
import { seedWorld } from '../../src/dev/git-host-sim/seed.ts';
import { Harness, POLICY } from './support/harness.ts';
import { runScenario, scenarioArbitrary } from './support/scenario.ts';

/**
 * Bitbucket rows through the real tick on DynamoDB Local: a seeded, evolving Bitbucket Cloud
 * or Data Center world, one soak scenario each (random ticks, pushes, refresh-now calls, host,
 * DynamoDB and Lambda faults, moves between hosts, renames, reused branches, damaged caches),
 * then every invariant holds and every row shows its PR as the host has it.
 */
for (const dialect of [bitbucketCloudDialect, bitbucketServerDialect]) {
  test(`${dialect.type}: a soak scenario ends with no violation and every row healed`, async () => {
    const seed = 25;
    const h = await Harness.create({ seed, shardCount: 4, sim: { rates: DEFAULT_RATES, dialect }, secondHost: true });
    try {
      const seeded = seedWorld(h.sim, { rows: 30, now: h.clock.now(), shardCount: h.shardCount, seed });
      await h.adopt(seeded);
      const [groups] = fc.sample(scenarioArbitrary(8), { seed, numRuns: 1 });
      const result = await runScenario(h, { rows: seeded.rows, repos: h.sim.world.repos() }, groups!);
      assert.deepEqual(result.violations, []);
      assert.deepEqual(result.notHealed, []);
      assert.ok(result.rowsChecked > 0);
      // The rows show the host's own URLs.
      const shown = [...(await h.rows()).values()].filter((r) => r.url !== undefined);
      assert.ok(shown.length > 5, `${shown.length} rows show a PR`);
      for (const row of shown) assert.ok(h.hosts.some((x) => row.url!.startsWith(`${x.sim.url}/`)) && row.url!.includes('/pull-requests/'), row.url);
    } finally {
      await h.close();
    }
  });

  test(`${dialect.type}: a renamed repository's rows follow its redirect to the new URL`, async () => {
    const h = await Harness.create({ seed: 3, sim: { dialect } });
    try {
      await h.linkToken('alice', dialect.credentialFor('alice', 'a0'));
      const repo = h.repo('acme', 'old-name');
      const row = h.newRow({ chatId: 'renamed', ownerId: 'alice', repo });
      await h.putRows([row]);
      for (let i = 0; i < 3; i++) await h.tick();
      h.sim.world.moveRepo(repo, 'acme', 'new-name');
      h.clock.advance(POLICY.openCapMs + 1);
      h.sim.world.advanceTo(h.clock.now());
      for (let i = 0; i < 3; i++) await h.tick();
      const stored = (await h.row('renamed'))!;
      assert.equal(stored.lastErrorKind, undefined, stored.lastErrorMessage);
      assert.equal(stored.url, h.sim.pullRequestUrl(repo, 1));
      assert.match(stored.url!, /new-name\/pull-requests\/1$/);
      assert.deepEqual((await h.check()).violations, []);
    } finally {
      await h.close();
    }
  });
}
