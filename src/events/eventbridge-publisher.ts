import { awsJsonCall, type AwsAccess } from '../aws/json-call.ts';
import type { ChangePublisher, RowChange } from '../refresh/change-publisher.ts';

export const CHANGE_EVENT_SOURCE = 'gitsync';
export const CHANGE_DETAIL_TYPE = 'gitsync.DiffStatusChanged';

const PUT_EVENTS = { service: 'events', endpointPrefix: 'events', target: 'AWSEvents.PutEvents' } as const;

/** EventBridge refuses a PutEvents call with a failed entry only in its answer, not by throwing. */
export class ChangeEventRejected extends Error {
  readonly code: string | undefined;
  constructor(code: string | undefined, message: string | undefined) {
    super(`EventBridge rejected the change event: ${code ?? 'unknown error'}${message ? ` (${message})` : ''}`);
    this.name = 'ChangeEventRejected';
    this.code = code;
  }
}

interface PutEventsAnswer {
  FailedEntryCount?: number;
  Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

/**
 * Publishes each row change as a `gitsync.DiffStatusChanged` event, so a UI or a webhook
 * reacts to a refresh or a push without polling the table. The detail is the change itself:
 * chat id, reason, and the PR status or the pushed branch; never a token. One PutEvents call
 * (src/aws/json-call.ts), not the EventBridge SDK client, which every cold start parsed.
 */
export class EventBridgePublisher implements ChangePublisher {
  readonly #aws: AwsAccess;
  readonly #bus: string;

  constructor(aws: AwsAccess, busName: string) {
    this.#aws = aws;
    this.#bus = busName;
  }

  async publish(change: RowChange): Promise<void> {
    const out = (await awsJsonCall(this.#aws, PUT_EVENTS, {
      Entries: [
        {
          EventBusName: this.#bus,
          Source: CHANGE_EVENT_SOURCE,
          DetailType: CHANGE_DETAIL_TYPE,
          Detail: JSON.stringify(change),
          // Epoch seconds, as the SDK serialises a timestamp for AWS JSON.
          Time: change.at / 1_000,
        },
      ],
    })) as PutEventsAnswer;
    if (out.FailedEntryCount) {
      const entry = out.Entries?.[0];
      throw new ChangeEventRejected(entry?.ErrorCode, entry?.ErrorMessage);
    }
  }
}

/** The publisher a function uses: EventBridge when a bus is configured, else none. */
export function changePublisherFor(busName: string | undefined, aws: AwsAccess): ChangePublisher | undefined {
  return busName ? new EventBridgePublisher(aws, busName) : undefined;
}
