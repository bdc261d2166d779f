/**
 * When a row is next due, per outcome. Pure: the clock and the random source are passed in.
 */
export interface BackoffPolicy {
  /** After a successful refresh. */
  successTtlMs: number;
  /** No git token linked: nothing changes until the user links one. */
  noTokenMs: number;
  /** No PR yet, shortly after a push: the PR is probably being opened. */
  noPullRequestSoonMs: number;
  /** No PR yet, long after the last push. */
  noPullRequestLaterMs: number;
  /** A row changed from outside less than this long ago counts as "just pushed". */
  recentChangeWindowMs: number;
  /** A claim lapses after this long if its holder dies. */
  claimTtlMs: number;
  /** First transient failure; doubles with each further failure in a row. */
  errorBaseMs: number;
  errorCapMs: number;
  /** Up to this fraction is added at random so failing rows do not retry in lockstep. */
  errorJitterRatio: number;
  /** Never retry a rate-limited token sooner than this. */
  rateLimitFloorMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  successTtlMs: 120_000,
  noTokenMs: 10 * 60_000,
  noPullRequestSoonMs: 15_000,
  noPullRequestLaterMs: 5 * 60_000,
  recentChangeWindowMs: 2 * 60_000,
  claimTtlMs: 5 * 60_000,
  errorBaseMs: 120_000,
  errorCapMs: 30 * 60_000,
  errorJitterRatio: 0.2,
  rateLimitFloorMs: 120_000,
};

/** 15 s while a push is less than 2 minutes old (bounds calls to about 8 per push), else 5 min. */
export function noPullRequestDelay(now: number, updatedAt: number | undefined, p: BackoffPolicy): number {
  const sinceChange = updatedAt === undefined ? Infinity : now - updatedAt;
  return sinceChange < p.recentChangeWindowMs ? p.noPullRequestSoonMs : p.noPullRequestLaterMs;
}

/**
 * Delay after the `failures`-th transient failure in a row (1 = first): base * 2^(n-1) plus
 * jitter, capped. The doubling outgrows the jitter, so each failure waits at least as long
 * as the one before.
 */
export function errorDelay(failures: number, random: () => number, p: BackoffPolicy): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const base = Math.min(p.errorCapMs, p.errorBaseMs * 2 ** exponent);
  const jittered = base * (1 + p.errorJitterRatio * random());
  return Math.round(Math.min(p.errorCapMs, jittered));
}

/** The provider's reset time wins, but never sooner than the floor. */
export function rateLimitedUntil(now: number, resetAt: number, p: BackoffPolicy): number {
  return Math.max(resetAt, now + p.rateLimitFloorMs);
}

/**
 * Delay of a row released at the deadline while its requests were still running. The first
 * such release is due at once (the batch was simply too long); a repeat means the row's host
 * keeps eating the budget, so it waits like any transient failure (`failures` counts both).
 */
export function deadlineReleaseDelay(repeated: boolean, failures: number, random: () => number, p: BackoffPolicy): number {
  return repeated ? errorDelay(failures, random, p) : 0;
}
