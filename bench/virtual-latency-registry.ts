import type { GitProvider, ProviderCallContext, ProviderRegistry, PullRequestRef, RepoRef } from '../src/providers/provider.ts';
import type { PullRequestStatus } from '../src/domain/row.ts';
import { NoTokenError } from '../src/domain/errors.ts';
import { tokenKey } from '../src/tokens/dynamo-token-resolver.ts';
import type { ResolvedToken, TokenResolver } from '../src/tokens/token-resolver.ts';

/**
 * The configured providers with their HTTP replaced by a wait: each call takes `latencyMs` of
 * virtual time (`latencyMs / clockRate` real milliseconds, see VirtualClock) and answers the
 * same open pull request every time (the common case: a refresh that finds nothing new).
 * Parsing stays the real provider's. For the scale section's steady runs, where one process
 * stands in for every worker's Lambda and serving a simulated GitHub over loopback HTTP would
 * measure this machine's CPU instead of the design (tick, store, shard leases, fan-out).
 */
export function virtualLatencyRegistry(real: ProviderRegistry, latencyMs: number, clockRate: number): ProviderRegistry {
  const waitMs = latencyMs / clockRate;
  const wrapped = new Map<GitProvider, GitProvider>();
  const wrap = (p: GitProvider): GitProvider => ({
    type: p.type,
    host: p.host,
    parseOrigin: (origin) => p.parseOrigin(origin),
    parsePullRequestUrl: (url) => p.parsePullRequestUrl(url),
    buildPullRequestUrl: (ref) => p.buildPullRequestUrl(ref),
    async resolveBranchPullRequest(repo: RepoRef, branch: string, ctx: ProviderCallContext): Promise<PullRequestRef | null> {
      await wait(waitMs, ctx.signal);
      return { repo, number: 1 + (hash(branch) % 10_000) };
    },
    async fetchPullRequestStatus(ref: PullRequestRef, ctx: ProviderCallContext): Promise<PullRequestStatus> {
      await wait(waitMs, ctx.signal);
      return statusOf(ref, p.buildPullRequestUrl(ref));
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

function statusOf(ref: PullRequestRef, url: string): PullRequestStatus {
  return {
    url, pullRequestState: 'open', pullRequestTitle: `Change ${ref.number}`, pullRequestDraft: false, changesRequested: false,
    additions: 10, deletions: 2, changedFiles: 1, authorLogin: 'octocat', authorAvatarUrl: 'https://avatars.example/octocat',
    baseBranch: 'main', headBranch: `branch-${ref.number}`, prNumber: ref.number, commits: 1, approved: false, reviewerCount: 0,
  };
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
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
