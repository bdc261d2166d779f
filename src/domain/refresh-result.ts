import type { RefreshError } from './errors.ts';
import type { ConditionalCacheEntries, PullRequestStatus, RepoMove } from './row.ts';

/** What refreshing one row produced. */
export type RefreshResult =
  /**
   * `repoMove`: the host moved the origin's repository there (absent: it is where the origin says).
   * `truncatedLists`: lists longer than the provider's page cap, read in part (absent: none).
   */
  | { kind: 'refreshed'; status: PullRequestStatus; httpCache: ConditionalCacheEntries; repoMove?: RepoMove; truncatedLists?: number }
  /**
   * `dropStoredPullRequest`: the row's stored PR belongs to another branch and is cleared.
   * `repoMove`: as above, learned without a PR (a branch search redirected after a transfer).
   */
  | { kind: 'no_pr'; httpCache: ConditionalCacheEntries; dropStoredPullRequest?: boolean; repoMove?: RepoMove }
  | { kind: 'failed'; error: RefreshError };
