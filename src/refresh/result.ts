import type { RefreshError } from '../domain/errors.ts';
import type { ConditionalCacheEntries, PullRequestStatus } from '../domain/row.ts';

/** What refreshing one row produced. */
export type RefreshResult =
  | { kind: 'refreshed'; status: PullRequestStatus; httpCache: ConditionalCacheEntries }
  | { kind: 'no_pr'; httpCache: ConditionalCacheEntries }
  | { kind: 'failed'; error: RefreshError };
