import type { DeliveryLog, WebhookRowStore } from '../store/dynamo-webhook-store.ts';
import type { ApplyResult } from '../webhooks/apply.ts';
import {
  CONTINUATION_FIELD,
  continueDelivery,
  receiveDelivery,
  type Continuation,
  type DeliveryReport,
  type FunctionUrlEvent,
} from '../webhooks/receive.ts';
import type { WebhookSecretSource } from '../webhooks/secrets.ts';
import type { RedeliveryReport } from '../ops/redeliver.ts';
import type { System } from './compose.ts';

/** What a deployment chooses for webhook deliveries. */
export interface WebhookSettings {
  /** `WEBHOOK_BUDGET_MS`: time a delivery may spend on its rows; GitHub waits 10 s and a page of rows may overrun it. Default 5 s. */
  budgetMs: number;
  /** `WEBHOOK_REFRESH_ROWS`: matching rows refreshed inside the delivery; the rest are made due for the loop. Default 50. */
  refreshRows: number;
  /** `WEBHOOK_WRITE_CONCURRENCY`: stamps and claims in flight at once. Default 25. */
  writeConcurrency: number;
  /** How long a delivery's claim lasts if the function dies: the 10 s timeout and a margin. Default 30 s. */
  leaseMs: number;
  /** Index entries read per page; the budget is checked between pages. Default 500. */
  pageSize: number;
  /** Lambda time kept back for the answer and the hand-on: the budget never runs closer to the end. Default 1 s. */
  safetyMarginMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  budgetMs: 5_000,
  refreshRows: 50,
  writeConcurrency: 25,
  leaseMs: 30_000,
  pageSize: 500,
  safetyMarginMs: 1_000,
};

export interface WebhookReceiver {
  /** One function-URL event; `remainingMs` is the Lambda's time left, when in one. */
  receive(event: FunctionUrlEvent, remainingMs?: () => number): Promise<DeliveryReport>;
  /** A continuation event (the rest of a delivery's rows, handed on). */
  continue(event: unknown, remainingMs?: () => number): Promise<ApplyResult>;
  /** The scheduled pass asking each GitHub App to redeliver what failed (see `ops/redeliver.ts`). */
  redeliverFailed(): Promise<RedeliveryReport[]>;
}

/** The scheduled event of the redelivery pass (template: `RedeliverFailedDeliveries`). */
export const REDELIVERY_FIELD = 'gitsyncRedeliverFailed';

/** Is this invocation the scheduled redelivery pass? */
export function isRedeliveryPass(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as Record<string, unknown>)[REDELIVERY_FIELD] === true;
}

/** Is this invocation a handed-on continuation rather than a function-URL request? */
export function isContinuation(event: unknown): boolean {
  return typeof event === 'object' && event !== null && CONTINUATION_FIELD in event;
}

/**
 * The webhook receiver on a composed system: a delivery's rows are refreshed through the
 * system's own tick parts (store, refresher, cadence, change events).
 */
export function composeWebhookReceiver(
  system: System,
  parts: {
    settings: WebhookSettings;
    secrets: WebhookSecretSource;
    rows: WebhookRowStore;
    deliveries: DeliveryLog;
    /** Default: in this process, after the answer (local runs); on AWS, `lambdaHandOn`. */
    handOn?: (continuation: Continuation) => Promise<void>;
  },
): WebhookReceiver {
  const inProcess = async (continuation: Continuation) => {
    setImmediate(() => void receiver.continue({ [CONTINUATION_FIELD]: continuation }).catch(() => {}));
  };
  const deps = () => ({
    handOn: parts.handOn ?? inProcess,
    ...system.tickDeps(),
    providers: system.settings.gitProviders,
    registry: system.registry,
    secrets: parts.secrets,
    rows: parts.rows,
    deliveries: parts.deliveries,
    ...(system.installations ? { installations: system.installations } : {}),
  });
  const options = (remainingMs?: () => number) => ({ ...parts.settings, ...(remainingMs ? { remainingMs } : {}) });
  const receiver: WebhookReceiver = {
    receive: (event, remainingMs) => receiveDelivery(deps(), event, options(remainingMs)),
    continue: (event, remainingMs) => continueDelivery(deps(), event, options(remainingMs)),
    redeliverFailed: () => system.redeliverFailed(),
  };
  return receiver;
}
