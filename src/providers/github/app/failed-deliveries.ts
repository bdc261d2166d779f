import type { HookDelivery } from './app-client.ts';

/** Attempts at one event after which gitsync stops asking (the receiver is still failing it). */
export const MAX_ATTEMPTS = 4;

/**
 * Which deliveries to ask GitHub for again: per event (`guid`) none of whose attempts was
 * answered 2xx and that has had fewer than `MAX_ATTEMPTS`, its newest attempt. Pure, so the
 * rule is a table test.
 */
export function deliveriesToRetry(attempts: readonly HookDelivery[]): HookDelivery[] {
  const byGuid = new Map<string, HookDelivery[]>();
  for (const attempt of attempts) byGuid.set(attempt.guid, [...(byGuid.get(attempt.guid) ?? []), attempt]);
  const retry: HookDelivery[] = [];
  for (const tries of byGuid.values()) {
    if (tries.length >= MAX_ATTEMPTS || tries.some((t) => t.statusCode >= 200 && t.statusCode < 300)) continue;
    retry.push(tries.reduce((newest, t) => (t.deliveredAt > newest.deliveredAt ? t : newest)));
  }
  return retry.sort((a, b) => a.deliveredAt - b.deliveredAt);
}
