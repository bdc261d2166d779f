import type { CachedResponse, PullRequestStatus } from '../domain/row.ts';

/** A repository on one provider, as parsed from a row's origin. */
export interface RepoRef {
  /** Lower-case host, with ":port" when the origin names a non-default port. */
  host: string;
  /** Path without ".git": "owner/repo" on GitHub, "group/sub/repo" on GitLab. */
  path: string;
}

export interface PullRequestRef {
  repo: RepoRef;
  number: number;
}

/**
 * Validators of earlier answers, keyed by the provider's own request key. The core loads
 * them from the row and saves them back, so a conditional request works in any container.
 */
export interface ConditionalCache {
  get(key: string): CachedResponse | undefined;
  set(key: string, entry: CachedResponse): void;
}

/** A list read only up to the page cap: the status reflects its first `pages` pages. */
export interface TruncatedList {
  /** The list, as errors name it: "GitHub reviews". */
  what: string;
  pages: number;
}

/** What one provider call needs besides its arguments. */
export interface ProviderCallContext {
  token: string;
  /** Aborts when the tick's deadline passes. */
  signal: AbortSignal;
  cache: ConditionalCache;
  /**
   * The row's pull-request fields as stored, unchecked (other services write the table):
   * a 304 for the PR itself is answered from them (see `CachedRead.row`). Absent: nothing
   * stored, so that request is made in full.
   */
  stored?: Readonly<Partial<Record<keyof PullRequestStatus, unknown>>>;
  /** Hears every list that had more pages than the cap; the caller logs and counts it. */
  truncated(list: TruncatedList): void;
  /**
   * Hears where the host says a repository now is when a provider had to ask (a branch search
   * redirected after a transfer), so the caller stores the move even when no PR was found.
   * Absent: nobody keeps it.
   */
  moved?(repo: RepoRef): void;
}

/**
 * One configured git host. Parsing is pure; the two fetches do the HTTP work and throw
 * typed errors from `domain/errors.ts` (`RateLimitedError`, `AuthError`, `ProviderError`).
 */
export interface GitProvider {
  /** The `name` of its provider type ("github"). */
  readonly type: string;
  /** Host (and ":port") this provider serves; origins match it exactly. */
  readonly host: string;
  /** Null when the origin is not a repository on this provider. */
  parseOrigin(origin: string): RepoRef | null;
  /** Null when the URL is not a pull / merge request on this provider. */
  parsePullRequestUrl(url: string): PullRequestRef | null;
  buildPullRequestUrl(ref: PullRequestRef): string;
  /**
   * The open pull request whose head is `branch` (the most recently updated), or null when
   * there is none yet. `anyState`: the branch's newest pull request, open, closed or merged.
   */
  resolveBranchPullRequest(repo: RepoRef, branch: string, ctx: ProviderCallContext, anyState?: boolean): Promise<PullRequestRef | null>;
  fetchPullRequestStatus(ref: PullRequestRef, ctx: ProviderCallContext): Promise<PullRequestStatus>;
}

/** Finds the provider for a row's origin (exact host match against configuration). */
export interface ProviderRegistry {
  forOrigin(origin: string): { provider: GitProvider; repo: RepoRef } | null;
}
