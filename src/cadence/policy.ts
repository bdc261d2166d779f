/**
 * How often a row is refreshed, per outcome. The decisions that use it are in `next-due.ts`;
 * the loop's own rhythm (the 10-second slots) is in `src/loop/rhythm.ts`.
 */
export interface CadencePolicy {
  /** After a successful refresh: the fast end of the adaptive interval (`adaptive-interval.ts`). Default 120 s. */
  successTtlMs: number;
  /** `CADENCE_ACTIVE_WINDOW_MS`: a PR that changed (or was pushed) less than this long ago is polled at the fast end. Default 1 h. */
  activeWindowMs: number;
  /** `CADENCE_OPEN_CAP_MS`: the longest interval of a quiet open PR or of a branch without one. Default 15 min. */
  openCapMs: number;
  /** `CADENCE_CLOSED_CAP_MS`: the longest interval of a merged or closed PR. Default 6 h. */
  closedCapMs: number;
  /**
   * No git token linked: polling cannot help, linking one (`gitsync.TokenLinked`) makes the
   * owner's rows due at once; this is only the safety cadence. Default 6 h.
   */
  noTokenMs: number;
  /** No PR yet, shortly after a push: the PR is probably being opened. Default 15 s. */
  noPullRequestSoonMs: number;
  /** No PR yet, long after the last push. Default 5 min. */
  noPullRequestLaterMs: number;
  /** A row changed from outside less than this long ago counts as "just pushed". Default 2 min. */
  recentChangeWindowMs: number;
  /** A claim lapses after this long if its holder dies. Default 5 min. */
  claimTtlMs: number;
  /** First transient failure; doubles with each further failure in a row. Default 120 s. */
  errorBaseMs: number;
  /** The longest wait after failures in a row. Default 30 min. */
  errorCapMs: number;
  /** Up to this fraction is added at random so failing rows do not retry in lockstep. Default 0.2. */
  errorJitterRatio: number;
  /** Never retry a rate-limited token sooner than this. Default 120 s. */
  rateLimitFloorMs: number;
  /**
   * On a host that sends webhooks: the shortest interval of a PR (any state) or of a branch
   * without one (instead of `noPullRequestSoonMs` / `noPullRequestLaterMs`): polling is only a safety net. Default 15 min.
   */
  webhookSafetyTtlMs: number;
  /**
   * `CADENCE_APP_SAFETY_MS`: `webhookSafetyTtlMs` on a host with a GitHub App. Its deliveries
   * that failed at gitsync are sent again by the webhook function's 5-minute redelivery pass,
   * so the safety poll only covers what GitHub itself never sent (docs/github-app.md). Default 1 h.
   */
  appSafetyTtlMs: number;
  /**
   * `CADENCE_WEBHOOK_QUIET_SAFETY_MS`: the longest safety interval of a PR on a host that sends
   * webhooks. The host's safety interval (`webhookSafetyTtlMs` or `appSafetyTtlMs`) holds while
   * the PR changed within `activeWindowMs`, then doubles with its quiet time up to this
   * (`safetyInterval` in `adaptive-interval.ts`): the poll only finds changes whose delivery
   * was lost, and a PR quiet for hours has few. Default 1 h.
   */
  webhookQuietSafetyMs: number;
  /**
   * A branch without a PR on a host that sends webhooks: the PR's opening is delivered, so
   * this is only the safety cadence against a lost delivery. Default 1 h.
   */
  webhookNoPullRequestMs: number;
  /** A host counts as sending webhooks while its last verified delivery is this recent. Default 1 hour. */
  webhookActiveWindowMs: number;
  /**
   * A PR whose mergeability the host is still computing is asked again this soon, then after
   * as long as it has been unknown (see `head-checks.ts`). Default 15 s.
   */
  mergeableUnknownMs: number;
}

export const DEFAULT_CADENCE: CadencePolicy = {
  successTtlMs: 120_000,
  activeWindowMs: 60 * 60_000,
  openCapMs: 15 * 60_000,
  closedCapMs: 6 * 3_600_000,
  noTokenMs: 6 * 3_600_000,
  noPullRequestSoonMs: 15_000,
  noPullRequestLaterMs: 5 * 60_000,
  recentChangeWindowMs: 2 * 60_000,
  claimTtlMs: 5 * 60_000,
  errorBaseMs: 120_000,
  errorCapMs: 30 * 60_000,
  errorJitterRatio: 0.2,
  rateLimitFloorMs: 120_000,
  webhookSafetyTtlMs: 15 * 60_000,
  appSafetyTtlMs: 60 * 60_000,
  webhookQuietSafetyMs: 60 * 60_000,
  webhookNoPullRequestMs: 60 * 60_000,
  webhookActiveWindowMs: 60 * 60_000,
  mergeableUnknownMs: 15_000,
};
