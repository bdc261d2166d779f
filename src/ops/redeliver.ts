import type { WaitingClock } from '../domain/clock.ts';
import { describeError } from '../domain/errors.ts';
import { silentLog, type Log } from '../domain/log.ts';
import type { GitHubAppClient, HookDelivery } from '../providers/github/app/app-client.ts';
import { deliveriesToRetry } from '../providers/github/app/failed-deliveries.ts';
import type { AppTokenStore } from '../tokens/app-token-store.ts';

/** Looked at again on each pass, so an attempt listed late (GitHub's log is eventually consistent) is not missed. */
export const REDELIVERY_OVERLAP_MS = 10 * 60_000;
/** A first pass looks this far back; GitHub keeps an App's deliveries for a few days. */
export const FIRST_LOOKBACK_MS = 60 * 60_000;
/** Pages of 100 attempts read per pass at most (a long outage is caught up over several passes). */
export const MAX_DELIVERY_PAGES = 10;
const CALL_TIMEOUT_MS = 10_000;

export interface RedeliveryReport {
  host: string;
  /** Attempts listed in the window. */
  listed: number;
  /** Deliveries GitHub was asked to send again. */
  redelivered: number;
  /** Redeliveries GitHub refused (an old delivery it no longer keeps, ...). */
  refused: number;
}

/**
 * One pass over a GitHub App's delivery log on `host`: every event none of whose attempts
 * this deployment answered 2xx since the last pass (less an overlap) is asked for again, so a
 * row on an App host does not wait for its safety poll after the webhook function was down.
 * Cheap when nothing failed: one list request and the pass's mark in the tokens table.
 */
export async function redeliverFailed(
  deps: { host: string; app: GitHubAppClient; store: AppTokenStore; clock: WaitingClock; log?: Log },
): Promise<RedeliveryReport> {
  const log = deps.log ?? silentLog;
  const now = deps.clock.now();
  const since = ((await deps.store.redeliveryMark(deps.host)) ?? now - FIRST_LOOKBACK_MS + REDELIVERY_OVERLAP_MS) - REDELIVERY_OVERLAP_MS;
  const attempts: HookDelivery[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_DELIVERY_PAGES; page++) {
    const { deliveries, next } = await deps.app.deliveries(cursor, deps.clock.abortAfter(CALL_TIMEOUT_MS));
    attempts.push(...deliveries.filter((d) => d.deliveredAt >= since));
    if (!next || deliveries.length === 0 || deliveries.some((d) => d.deliveredAt < since)) break;
    cursor = next;
  }
  let redelivered = 0;
  let refused = 0;
  for (const delivery of deliveriesToRetry(attempts)) {
    try {
      await deps.app.redeliver(delivery.id, deps.clock.abortAfter(CALL_TIMEOUT_MS));
      redelivered++;
    } catch (err) {
      refused++;
      log.warn('GitHub did not redeliver a failed delivery', { host: deps.host, deliveryId: delivery.id, guid: delivery.guid, error: describeError(err) });
    }
  }
  await deps.store.setRedeliveryMark(deps.host, now);
  return { host: deps.host, listed: attempts.length, redelivered, refused };
}
