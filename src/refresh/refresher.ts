import type { WaitingClock } from '../domain/clock.ts';
import {
  AuthError,
  DeadlineExceeded,
  InvalidRowError,
  NoProviderError,
  NoTokenError,
  RateLimitedError,
  SkippedByRateLimit,
  SlowHostError,
  RefreshError,
  asRefreshError,
  describeError,
} from '../domain/errors.ts';
import { silentLog, type Log } from '../domain/log.ts';
import { rowProblem, type DiffStatusRow, type PullRequestStatus, type RepoMove } from '../domain/row.ts';
import type { GitProvider, ProviderRegistry, PullRequestRef, RepoRef, TruncatedList } from '../providers/provider.ts';
import { tokenScope, type ResolvedToken, type TokenResolver } from '../tokens/token-resolver.ts';
import { RowConditionalCache } from './conditional-cache.ts';
import { groupByOwnerAndOrigin, type RowGroup } from './grouping.ts';
import type { RefreshResult } from '../domain/refresh-result.ts';
import { expectedCalls, runScheduled, type ScheduledRow } from './row-schedule.ts';

export interface RefresherOptions {
  registry: ProviderRegistry;
  tokens: TokenResolver;
  /** Reads the time, and aborts a run at its deadline and a row past its time share. */
  clock: WaitingClock;
  /** HTTP-bound refreshes in flight at once, across all groups. */
  concurrency: number;
  /** Refreshes in flight at once per token: GitHub asks for serial requests per token. */
  perTokenConcurrency: number;
  /**
   * Longest one row's requests may take, from its start (default 10 s, the agent's own
   * header timeout). A host that trickles its answer fails the row as `slow_host` (backing
   * off) instead of holding a slot until the tick's deadline while other hosts' rows wait.
   */
  rowTimeShareMs?: number;
  log?: Log;
}

export const DEFAULT_ROW_TIME_SHARE_MS = 10_000;

export interface RefreshRun {
  /** Epoch ms after which no refresh starts and in-flight requests are aborted. */
  deadline: number;
  /** Aborts everything early (e.g. the process is shutting down). */
  signal?: AbortSignal;
  /**
   * Each row's stored conditional-request entries, in input order (the HTTP cache table's, see
   * `refresh/http-caches.ts`); unusable ones are dropped. Absent: every request is made in full.
   */
  httpCaches?: readonly unknown[];
}

interface ResolvedGroup {
  provider: GitProvider;
  repo: RepoRef;
  token: ResolvedToken;
  ownerId: string;
  /** The token's look-up scope (see `TokenResolver.scope`). */
  scope: string;
}

/**
 * Refreshes rows against their providers: one result per row, in input order. The provider is
 * resolved per (owner, origin) group and the token once per scope (owner and host, or App installation), all look-ups at
 * once before any request; the HTTP work runs concurrently under a global and a per-token
 * limit. A rate limit on a token skips that token's rows that have not started yet; other
 * tokens go on.
 */
export class Refresher {
  readonly #o: RefresherOptions & { rowTimeShareMs: number };
  readonly #log: Log;

  constructor(options: RefresherOptions) {
    const limits = { ...options, rowTimeShareMs: options.rowTimeShareMs ?? DEFAULT_ROW_TIME_SHARE_MS };
    for (const key of ['concurrency', 'perTokenConcurrency', 'rowTimeShareMs'] as const) {
      if (!Number.isInteger(limits[key]) || limits[key] < 1) {
        throw new Error(`${key} must be a positive integer, got ${limits[key]}`);
      }
    }
    this.#o = limits;
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
    const signal = deadlineSignal(run, this.#o.clock);
    /** Token key -> reset time of a rate limit seen in this run (or recorded earlier). */
    const limited = new Map<string, number>();
    /** Token key -> its replacement after a 401, asked for once per run (see `#refreshRow`). */
    const renewals = new Map<string, Promise<ResolvedToken | RefreshError | null>>();

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
    const work: (ScheduledRow & { index: number; group: ResolvedGroup })[] = [];
    groups.forEach((group, g) => {
      const resolved = resolvedGroups[g]!;
      if (!('provider' in resolved)) {
        for (const i of group.indices) settle(i, { kind: 'failed', error: resolved });
        return;
      }
      for (const i of group.indices) work.push({ index: i, group: resolved, token: resolved.token.key, calls: expectedCalls(rows[i]!) });
    });
    await runScheduled(work, this.#o, async (w) => {
      const { index, group } = work[w]!;
      settle(index, await this.#refreshRow(rows[index]!, run.httpCaches?.[index], group, run.deadline, signal, limited, renewals));
    });
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
    const lookupKey = tokenScope(this.#o.tokens, group.ownerId, match.provider, match.repo);
    let lookup = lookups.get(lookupKey);
    if (!lookup) {
      lookup = this.#o.tokens.resolve(group.ownerId, match.provider, match.repo);
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
    return { provider: match.provider, repo: match.repo, token, ownerId: group.ownerId, scope: lookupKey };
  }

  /**
   * One row; when the host refuses a token the resolver can replace (a GitHub App installation
   * token revoked or expired early, or an App uninstalled), the row is tried once more with
   * what the resolver gives now. The run's rows of that token share one replacement.
   */
  async #refreshRow(
    row: DiffStatusRow,
    httpCache: unknown,
    group: ResolvedGroup,
    deadline: number,
    runSignal: AbortSignal,
    limited: Map<string, number>,
    renewals: Map<string, Promise<ResolvedToken | RefreshError | null>>,
  ): Promise<RefreshResult> {
    const result = await this.#refreshRowWith(row, httpCache, group, deadline, runSignal, limited);
    const tokens = this.#o.tokens;
    if (!tokens.refused || result.kind !== 'failed' || !(result.error instanceof AuthError) || result.error.status !== 401) return result;
    const scope = `${group.token.key}\n${group.scope}`;
    let renewal = renewals.get(scope);
    if (!renewal) {
      renewal = tokens
        .refused(group.token)
        .then((again) => (again ? tokens.resolve(group.ownerId, group.provider, group.repo) : null))
        // What stands in the way now (no token left, a failed mint) is the row's error.
        .catch((err: unknown) => asRefreshError(err));
      renewals.set(scope, renewal);
    }
    const token = await renewal;
    if (token === null) return result;
    if (token instanceof RefreshError) return { kind: 'failed', error: token };
    return this.#refreshRowWith(row, httpCache, { ...group, token }, deadline, runSignal, limited);
  }

  async #refreshRowWith(
    row: DiffStatusRow,
    httpCache: unknown,
    { provider, repo: originRepo, token }: ResolvedGroup,
    deadline: number,
    runSignal: AbortSignal,
    limited: Map<string, number>,
  ): Promise<RefreshResult> {
    if (runSignal.aborted || this.#o.clock.now() >= deadline) return { kind: 'failed', error: new DeadlineExceeded() };
    const skippedUntil = limited.get(token.key);
    if (skippedUntil !== undefined) return { kind: 'failed', error: new SkippedByRateLimit(skippedUntil) };

    const share = this.#o.rowTimeShareMs;
    const ownTime = this.#o.clock.abortAfter(share);
    const signal = AbortSignal.any([runSignal, ownTime]);
    const cache = new RowConditionalCache(httpCache);
    const truncated: TruncatedList[] = [];
    // Where the host moved the repository (learned earlier, or by this refresh's branch search).
    let repo = movedRepo(row, provider, originRepo);
    let learned = false;
    const ctx = {
      token: token.value,
      signal,
      cache,
      stored: row,
      truncated: (list: TruncatedList) => truncated.push(list),
      moved: (to: RepoRef) => {
        repo = to;
        learned = true;
      },
    };
    const done = (status: PullRequestStatus): RefreshResult => {
      const moved = this.#movedTo(row, provider, originRepo, status.url);
      for (const list of truncated) {
        this.#log.warn('a list was longer than the page cap and read in part', { chatId: row.chatId, url: status.url, ...list });
      }
      return {
        kind: 'refreshed',
        status,
        httpCache: cache.entries(),
        ...(moved ? { repoMove: moved } : {}),
        ...(truncated.length > 0 ? { truncatedLists: truncated.length } : {}),
      };
    };
    try {
      const stored = row.url ? this.#storedPullRequest(row.url, provider, repo) : null;
      // A stored PR last seen closed or merged may have a successor on the same branch (more
      // work pushed, a new PR opened): the branch's open PR is asked for first.
      const storedOpen = row.pullRequestState !== 'closed' && row.pullRequestState !== 'merged';
      let storedStatus: PullRequestStatus | null = null;
      if (stored && storedOpen) {
        storedStatus = await provider.fetchPullRequestStatus(stored, ctx);
        if (storedStatus.headBranch === row.gitBranch && storedStatus.pullRequestState === 'open') return done(storedStatus);
      }
      // No usable url, the PR of another branch or repository (the chat moved on), or a PR
      // that is no longer open: the branch's open PR wins.
      const ref = await provider.resolveBranchPullRequest(repo, row.gitBranch ?? '', ctx);
      if (ref) return done(storedStatus && ref.number === stored?.number ? storedStatus : await provider.fetchPullRequestStatus(ref, ctx));
      // No open PR, and the row shows one that closed: the branch's newest PR, closed or
      // merged (the stored one, or one opened and closed since), is what it shows.
      const latest = stored ? await provider.resolveBranchPullRequest(repo, row.gitBranch ?? '', ctx, true) : null;
      if (latest) return done(storedStatus && latest.number === stored?.number ? storedStatus : await provider.fetchPullRequestStatus(latest, ctx));
      // A move learned without a PR is stored too, so the next search goes straight there.
      const moved = learned ? this.#movedTo(row, provider, originRepo, provider.buildPullRequestUrl({ repo, number: 1 })) : undefined;
      return { kind: 'no_pr', httpCache: cache.entries(), dropStoredPullRequest: row.url !== undefined, ...(moved ? { repoMove: moved } : {}) };
    } catch (err) {
      if (runSignal.aborted) return { kind: 'failed', error: new DeadlineExceeded({ inFlight: true }) };
      if (ownTime.aborted) return { kind: 'failed', error: new SlowHostError(share) };
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
   * The PR a stored url names when it is in the row's repository. Null when it is not: in
   * another repository of the host, on another host (the chat's remote moved there), or no
   * PR url at all. Such a url is never requested; the branch's PR is looked up instead and
   * replaces it, so a stale or damaged url cannot stop the row for good.
   */
  #storedPullRequest(url: string, provider: GitProvider, repo: RepoRef): PullRequestRef | null {
    const ref = provider.parsePullRequestUrl(url);
    if (!ref || ref.repo.host !== provider.host) return null;
    return ref.repo.path.toLowerCase() === repo.path.toLowerCase() ? ref : null;
  }

  /** Where the host says the origin's repository now is, when that is not the origin's path. */
  #movedTo(row: DiffStatusRow, provider: GitProvider, originRepo: RepoRef, url: string): RepoMove | undefined {
    const told = provider.parsePullRequestUrl(url);
    if (!told || told.repo.path.toLowerCase() === originRepo.path.toLowerCase()) return undefined;
    return { origin: row.gitRemoteOrigin ?? '', path: told.repo.path };
  }
}

/**
 * The repository to ask for: a move stored for this very origin wins over the origin's path.
 * A damaged move (wrong type, a path the provider would refuse) is ignored, and replaced by
 * the next successful refresh.
 */
function movedRepo(row: DiffStatusRow, provider: GitProvider, originRepo: RepoRef): RepoRef {
  const move: unknown = row.repoMove;
  if (typeof move !== 'object' || move === null) return originRepo;
  const { origin, path } = move as Partial<RepoMove>;
  if (origin !== row.gitRemoteOrigin || typeof path !== 'string') return originRepo;
  // Well-formed when the provider reads it back from a PR url of its own.
  const moved = provider.parsePullRequestUrl(provider.buildPullRequestUrl({ repo: { host: originRepo.host, path }, number: 1 }));
  return moved?.repo.path === path ? moved.repo : originRepo;
}

/** Aborts at the deadline, or earlier with the caller's signal. */
function deadlineSignal(run: RefreshRun, clock: WaitingClock): AbortSignal {
  const timeout = clock.abortAfter(Math.max(0, run.deadline - clock.now()));
  return run.signal ? AbortSignal.any([run.signal, timeout]) : timeout;
}
