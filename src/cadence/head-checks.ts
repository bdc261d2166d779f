import type { DiffStatusRow, PullRequestStatus } from '../domain/row.ts';
import type { CadencePolicy } from './policy.ts';

/** What a PR's checks and mergeability ask of its next refresh. */
export interface HeadChecksCadence {
  /** The longest the next refresh may wait (absent: no limit from the checks). */
  withinMs?: number;
  /** When the host first answered `unknown` mergeability in the current run of such answers (absent: it did not). */
  mergeableUnknownSince?: number;
}

/**
 * The one cadence rule of CI checks and mergeability (an open PR only; a closed one waits
 * for nothing). Checks still running (any `pending`, whatever the state: one failure does
 * not end the others): the fast end of the adaptive cadence (`successTtlMs`), webhooks or
 * not, since CI finishing is the change people wait for.
 * Mergeability the host is still computing (`unknown`, never stored): asked again after
 * `mergeableUnknownMs`, then after as long as it has been unknown, so the delay doubles and
 * the extra asks are bounded (about log2(interval / delay) of them) until the row's own
 * cadence is the shorter again.
 */
export function headChecksCadence(row: Pick<DiffStatusRow, 'mergeableUnknownSince'>, status: PullRequestStatus, now: number, policy: CadencePolicy): HeadChecksCadence {
  if (status.pullRequestState !== 'open') return {};
  const pending = (status.checks?.pending ?? 0) > 0 ? policy.successTtlMs : undefined;
  if (status.mergeable !== 'unknown') return pending === undefined ? {} : { withinMs: pending };
  const stored = row.mergeableUnknownSince;
  const since = typeof stored === 'number' && Number.isFinite(stored) && stored <= now ? stored : now;
  const unknown = Math.max(policy.mergeableUnknownMs, now - since);
  return { withinMs: Math.min(unknown, pending ?? Infinity), mergeableUnknownSince: since };
}
