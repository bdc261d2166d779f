import type { GitProvider, ProviderCallContext, ProviderRegistry, PullRequestRef, RepoRef } from '../src/providers/provider.ts';
import type { PullRequestStatus } from '../src/domain/row.ts';
import { NoTokenError, ProviderError } from '../src/domain/errors.ts';
import type { PullRequest, World } from '../src/dev/git-host-sim/world.ts';
import { tokenKey } from '../src/tokens/dynamo-token-resolver.ts';
import type { ResolvedToken, TokenResolver } from '../src/tokens/token-resolver.ts';

/**
 * The configured providers with their HTTP replaced by a wait: each request takes `latencyMs`
 * of virtual time (`latencyMs / clockRate` real milliseconds, see VirtualClock), and the
 * answers are the simulated host's `world` as it stands (no evolution: the common case, a
 * refresh that finds nothing new). A pull request's status is two requests, as the real GitHub
 * provider makes them one after the other (the pull, its reviews); a branch search is one.
 * URL and origin parsing stay the real provider's. For the scale section's steady runs, where
 * one process stands in for every worker's Lambda and serving the simulated GitHub over
 * loopback HTTP would measure this machine's CPU instead of the design (tick, store, shard
 * leases, fan-out).
 */
export function virtualLatencyRegistry(real: ProviderRegistry, world: Pick<World, 'repo'>, latencyMs: number, clockRate: number): ProviderRegistry {
  const waitMs = latencyMs / clockRate;
  const repoOf = (ref: RepoRef) => {
    const [owner = '', name = ''] = ref.path.split('/');
    return world.repo(owner, name);
  };
  const wrapped = new Map<GitProvider, GitProvider>();
  const wrap = (p: GitProvider): GitProvider => ({
    type: p.type,
    host: p.host,
    parseOrigin: (origin) => p.parseOrigin(origin),
    parsePullRequestUrl: (url) => p.parsePullRequestUrl(url),
    buildPullRequestUrl: (ref) => p.buildPullRequestUrl(ref),
    async resolveBranchPullRequest(repo: RepoRef, branch: string, ctx: ProviderCallContext, anyState?: boolean): Promise<PullRequestRef | null> {
      await wait(waitMs, ctx.signal);
      const numbers = repoOf(repo)?.branches.get(branch)?.pulls ?? [];
      const pulls = numbers.map((n) => repoOf(repo)!.pulls.get(n)!);
      const pr = anyState ? pulls.at(-1) : pulls.findLast((candidate) => candidate.state === 'open');
      return pr ? { repo, number: pr.number } : null;
    },
    async fetchPullRequestStatus(ref: PullRequestRef, ctx: ProviderCallContext): Promise<PullRequestStatus> {
      await wait(waitMs, ctx.signal);
      const pr = repoOf(ref.repo)?.pulls.get(ref.number);
      if (!pr) throw new ProviderError(`GitHub pull request: ${ref.repo.path}#${ref.number} not found`, 404);
      await wait(waitMs, ctx.signal);
      return statusOf(pr, p.buildPullRequestUrl(ref));
    },
  });
  return {
    forOrigin(origin) {
      const found = real.forOrigin(origin);
      if (!found) return null;
      let provider = wrapped.get(found.provider);
      if (!provider) wrapped.set(found.provider, (provider = wrap(found.provider)));
      return { provider, repo: found.repo };
    },
  };
}

function statusOf(pr: PullRequest, url: string): PullRequestStatus {
  const latest = new Map(pr.reviews.map((r) => [r.login, r.state]));
  return {
    url, pullRequestState: pr.merged ? 'merged' : pr.state, pullRequestTitle: pr.title, pullRequestDraft: pr.draft,
    changesRequested: [...latest.values()].includes('CHANGES_REQUESTED'), additions: pr.additions, deletions: pr.deletions,
    changedFiles: pr.changedFiles, authorLogin: pr.authorLogin, authorAvatarUrl: `https://avatars.example/${pr.authorLogin}`,
    baseBranch: pr.baseRef, headBranch: pr.headRef, prNumber: pr.number, commits: pr.commits,
    approved: [...latest.values()].includes('APPROVED'), reviewerCount: latest.size,
  };
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The world's tokens held in memory, for a run whose store is in memory too (no DynamoDB Local round trip per owner). */
export function memoryTokens(tokens: Record<string, string>): TokenResolver {
  return {
    async resolve(ownerId: string, provider: GitProvider): Promise<ResolvedToken> {
      const value = tokens[ownerId];
      if (value === undefined) throw new NoTokenError(`no git token is linked for this owner on ${provider.host}`);
      return { value, key: tokenKey(ownerId, provider.host) };
    },
    // The virtual-latency providers never answer 429.
    async recordRateLimit(): Promise<void> {},
  };
}
