import type { PullRequestState } from '../domain/row.ts';
import type { CadencePolicy } from './policy.ts';

/**
 * How long until the next poll of a row whose last refresh succeeded (Sourcegraph's rule,
 * adapted): a PR that changed within `activeWindowMs` is polled at the fast end
 * (`successTtlMs`); after that the interval grows with the quiet time beyond the window,
 * clamped to the state's cap (open: `openCapMs`, merged / closed: `closedCapMs`). The interval
 * moves on a ladder (the fast end doubled until the cap), so it changes a few times per quiet
 * spell, not at every poll: the due index is written only when it changes. A branch without
 * a PR follows the same rule from `noPullRequestLaterMs` once the push window has passed.
 */
export function pollInterval(
  state: PullRequestState | 'no_pr',
  changedAt: number | undefined,
  now: number,
  p: CadencePolicy,
): number {
  const floor = state === 'no_pr' ? p.noPullRequestLaterMs : p.successTtlMs;
  const cap = Math.max(floor, state === 'merged' || state === 'closed' ? p.closedCapMs : p.openCapMs);
  const quietBeyondWindow = now - (changedAt ?? now) - p.activeWindowMs;
  if (quietBeyondWindow >= cap) return cap;
  let interval = floor;
  while (interval * 2 <= quietBeyondWindow && interval * 2 < cap) interval *= 2;
  return interval;
}
