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
  const cap = state === 'merged' || state === 'closed' ? p.closedCapMs : p.openCapMs;
  return quietLadder(floor, cap, changedAt, now, p);
}

/**
 * The safety poll of a PR on a host that sends webhooks (`safetyMs`, the host's), grown the
 * same way up to `webhookQuietSafetyMs`: the poll only finds a change whose delivery was lost,
 * and a PR that has not changed for hours has few changes to lose.
 */
export function safetyInterval(safetyMs: number, changedAt: number | undefined, now: number, p: CadencePolicy): number {
  return quietLadder(safetyMs, p.webhookQuietSafetyMs, changedAt, now, p);
}

/** `floor` while the row changed within `activeWindowMs`, then doubled with the quiet time beyond it, up to `cap` (never below `floor`). */
function quietLadder(floor: number, cap: number, changedAt: number | undefined, now: number, p: CadencePolicy): number {
  const top = Math.max(floor, cap);
  const quietBeyondWindow = now - (changedAt ?? now) - p.activeWindowMs;
  if (quietBeyondWindow >= top) return top;
  let interval = floor;
  while (interval * 2 <= quietBeyondWindow && interval * 2 < top) interval *= 2;
  return interval;
}
