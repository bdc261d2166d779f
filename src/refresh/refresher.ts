import pLimit, { type LimitFunction } from 'p-limit';
import type { Clock } from '../domain/clock.ts';
import {
  DeadlineExceeded,
  InvalidRowError,
  NoProviderError,
  NoTokenError,
  RateLimitedError,
  SkippedByRateLimit,
  asRefreshError,
  describeError,
  type RefreshError,
} from '../domain/errors.ts';
import { silentLog, type Log } from '../domain/log.ts';
import { rowProblem, type DiffStatusRow, type PullRequestStatus } from '../domain/row.ts';
import type { GitProvider, ProviderRegistry, PullRequestRef, RepoRef, TruncatedList } from '../providers/provider.ts';
import type { ResolvedToken, TokenResolver } from '../tokens/token-resolver.ts';
import { RowConditionalCache } from './conditional-cache.ts';
import { groupByOwnerAndOrigin, type RowGroup } from './grouping.ts';
import type { RefreshResult } from './result.ts';

export interface RefresherOptions {
  registry: ProviderRegistry;
  tokens: TokenResolver;
  clock: Clock;
  /** HTTP-bound refreshes in flight at once, across all groups. */
  concurrency: number;
  /** Refreshes in flight at once per token: GitHub asks for serial requests per token. */
  perTokenConcurrency: number;
  log?: Log;
}

export interface RefreshRun {
  /** Epoch ms after which no refresh starts and in-flight requests are aborted. */
  deadline: number;
  /** Aborts everything early (e.g. the process is shutting down). */
  signal?: AbortSignal;
}

interface ResolvedGroup {
  provider: GitProvider;
  repo: RepoRef;
  token: ResolvedToken;
}

/**
 * Refreshes rows against their providers: one result per row, in input order. The provider is
 * resolved per (owner, origin) group and the token once per (owner, host), all look-ups at
 * once before any request; the HTTP work runs concurrently under a global and a per-token
 * limit. A rate limit on a token skips that token's rows that have not started yet; other
 * tokens go on.
 */
export class Refresher {
  readonly #o: RefresherOptions;
  readonly #log: Log;

  constructor(options: RefresherOptions) {
    for (const key of ['concurrency', 'perTokenConcurrency'] as const) {
      if (!Number.isInteger(options[key]) || options[key] < 1) {
        throw new Error(`${key} must be a positive integer, got ${options[key]}`);
      }
    }
    this.#o = options;
    this.#log = options.log ?? silentLog;
  }

  /** `onResult` hears each row's result as soon as it is known, so its write-back need not wait for the batch. */
  async refresh(
    rows: readonly DiffStatusRow[],
    run: RefreshRun,
    onResult?: (index: number, result: RefreshResult) => void,
  ): Promise<RefreshResult[]> {
    const results: RefreshResult[] = new Array(rows.length);
    const settle = (i: number, result: RefreshResult) => {
      results[i] = result;
      onResult?.(i, result);
    };
    const signal = deadlineSignal(run, this.#o.clock.now());
    const global = pLimit(this.#o.concurrency);
    const perToken = new Map<string, LimitFunction>();
    /** Token key -> reset time of a rate limit seen in this run (or recorded earlier). */
    const limited = new Map<string, number>();
    const tasks: Promise<void>[] = [];

    // Look-ups run at once, one per owner and host: the first request must not wait for a
    // chain of sequential reads, one per (owner, origin) group.
    const lookups = new Map<string, Promise<ResolvedToken>>();
    // Rows other services wrote with attributes of the wrong type fail alone, with a stored
    // reason, instead of as an unexpected error deep in a provider.
    const wellFormed: number[] = [];
    rows.forEach((row, i) => {
      const problem = rowProblem(row);
      if (problem) settle(i, { kind: 'failed', error: new InvalidRowError(problem) });
      else wellFormed.push(i);
    });
    const groups = groupByOwnerAndOrigin(wellFormed.map((i) => rows[i]!)).map((group) => ({
      ...group,
      indices: group.indices.map((j) => wellFormed[j]!),
    }));
    const resolvedGroups = await Promise.all(groups.map((group) => this.#resolveGroup(group, limited, lookups)));
    groups.forEach((group, g) => {
      const resolved = resolvedGroups[g]!;
      if (!('provider' in resolved)) {
        for (const i of group.indices) settle(i, { kind: 'failed', error: resolved });
        return;
      }
      let tokenLimit = perToken.get(resolved.token.key);
      if (!tokenLimit) {
        tokenLimit = pLimit(this.#o.perTokenConcurrency);
        perToken.set(resolved.token.key, tokenLimit);
      }
      const limit = tokenLimit;
      for (const i of group.indices) {
        const row = rows[i]!;
        // Per-token slot first, then a global one: a global slot is never held while waiting.
        const task = limit(() => global(() => this.#refreshRow(row, resolved, run.deadline, signal, limited)));
        tasks.push(task.then((result) => settle(i, result)));
      }
    });
    await Promise.all(tasks);
    return results;
  }

  async #resolveGroup(
    group: RowGroup,
    limited: Map<string, number>,
    lookups: Map<string, Promise<ResolvedToken>>,
  ): Promise<ResolvedGroup | RefreshError> {
    const match = this.#o.registry.forOrigin(group.origin);
    if (!match) return new NoProviderError('no configured git provider serves this origin (unknown host, or no repository path on it)');
    if (!group.ownerId) return new NoTokenError('the row has no owner, so no token can be used');
    const lookupKey = JSON.stringify([group.ownerId, match.provider.host]);
    let lookup = lookups.get(lookupKey);
    if (!lookup) {
      lookup = this.#o.tokens.resolve(group.ownerId, match.provider);
      lookups.set(lookupKey, lookup);
    }
    let token: ResolvedToken;
    try {
      token = await lookup;
    } catch (err) {
      return asRefreshError(err);
    }
    if (!token.value) return new NoTokenError('the linked git token is empty');
    const now = this.#o.clock.now();
    const known = limited.get(token.key);
    if (known !== undefined) return new SkippedByRateLimit(known);
    if (token.rateLimitedUntil !== undefined && token.rateLimitedUntil > now) {
      limited.set(token.key, token.rateLimitedUntil);
      return new SkippedByRateLimit(token.rateLimitedUntil);
    }
    return { provider: match.provider, repo: match.repo, token };
  }

  async #refreshRow(
    row: DiffStatusRow,
    { provider, repo, token }: ResolvedGroup,
    deadline: number,
    signal: AbortSignal,
    limited: Map<string, number>,
  ): Promise<RefreshResult> {
    if (signal.aborted || this.#o.clock.now() >= deadline) return { kind: 'failed', error: new DeadlineExceeded() };
    const skippedUntil = limited.get(token.key);
    if (skippedUntil !== undefined) return { kind: 'failed', error: new SkippedByRateLimit(skippedUntil) };

    const cache = new RowConditionalCache(row.httpCache);
    const truncated: TruncatedList[] = [];
    const ctx = { token: token.value, signal, cache, truncated: (list: TruncatedList) => truncated.push(list) };
    const refreshed = (status: PullRequestStatus): RefreshResult => {
      for (const list of truncated) {
        this.#log.warn('a list was longer than the page cap and read in part', { chatId: row.chatId, url: status.url, ...list });
      }
      return { kind: 'refreshed', status, httpCache: cache.entries(), ...(truncated.length > 0 ? { truncatedLists: truncated.length } : {}) };
    };
    try {
      const stored = row.url ? this.#storedPullRequest(row.url, provider, repo) : null;
      if (stored) {
        const status = await provider.fetchPullRequestStatus(stored, ctx);
        if (status.headBranch === row.gitBranch) return refreshed(status);
      }
      // No url yet, or it is the PR of another branch or repository: the chat moved on (a
      // push to a new branch), so the branch's own PR is looked up.
      const ref = await provider.resolveBranchPullRequest(repo, row.gitBranch ?? '', ctx);
      if (!ref) return { kind: 'no_pr', httpCache: cache.entries(), dropStoredPullRequest: row.url !== undefined };
      return refreshed(await provider.fetchPullRequestStatus(ref, ctx));
    } catch (err) {
      if (signal.aborted) return { kind: 'failed', error: new DeadlineExceeded() };
      const error = asRefreshError(err);
      if (error instanceof RateLimitedError && !limited.has(token.key)) {
        limited.set(token.key, error.resetAt);
        await this.#o.tokens.recordRateLimit(token, error.resetAt).catch((recordError: unknown) => {
          this.#log.warn('could not record a token rate limit', { tokenKey: token.key, error: describeError(recordError) });
        });
      }
      return { kind: 'failed', error };
    }
  }

  /**
   * The PR a stored url names when it is in the origin's repository; null when it is in
   * another repository of the host. A url that is no PR of this host is the row's error.
   */
  #storedPullRequest(url: string, provider: GitProvider, repo: RepoRef): PullRequestRef | null {
    const ref = provider.parsePullRequestUrl(url);
    if (!ref || ref.repo.host !== provider.host) {
      throw new InvalidRowError(`the row's PR url is not a pull request on ${provider.host}`);
    }
    return ref.repo.path.toLowerCase() === repo.path.toLowerCase() ? ref : null;
  }
}

/** Aborts at the deadline, or earlier with the caller's signal. */
function deadlineSignal(run: RefreshRun, now: number): AbortSignal {
  const timeout = AbortSignal.timeout(Math.max(0, run.deadline - now));
  return run.signal ? AbortSignal.any([run.signal, timeout]) : timeout;
}
