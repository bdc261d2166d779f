import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { ChangePublisher, RowChange } from '../refresh/change-publisher.ts';

export const CHANGE_EVENT_SOURCE = 'gitsync';
export const CHANGE_DETAIL_TYPE = 'gitsync.DiffStatusChanged';

/** EventBridge refuses a PutEvents call with a failed entry only in its answer, not by throwing. */
export class ChangeEventRejected extends Error {
  readonly code: string | undefined;
  constructor(code: string | undefined, message: string | undefined) {
    super(`EventBridge rejected the change event: ${code ?? 'unknown error'}${message ? ` (${message})` : ''}`);
    this.name = 'ChangeEventRejected';
    this.code = code;
  }
}

/**
 * Publishes each row change as a `gitsync.DiffStatusChanged` event, so a UI or a webhook
 * reacts to a refresh or a push without polling the table. The detail is the change itself:
 * chat id, reason, and the PR status or the pushed branch; never a token.
 */
export class EventBridgePublisher implements ChangePublisher {
  #client: EventBridgeClient | undefined;
  readonly #bus: string;

  /** Without a client, one is made at the first change. */
  constructor(client: EventBridgeClient | undefined, busName: string) {
    this.#client = client;
    this.#bus = busName;
  }

  async publish(change: RowChange): Promise<void> {
    // The SDK is loaded at the first change, not with the function: a container whose ticks
    // change nothing never evaluates it, and its cold import is that much shorter.
    const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    this.#client ??= new EventBridgeClient({});
    const out = await this.#client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.#bus,
            Source: CHANGE_EVENT_SOURCE,
            DetailType: CHANGE_DETAIL_TYPE,
            Detail: JSON.stringify(change),
            Time: new Date(change.at),
          },
        ],
      }),
    );
    if (out.FailedEntryCount) {
      const entry = out.Entries?.[0];
      throw new ChangeEventRejected(entry?.ErrorCode, entry?.ErrorMessage);
    }
  }
}

/** The publisher a function uses: EventBridge when a bus is configured, else none. */
export function changePublisherFor(busName: string | undefined, client?: EventBridgeClient): ChangePublisher | undefined {
  return busName ? new EventBridgePublisher(client, busName) : undefined;
}
