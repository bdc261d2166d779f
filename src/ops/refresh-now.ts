import { randomUUID } from 'node:crypto';
import { InvalidRowError } from '../domain/errors.ts';
import { isPollable, type DiffStatusRow } from '../domain/row.ts';
import { refreshDeadline } from '../loop/deadline.ts';
import { refreshAndWriteBack, type WriteBackDetail, type WriteBackEnd } from '../refresh/pipeline.ts';
import type { TickDeps } from '../refresh/tick.ts';
import { withWriteBack } from '../store/store.ts';

export class RowNotFoundError extends Error {
  readonly chatId: string;
  constructor(chatId: string) {
    super(`no diff-status row for chat ${chatId}`);
    this.name = 'RowNotFoundError';
    this.chatId = chatId;
  }
}

/** The pipeline's parts (`System.tickDeps`): the same store, refresher, cadence and change events as a tick. */
export type RefreshNowDeps = TickDeps;

/**
 * Refreshes one chat now, for a request handler: the tick's own pipeline (`refreshAndWriteBack`),
 * but an error is thrown to the caller instead of backing the row off (the row keeps its
 * schedule). Returns the refreshed row, or null when the branch has no PR yet. Its write is
 * fenced like a tick's (on the version it read, as the store fences): if a tick wrote the row
 * meanwhile, or a claim holds it (a delivery refreshing it), the fresh status is returned
 * without writing, and the other write-back stands.
 */
export async function refreshNow(deps: RefreshNowDeps, chatId: string, timeoutMs = 10_000): Promise<DiffStatusRow | null> {
  const now = deps.clock.now();
  const lease = { id: deps.newLeaseId?.() ?? randomUUID(), takenAt: now, expiresAt: now + deps.policy.claimTtlMs };
  const claimed = await deps.store.claimNow(chatId, lease);
  const row = claimed ?? (await deps.store.getRow(chatId));
  if (!row) throw new RowNotFoundError(chatId);
  if (!isPollable(row)) {
    if (claimed?.leaseId !== undefined) await deps.store.writeBack(claimed, lease, { set: {}, remove: [] });
    throw new InvalidRowError('the row has no origin or branch, or is archived');
  }

  let ended: { end: WriteBackEnd; detail: WriteBackDetail } | undefined;
  // A row another lease holds is refreshed, not written: its holder's write-back stands.
  const store = claimed ? deps.store : withWriteBack(deps.store, async () => false);
  await refreshAndWriteBack(
    { ...deps, store },
    {
      rows: [row],
      lease,
      deadline: refreshDeadline({ startedAt: now, budgetMs: timeoutMs }),
      unrefreshed: 'release',
      ended: (_, end, detail) => (ended = { end, detail }),
    },
  );
  const result = ended?.detail.result;
  if (!ended || !result) throw new Error('the refresher returned no result');
  if (result.kind === 'no_pr') return null;
  if (result.kind === 'failed') throw result.error;
  if (ended.end === 'failed') throw ended.detail.error;
  const fresh: DiffStatusRow = { ...row, ...ended.detail.update.set };
  delete fresh.leaseId;
  delete fresh.leaseExpiresAt;
  return fresh;
}
