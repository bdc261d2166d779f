import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { readTableEnv, systemFromEnv, type EnvSystem } from '../system/from-env.ts';
import { parseMarkStaleEvent } from './mark-stale-event.ts';
import { isTokenLinkedEvent, parseTokenLinkedEvent } from './token-linked-event.ts';
import { powertoolsLog } from './powertools-log.ts';

export type MarkStaleResult =
  | { status: 'marked'; marked: number }
  | { status: 'madeDue'; madeDue: number }
  | { status: 'rejected'; reason: string };

const logger = new Logger();
/** Built on the first valid event, so a bad setting fails that invocation with a clear error. */
let system: EnvSystem | undefined;

/** The system from the function's environment, built at the first event that needs it. */
function envSystem(): EnvSystem {
  return (system ??= systemFromEnv(readTableEnv(process.env), { log: powertoolsLog(logger) }));
}

/**
 * EventBridge target for `gitsync.MarkStale` events (a push): stores branch and origin on the
 * chats and makes them due now; and for `gitsync.TokenLinked` (an owner linked a git token):
 * makes that owner's rows waiting for a token due now. A malformed event is logged with its
 * reason and writes nothing; it is not thrown, since a retry of the same event cannot succeed.
 */
export async function handler(event: unknown, context: Context): Promise<MarkStaleResult> {
  logger.addContext(context);
  const eventId = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  if (isTokenLinkedEvent(event)) {
    const linked = parseTokenLinkedEvent(event);
    if (!linked.ok) {
      logger.warn('token-linked event rejected', { reason: linked.reason, eventId });
      return { status: 'rejected', reason: linked.reason };
    }
    const { madeDue } = await envSystem().tokenLinked(linked.ownerId);
    logger.info('rows waiting for a token made due', { eventId, madeDue });
    return { status: 'madeDue', madeDue };
  }
  const parsed = parseMarkStaleEvent(event);
  if (!parsed.ok) {
    logger.warn('mark-stale event rejected', { reason: parsed.reason, eventId });
    return { status: 'rejected', reason: parsed.reason };
  }
  const { marked } = await envSystem().markStale(parsed.input);
  logger.info('chats marked stale', { eventId, marked, branch: parsed.input.branch });
  return { status: 'marked', marked };
}
