import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { readTableConfig } from '../config/env.ts';
import { systemClock } from '../domain/clock.ts';
import { changePublisherFor } from '../events/eventbridge-publisher.ts';
import { markStale } from '../ops/mark-stale.ts';
import type { ChangePublisher } from '../refresh/change-publisher.ts';
import { createDocumentClient } from '../store/document-client.ts';
import { createStore } from '../store/create-store.ts';
import type { Store } from '../store/store.ts';
import { parseMarkStaleEvent } from './mark-stale-event.ts';
import { powertoolsLog } from './powertools-log.ts';

export type MarkStaleResult = { status: 'marked'; marked: number } | { status: 'rejected'; reason: string };

const logger = new Logger();
let parts: { store: Store; publisher: ChangePublisher | undefined } | undefined;

/** Built on the first invocation, so a bad setting fails that invocation with a clear error. */
function containerParts(): { store: Store; publisher: ChangePublisher | undefined } {
  if (!parts) {
    const config = readTableConfig(process.env);
    parts = {
      store: createStore(config, createDocumentClient({ endpoint: config.dynamodbEndpoint })),
      publisher: changePublisherFor(config.changeEventBus),
    };
  }
  return parts;
}

/**
 * EventBridge target for `gitsync.MarkStale` events (a push): stores branch and origin on the
 * chats and makes them due now. A malformed event is logged with its reason and writes
 * nothing; it is not thrown, since a retry of the same event cannot succeed.
 */
export async function handler(event: unknown, context: Context): Promise<MarkStaleResult> {
  logger.addContext(context);
  const eventId = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  const parsed = parseMarkStaleEvent(event);
  if (!parsed.ok) {
    logger.warn('mark-stale event rejected', { reason: parsed.reason, eventId });
    return { status: 'rejected', reason: parsed.reason };
  }
  const { store, publisher } = containerParts();
  const { marked } = await markStale(store, systemClock, parsed.input, {
    log: powertoolsLog(logger),
    ...(publisher ? { publisher } : {}),
  });
  logger.info('chats marked stale', { eventId, marked, branch: parsed.input.branch });
  return { status: 'marked', marked };
}
