import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { azureDevOpsDialect } from '../../../src/dev/git-host-sim/azure-devops-dialect.ts';
import { bitbucketCloudDialect } from '../../../src/dev/git-host-sim/bitbucket-cloud-dialect.ts';
import { headHash } from '../../../src/dev/git-host-sim/bitbucket-cloud-json.ts';
import { bitbucketServerDialect } from '../../../src/dev/git-host-sim/bitbucket-server-dialect.ts';
import type { HostDialect } from '../../../src/dev/git-host-sim/dialect.ts';
import { start } from '../../../src/dev/git-host-sim/server.ts';
import { parseProviderConfigs } from '../../../src/providers/config.ts';
import { createHttpAgent } from '../../../src/providers/http/agent.ts';
import type { ProviderCallContext } from '../../../src/providers/provider.ts';
import { createProviderRegistry } from '../../../src/providers/registry.ts';
import { RowConditionalCache } from '../../../src/refresh/conditional-cache.ts';
import { manualClock } from './helpers.ts';

const agent = createHttpAgent();
after(() => agent.close());

const STILL = { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0, ciFinish: 0 };

/** How each dialect tells a conflicted, otherwise mergeable PR and a PR whose merge is still computed. */
const MERGEABILITY: Record<string, { computing: string; conflicts: string; failedBuild: string; unchangedRequests: number }> = {
  // No merge check in Cloud's API: the diffstat's conflicts only (read with a new version's counts).
  // Unchanged: the PR and the statuses' first page.
  'bitbucket-cloud': { computing: 'clean', conflicts: 'conflicts', failedBuild: 'clean', unchangedRequests: 2 },
  // A failed build vetoes the merge ("minimum successful builds"). Unchanged: the PR, its merge check, the builds.
  'bitbucket-server': { computing: 'unknown', conflicts: 'conflicts', failedBuild: 'blocked', unchangedRequests: 3 },
  // Unchanged: the PR and its statuses.
  'azure-devops': { computing: 'unknown', conflicts: 'conflicts', failedBuild: 'clean', unchangedRequests: 2 },
};

/**
 * gitsync's provider against each dialect: the head commit's CI pending after the push, then
 * finished on the host (a failure among them), seen by the next refresh; an unchanged host
 * answers the checks with 304s; a push resets them to the new head's.
 */
for (const dialect of [bitbucketCloudDialect, bitbucketServerDialect, azureDevOpsDialect] satisfies HostDialect[]) {
  test(`${dialect.type}: checks pending, then finished, then reset by a push; unchanged checks are 304s`, async () => {
    const clock = manualClock();
    const sim = await start({ clock, seed: 7, latency: 0, dialect, rates: STILL });
    try {
      const token = dialect.credentialFor('alice', 'a0');
      sim.addToken(token, 'alice');
      const repo = sim.world.addRepo('acme', 'app');
      const pr = sim.world.openPullRequest(repo, sim.world.addBranch(repo, 'feature/ci', 'alice'), { title: 'CI', additions: 3, changedFiles: 2 }, clock.now());
      const registry = createProviderRegistry(parseProviderConfigs(JSON.stringify([sim.providerEntry()])), { dispatcher: agent, clock });
      const found = registry.forOrigin(sim.originOf(repo))!;
      const cache = new RowConditionalCache(undefined);
      const ctx: ProviderCallContext = { token, signal: AbortSignal.timeout(10_000), cache, truncated: () => assert.fail('nothing is truncated') };
      const ref = { repo: found.repo, number: pr.number };
      const expected = MERGEABILITY[dialect.type]!;

      const pending = await found.provider.fetchPullRequestStatus(ref, ctx);
      assert.deepEqual(pending.checks, { state: 'pending', total: 3, passed: 0, failed: 0, pending: 3, failing: [] });
      assert.equal(pending.mergeable, expected.computing);
      const head = () => (dialect === bitbucketCloudDialect ? headHash(pr).slice(0, 12) : pr.headSha);
      assert.equal(pending.headSha, head());

      clock.advance(60_000);
      const [build, test, lint] = pr.checks;
      sim.world.finishCheck(pr, build!, 'success', clock.now());
      sim.world.finishCheck(pr, test!, 'failure', clock.now());
      sim.world.finishCheck(pr, lint!, 'success', clock.now());
      pr.mergeable = true;
      const finished = await found.provider.fetchPullRequestStatus(ref, ctx);
      assert.deepEqual(finished.checks, { state: 'failure', total: 3, passed: 2, failed: 1, pending: 0, failing: [dialect === azureDevOpsDialect ? `sim-ci/${test!.name}` : test!.name] });
      assert.equal(finished.mergeable, expected.failedBuild);

      const before = sim.stats.snapshot();
      const again = await found.provider.fetchPullRequestStatus(ref, ctx);
      assert.deepEqual([again.checks, again.mergeable], [finished.checks, finished.mergeable]);
      const after = sim.stats.snapshot();
      assert.deepEqual([after.requests - before.requests, after.notModified - before.notModified], [expected.unchangedRequests, expected.unchangedRequests], 'an unchanged PR is answered with 304s only');

      clock.advance(60_000);
      sim.world.push(pr, { additions: 1, deletions: 0, changedFiles: 1 }, clock.now());
      pr.mergeable = false;
      const pushed = await found.provider.fetchPullRequestStatus(ref, ctx);
      assert.equal(pushed.checks?.state, 'pending');
      assert.equal(pushed.headSha, head());
      assert.equal(pushed.mergeable, expected.conflicts);
    } finally {
      await sim.close();
    }
  });
}
