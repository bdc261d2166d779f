import { DEFAULT_CADENCE, type CadencePolicy } from '../src/cadence/policy.ts';

/**
 * gitsync's first cadence, the bench's baseline: every row `successTtlMs` after its last
 * success (a branch without a PR `noPullRequestLaterMs`), however long it has been quiet. It
 * is the adaptive rule (`src/cadence/adaptive-interval.ts`) with both caps at the fast end.
 */
export const FIXED_CADENCE: CadencePolicy = {
  ...DEFAULT_CADENCE,
  openCapMs: DEFAULT_CADENCE.successTtlMs,
  closedCapMs: DEFAULT_CADENCE.successTtlMs,
};
