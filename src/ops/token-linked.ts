import type { Clock } from '../domain/clock.ts';
import type { TokenWaits } from '../store/token-waits.ts';

/**
 * Called when an owner links a git token: every row of that owner waiting for one is made due
 * at once, so the next tick refreshes it (such rows poll only at a long safety cadence).
 * With `where`, only the waiting rows whose origin it accepts (each candidate's origin is read).
 */
export async function tokenLinked(
  waits: TokenWaits,
  clock: Clock,
  ownerId: string,
  where?: (origin: string | undefined) => boolean,
): Promise<{ madeDue: number }> {
  let madeDue = 0;
  let after: Record<string, unknown> | undefined;
  do {
    const page = await waits.waiting(ownerId, after);
    for (const chatId of page.chatIds) {
      if (where && !where(await waits.origin(chatId))) continue;
      if (await waits.makeDue(chatId, ownerId, clock.now())) madeDue += 1;
    }
    after = page.next;
  } while (after);
  return { madeDue };
}
