import { readWebhookConfig, type WebhookConfig } from '../config/env.ts';
import { DEFAULT_BACKOFF } from '../refresh/backoff.ts';
import { DynamoDeliveryLog, DynamoWebhookStore } from '../store/dynamo-webhook-store.ts';
import { receiveDelivery, type DeliveryReport, type FunctionUrlEvent } from '../webhooks/receive.ts';
import { secretsManagerSource } from '../webhooks/secrets-manager.ts';
import { staticSecretSource, type WebhookSecretSource } from '../webhooks/secrets.ts';
import { createRefreshParts, type RefreshRuntimeOptions } from './refresh-runtime.ts';

export interface WebhookRuntime {
  config: WebhookConfig;
  receive(event: FunctionUrlEvent, remainingMs?: () => number): Promise<DeliveryReport>;
}

/** A webhook refresh's claim lasts this long if the function dies: the template's 10 s timeout and a margin. */
const WEBHOOK_LEASE_MS = 30_000;

/**
 * Wires the webhook receiver from the environment: the refresh parts the loop uses (store,
 * tokens, providers, refresher, change events), the row index and delivery log, and the
 * secrets (`WEBHOOK_SECRETS` locally, else Secrets Manager). Throws a `ConfigError` naming the
 * variable when a setting is wrong.
 */
export function createWebhookRuntime(
  env: Readonly<Record<string, string | undefined>>,
  options: RefreshRuntimeOptions & { secrets?: WebhookSecretSource } = {},
): WebhookRuntime {
  const config = readWebhookConfig(env);
  const parts = createRefreshParts(config, options);
  const secrets =
    options.secrets ?? (config.secretsJson ? staticSecretSource(config.secretsJson) : secretsManagerSource(config.secretArn ?? ''));
  const deps = {
    ...parts,
    policy: DEFAULT_BACKOFF,
    secrets,
    rows: new DynamoWebhookStore({ doc: parts.doc, tableName: config.tableName }),
    deliveries: new DynamoDeliveryLog({ doc: parts.doc, tableName: config.deliveriesTableName }),
  };
  return {
    config,
    receive: (event, remainingMs) =>
      receiveDelivery(deps, event, {
        budgetMs: config.budgetMs,
        refreshRows: config.refreshRows,
        writeConcurrency: config.writeConcurrency,
        leaseMs: WEBHOOK_LEASE_MS,
        ...(remainingMs ? { remainingMs } : {}),
      }),
  };
}
