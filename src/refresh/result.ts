import type { RefreshError } from '../domain/errors.ts';
import type { ConditionalCacheEntries, PullRequestStatus } from '../domain/row.ts';

/** What refreshing one row produced. */
export type RefreshResult =
  /** `truncatedLists`: lists longer than the provider's page cap, read in part (absent: none). */
  | { kind: 'refreshed'; status: PullRequestStatus; httpCache: ConditionalCacheEntries; truncatedLists?: number }
  /** `dropStoredPullRequest`: the row's stored PR belongs to another branch and is cleared. */
  | { kind: 'no_pr'; httpCache: ConditionalCacheEntries; dropStoredPullRequest?: boolean }
  | { kind: 'failed'; error: RefreshError };
