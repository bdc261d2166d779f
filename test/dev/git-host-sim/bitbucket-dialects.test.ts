import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { bitbucketCloudDialect } from '../../../src/dev/git-host-sim/bitbucket-cloud-dialect.ts';
import { fileChanges } from '../../../src/dev/git-host-sim/bitbucket-parts.ts';
import { bitbucketServerDialect } from '../../../src/dev/git-host-sim/bitbucket-server-dialect.ts';
import type { HostDialect } from '../../../src/dev/git-host-sim/dialect.ts';
import { seedWorld } from '../../../src/dev/git-host-sim/seed.ts';
import { start } from '../../../src/dev/git-host-sim/server.ts';
import { RateLimitedError } from '../../../src/domain/errors.ts';
import { parseProviderConfigs } from '../../../src/providers/config.ts';
import { createHttpAgent } from '../../../src/providers/http/agent.ts';
import type { ProviderCallContext } from '../../../src/providers/provider.ts';
import { createProviderRegistry } from '../../../src/providers/registry.ts';
import { RowConditionalCache } from '../../../src/refresh/conditional-cache.ts';
import { manualClock } from './helpers.ts';

const agent = createHttpAgent();
after(() => agent.close());

/**
 * gitsync's own provider against the dialect: every seeded row's branch resolves to the PR
 * the world has for it, with the world's state, draft flag, branches and counts.
 */
for (const dialect of [bitbucketCloudDialect, bitbucketServerDialect] satisfies HostDialect[]) {
  test(`${dialect.type}: the provider reads every seeded row as the world has it`, async () => {
    const clock = manualClock();
    const sim = await start({ clock, seed: 5, dialect });
    try {
      const seeded = seedWorld(sim, { rows: 40, seed: 5, now: clock.now(), shardCount: 2 });
      const registry = createProviderRegistry(parseProviderConfigs(JSON.stringify([sim.providerEntry()])), { dispatcher: agent, clock });
      let checked = 0;
      for (const row of seeded.rows) {
        const token = seeded.tokens[row.ownerId!];
        if (!token) continue;
        const found = registry.forOrigin(row.gitRemoteOrigin!);
        assert.ok(found, `origin ${row.gitRemoteOrigin} is the simulated host's`);
        const ctx: ProviderCallContext = { token, signal: AbortSignal.timeout(10_000), cache: new RowConditionalCache(undefined), truncated: () => assert.fail('nothing is truncated') };
        const ref = await found.provider.resolveBranchPullRequest(found.repo, row.gitBranch!, ctx, true);
        const [owner, name] = found.repo.path.split('/');
        const repo = sim.world.repo(owner!, name!)!;
        const pulls = repo.branches.get(row.gitBranch!)!.pulls;
        assert.equal(ref?.number ?? null, pulls.at(-1) ?? null);
        if (!ref) continue;
        const pr = repo.pulls.get(ref.number)!;
        const status = await found.provider.fetchPullRequestStatus(ref, ctx);
        const lines = fileChanges(pr);
        assert.deepEqual(
          [status.pullRequestState, status.pullRequestDraft, status.headBranch, status.baseBranch, status.pullRequestTitle, status.commits, status.changedFiles, status.additions, status.deletions],
          [pr.state === 'open' ? 'open' : pr.merged ? 'merged' : 'closed', pr.draft, pr.headRef, pr.baseRef, pr.title, pr.commits, lines.length, pr.additions, pr.deletions],
        );
        assert.equal(found.provider.parsePullRequestUrl(status.url)?.number, pr.number);
        checked++;
      }
      assert.ok(checked > 5, `checked ${checked} PRs`);
    } finally {
      await sim.close();
    }
  });
}

test('bitbucket-cloud: a spent hour answers 429 with Retry-After, which the provider reads as a rate limit', async () => {
  const clock = manualClock();
  const sim = await start({ clock, seed: 5, dialect: bitbucketCloudDialect, rateLimit: { limit: 2 } });
  try {
    seedWorld(sim, { rows: 4, seed: 5, now: clock.now(), shardCount: 1 });
    sim.addToken('ATCTT3xlimited', 'dev-1');
    const registry = createProviderRegistry(parseProviderConfigs(JSON.stringify([sim.providerEntry()])), { dispatcher: agent, clock });
    const repo = sim.world.repos()[0]!;
    const found = registry.forOrigin(sim.originOf(repo))!;
    const ctx: ProviderCallContext = { token: 'ATCTT3xlimited', signal: AbortSignal.timeout(10_000), cache: new RowConditionalCache(undefined), truncated: () => {} };
    await found.provider.resolveBranchPullRequest(found.repo, 'none-1', ctx);
    await found.provider.resolveBranchPullRequest(found.repo, 'none-2', ctx);
    await assert.rejects(found.provider.resolveBranchPullRequest(found.repo, 'none-3', ctx), (e) => e instanceof RateLimitedError && e.resetAt === clock.now() + 3_600_000);
  } finally {
    await sim.close();
  }
});
