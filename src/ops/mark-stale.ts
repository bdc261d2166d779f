import type { Clock } from '../domain/clock.ts';
import { silentLog, type Log } from '../domain/log.ts';
import { stripOriginCredentials } from '../providers/origin-credentials.ts';
import { publishSafely, type ChangePublisher } from '../refresh/change-publisher.ts';
import type { Store } from '../store/store.ts';

export interface MarkStaleInput {
  /** One chat, or every chat of a workspace. */
  chatIds: readonly string[];
  branch: string;
  origin: string;
}

/**
 * Called when a user pushes: stores branch and origin on each chat and makes it due at once,
 * so the next tick refreshes it. An empty branch or origin is a no-op, as in the anchor.
 */
export async function markStale(
  store: Store,
  clock: Clock,
  input: MarkStaleInput,
  deps: { publisher?: ChangePublisher; log?: Log } = {},
): Promise<{ marked: number }> {
  const branch = input.branch.trim();
  const origin = stripOriginCredentials(input.origin);
  if (!branch || !origin) return { marked: 0 };
  const chatIds = [...new Set(input.chatIds.filter((id) => id.length > 0))];
  let marked = 0;
  for (const chatId of chatIds) {
    const now = clock.now();
    await store.markStale(chatId, { gitBranch: branch, gitRemoteOrigin: origin, now });
    marked += 1;
    await publishSafely(deps.publisher, deps.log ?? silentLog, {
      chatId,
      reason: 'marked_stale',
      gitBranch: branch,
      gitRemoteOrigin: origin,
      at: now,
    });
  }
  return { marked };
}
