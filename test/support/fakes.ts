import { NoTokenError } from '../../src/domain/errors.ts';
import { systemClock, type WaitingClock } from '../../src/domain/clock.ts';
import type { PullRequestStatus } from '../../src/domain/row.ts';
import type {
  GitProvider,
  ProviderCallContext,
  ProviderRegistry,
  PullRequestRef,
  RepoRef,
} from '../../src/providers/provider.ts';
import type { ResolvedToken, TokenResolver } from '../../src/tokens/token-resolver.ts';

export const FAKE_HOST = 'git.test';

/** A clock the test moves by hand; its waits (a throttle's pause, a deadline's abort) take real time. */
export class ManualClock implements WaitingClock {
  current: number;
  constructor(start = Date.UTC(2026, 10, 28, 12, 0, 0)) {
    this.current = start;
  }
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  sleep(ms: number): Promise<void> {
    return systemClock.sleep(ms);
  }
  abortAfter(ms: number): AbortSignal {
    return systemClock.abortAfter(ms);
  }
}

/** How the fake host answers for one branch. */
export interface BranchBehaviour {
  /** PR number of the open PR; null = no PR yet. */
  pr?: number | null;
  /** Thrown by every call for this branch. */
  error?: () => Error;
  /** Awaited inside each call (gates, slow providers). */
  before?: (ctx: ProviderCallContext) => Promise<void>;
  title?: string;
}

export function statusFor(ref: PullRequestRef, title = `PR ${ref.number}`): PullRequestStatus {
  return {
    url: `https://${ref.repo.host}/${ref.repo.path}/pull/${ref.number}`,
    pullRequestState: 'open',
    pullRequestTitle: title,
    pullRequestDraft: false,
    changesRequested: false,
    additions: 10 + ref.number,
    deletions: 2,
    changedFiles: 3,
    authorLogin: 'octo',
    authorAvatarUrl: 'https://avatars.test/octo',
    baseBranch: 'main',
    headBranch: `branch-${ref.number}`,
    prNumber: ref.number,
    commits: 4,
    approved: false,
    reviewerCount: 0,
  };
}

/** An in-process provider for `https://git.test/<owner>/<repo>` origins. */
export class FakeProvider implements GitProvider {
  readonly type = 'fake';
  readonly host = FAKE_HOST;
  readonly branches = new Map<string, BranchBehaviour>();
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** Token values seen, in call order. */
  readonly tokensSeen: string[] = [];
  /** Which branch a PR number was last resolved from, so its fetch shares the behaviour. */
  readonly #resolvedBranch = new Map<number, string>();

  parseOrigin(origin: string): RepoRef | null {
    const m = /^https:\/\/git\.test\/([^/]+\/[^/]+?)(?:\.git)?$/.exec(origin);
    return m ? { host: FAKE_HOST, path: m[1]! } : null;
  }
  parsePullRequestUrl(url: string): PullRequestRef | null {
    const m = /^https:\/\/([^/]+)\/([^/]+\/[^/]+)\/pull\/(\d+)$/.exec(url);
    return m ? { repo: { host: m[1]!, path: m[2]! }, number: Number(m[3]) } : null;
  }
  buildPullRequestUrl(ref: PullRequestRef): string {
    return `https://${ref.repo.host}/${ref.repo.path}/pull/${ref.number}`;
  }
  /** Every PR is open here: `anyState` finds the same one. */
  async resolveBranchPullRequest(repo: RepoRef, branch: string, ctx: ProviderCallContext, _anyState?: boolean): Promise<PullRequestRef | null> {
    const b = await this.#enter(branch, ctx);
    try {
      const pr = b.pr === undefined ? Number(/(\d+)$/.exec(branch)?.[1] ?? 1) : b.pr;
      if (pr === null) return null;
      this.#resolvedBranch.set(pr, branch);
      return { repo, number: pr };
    } finally {
      this.inFlight--;
    }
  }
  async fetchPullRequestStatus(ref: PullRequestRef, ctx: ProviderCallContext): Promise<PullRequestStatus> {
    const branch =
      [...this.branches.entries()].find(([, b]) => b.pr === ref.number)?.[0] ??
      this.#resolvedBranch.get(ref.number) ??
      `branch-${ref.number}`;
    const b = await this.#enter(branch, ctx);
    try {
      return statusFor(ref, b.title);
    } finally {
      this.inFlight--;
    }
  }
  async #enter(branch: string, ctx: ProviderCallContext): Promise<BranchBehaviour> {
    this.calls++;
    this.tokensSeen.push(ctx.token);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const b = this.branches.get(branch) ?? {};
    try {
      await b.before?.(ctx);
      ctx.signal.throwIfAborted();
      if (b.error) throw b.error();
    } catch (err) {
      this.inFlight--;
      throw err;
    }
    return b;
  }
}

export class FakeRegistry implements ProviderRegistry {
  readonly provider: GitProvider;
  constructor(provider: GitProvider) {
    this.provider = provider;
  }
  forOrigin(origin: string) {
    const repo = this.provider.parseOrigin(origin);
    return repo ? { provider: this.provider, repo } : null;
  }
}

/** Tokens by owner; `''` is an empty token, absent is none. Counts look-ups. */
export class FakeTokens implements TokenResolver {
  readonly tokens = new Map<string, string>();
  readonly limitedUntil = new Map<string, number>();
  resolveCalls = 0;
  failWith: Error | undefined;
  readonly recorded: { key: string; resetAt: number }[] = [];

  async resolve(ownerId: string, provider: GitProvider): Promise<ResolvedToken> {
    this.resolveCalls++;
    if (this.failWith) throw this.failWith;
    const value = this.tokens.get(ownerId);
    if (value === undefined) throw new NoTokenError();
    const key = `${ownerId}@${provider.host}`;
    const limited = this.limitedUntil.get(key);
    return { value, key, ...(limited !== undefined ? { rateLimitedUntil: limited } : {}) };
  }
  async recordRateLimit(token: ResolvedToken, resetAt: number): Promise<void> {
    this.recorded.push({ key: token.key, resetAt });
    this.limitedUntil.set(token.key, resetAt);
  }
}

/** A promise with its resolve function, for gates. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
