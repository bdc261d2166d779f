import { describeError } from '../domain/errors.ts';
import type { Log } from '../domain/log.ts';
import type { PullRequestStatus } from '../domain/row.ts';

/**
 * A row's data changed: listeners (a UI, a webhook) can react without polling the table. A
 * refresh publishes only when the PR's status really changed, naming the fields that did
 * (a refresh answered with 304s publishes nothing); every push publishes.
 */
export type RowChange =
  | { chatId: string; reason: 'refreshed'; status: PullRequestStatus; changedFields: (keyof PullRequestStatus)[]; at: number }
  | { chatId: string; reason: 'marked_stale'; gitBranch: string; gitRemoteOrigin: string; at: number };

/** Told only after the change is durably written. */
export interface ChangePublisher {
  publish(change: RowChange): Promise<void>;
}

/** Publishing is best effort: the row is already written, so a failure is logged, not thrown. */
export async function publishSafely(publisher: ChangePublisher | undefined, log: Log, change: RowChange): Promise<void> {
  if (!publisher) return;
  try {
    await publisher.publish(change);
  } catch (err) {
    log.warn('publishing a row change failed', { chatId: change.chatId, error: describeError(err) });
  }
}
