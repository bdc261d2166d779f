import type { DeliveryLog, WebhookRowStore } from '../store/dynamo-webhook-store.ts';
import { receiveDelivery, type DeliveryReport, type FunctionUrlEvent } from '../webhooks/receive.ts';
import type { WebhookSecretSource } from '../webhooks/secrets.ts';
import type { System } from './compose.ts';

/** What a deployment chooses for webhook deliveries. */
export interface WebhookSettings {
  /** `WEBHOOK_BUDGET_MS`: time a delivery may spend on its rows; GitHub waits 10 s. Default 6 s. */
  budgetMs: number;
  /** `WEBHOOK_REFRESH_ROWS`: matching rows refreshed inside the delivery; the rest are made due for the loop. Default 50. */
  refreshRows: number;
  /** `WEBHOOK_WRITE_CONCURRENCY`: stamps and claims in flight at once. Default 25. */
  writeConcurrency: number;
  /** How long a delivery's claim lasts if the function dies: the 10 s timeout and a margin. Default 30 s. */
  leaseMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  budgetMs: 6_000,
  refreshRows: 50,
  writeConcurrency: 25,
  leaseMs: 30_000,
};

export interface WebhookReceiver {
  /** One function-URL event; `remainingMs` is the Lambda's time left, when in one. */
  receive(event: FunctionUrlEvent, remainingMs?: () => number): Promise<DeliveryReport>;
}

/**
 * The webhook receiver on a composed system: a delivery's rows are refreshed through the
 * system's own tick parts (store, refresher, cadence, change events).
 */
export function composeWebhookReceiver(
  system: System,
  parts: { settings: WebhookSettings; secrets: WebhookSecretSource; rows: WebhookRowStore; deliveries: DeliveryLog },
): WebhookReceiver {
  const deps = () => ({
    ...system.tickDeps(),
    providers: system.settings.gitProviders,
    registry: system.registry,
    secrets: parts.secrets,
    rows: parts.rows,
    deliveries: parts.deliveries,
  });
  const { budgetMs, refreshRows, writeConcurrency, leaseMs } = parts.settings;
  return {
    receive: (event, remainingMs) =>
      receiveDelivery(deps(), event, { budgetMs, refreshRows, writeConcurrency, leaseMs, ...(remainingMs ? { remainingMs } : {}) }),
  };
}
