import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import { InvalidRowError } from '../domain/errors.ts';
import { silentLog, type Log } from '../domain/log.ts';
import { isPollable, type DiffStatusRow } from '../domain/row.ts';
import { refreshDeadline } from '../cadence/deadline.ts';
import type { CadencePolicy } from '../cadence/policy.ts';
import { hostsSendingWebhooks, type WebhookActivity } from '../cadence/webhook-activity.ts';
import { publishSafely, type ChangePublisher } from '../refresh/change-publisher.ts';
import type { RowRefresher } from '../refresh/tick.ts';
import { planWriteBack } from '../refresh/write-back.ts';
import type { Store } from '../store/store.ts';

export class RowNotFoundError extends Error {
  readonly chatId: string;
  constructor(chatId: string) {
    super(`no diff-status row for chat ${chatId}`);
    this.name = 'RowNotFoundError';
    this.chatId = chatId;
  }
}

export interface RefreshNowDeps {
  store: Store;
  refresher: RowRefresher;
  clock: Clock;
  policy: CadencePolicy;
  publisher?: ChangePublisher;
  log?: Log;
  /** Jitter source of the write-back plan, in [0, 1). Default: `Math.random`. */
  random?: () => number;
  /** Hosts that send webhooks: their rows keep the safety cadence, as after a tick's refresh. Default: none. */
  webhookActivity?: WebhookActivity;
}

/**
 * Refreshes one chat now, for a request handler: the same pipeline as a tick, but an error is
 * thrown to the caller instead of backing the row off. Returns the refreshed row, or null when
 * the branch has no PR yet. Its write is fenced like a tick's (on the version it read, as the
 * store fences): if a tick wrote the row meanwhile, the fresh
 * status is returned without writing, and the tick's write-back stands.
 */
export async function refreshNow(deps: RefreshNowDeps, chatId: string, timeoutMs = 10_000): Promise<DiffStatusRow | null> {
  const now = deps.clock.now();
  const lease = { id: randomUUID(), takenAt: now, expiresAt: now + deps.policy.claimTtlMs };
  const claimed = await deps.store.claimNow(chatId, lease);
  const row = claimed ?? (await deps.store.getRow(chatId));
  if (!row) throw new RowNotFoundError(chatId);
  const endLease = async () => {
    if (claimed?.leaseId !== undefined) await deps.store.writeBack(claimed, lease, { set: {}, remove: [] });
  };

  if (!isPollable(row)) {
    await endLease();
    throw new InvalidRowError('the row has no origin or branch, or is archived');
  }
  const [result] = await deps.refresher.refresh([row], { deadline: refreshDeadline({ startedAt: now, budgetMs: timeoutMs }) });
  if (result?.kind !== 'refreshed') {
    await endLease();
    if (result?.kind === 'no_pr') return null;
    throw result?.error ?? new Error('the refresher returned no result');
  }
  const webhookHosts = await hostsSendingWebhooks(deps.webhookActivity, deps.log ?? silentLog);
  const { update, changedFields, status } = planWriteBack(row, result, deps.clock.now(), deps.policy, deps.random ?? Math.random, webhookHosts);
  const fresh: DiffStatusRow = { ...row, ...update.set };
  delete fresh.leaseId;
  delete fresh.leaseExpiresAt;
  if (claimed && (await deps.store.writeBack(claimed, lease, update)) && changedFields.length > 0) {
    await publishSafely(deps.publisher, deps.log ?? silentLog, {
      chatId,
      reason: 'refreshed',
      status: status ?? result.status,
      changedFields,
      at: update.set.refreshedAt ?? now,
    });
  }
  return fresh;
}
