// The webhook function's wiring, apart from from-env.ts so the refresh function's bundle never
// holds the webhook path (secrets, delivery log, hand-on) and this one only what it runs.
import { systemClock } from '../domain/clock.ts';
import { ConfigError, integer, optional, required, type Env } from '../config/env.ts';
import { DynamoDeliveryLog, DynamoWebhookStore } from '../store/dynamo-webhook-store.ts';
import { lambdaHandOn } from '../webhooks/lambda-hand-on.ts';
import { secretsManagerSource } from '../webhooks/secrets-manager.ts';
import { staticSecretSource } from '../webhooks/secrets.ts';
import { readRowRefreshEnv, systemFromEnv, type EnvConfig, type FromEnvOptions } from './from-env.ts';
import type { Settings } from './settings.ts';
import { composeWebhookReceiver, DEFAULT_WEBHOOK_SETTINGS, type WebhookReceiver, type WebhookSettings } from './webhook-receiver.ts';

export interface WebhookEnvConfig extends EnvConfig {
  settings: Settings & { deliveriesTableName: string };
  webhook: WebhookSettings;
  /** `WEBHOOK_SECRETS`: local runs only, the secrets JSON itself (blank on AWS). */
  secretsJson: string | undefined;
  /** `WEBHOOK_SECRET_ARN`: the Secrets Manager secret holding the same JSON. */
  secretArn: string | undefined;
  /**
   * The function the rest of a large delivery is handed on to: itself, `AWS_LAMBDA_FUNCTION_NAME`
   * as the Lambda runtime sets it. Unset outside Lambda and under SAM local (`AWS_SAM_LOCAL`):
   * the rest is then applied in the same process.
   */
  continuationFunction: string | undefined;
}

/**
 * The webhook function's settings: the table, tokens and providers a refresh needs, the
 * deliveries table and the delivery's limits; one of `WEBHOOK_SECRETS` / `WEBHOOK_SECRET_ARN`.
 */
export function readWebhookEnv(env: Env): WebhookEnvConfig {
  const refreshing = readRowRefreshEnv(env);
  const w = DEFAULT_WEBHOOK_SETTINGS;
  const secretsJson = optional(env, 'WEBHOOK_SECRETS');
  const secretArn = optional(env, 'WEBHOOK_SECRET_ARN');
  if (!secretsJson && !secretArn) throw new ConfigError('WEBHOOK_SECRET_ARN', 'or WEBHOOK_SECRETS is required but neither is set');
  return {
    ...refreshing,
    settings: {
      ...refreshing.settings,
      deliveriesTableName: required(env, 'DELIVERIES_TABLE_NAME'),
    },
    webhook: {
      ...w,
      budgetMs: integer(env, 'WEBHOOK_BUDGET_MS', w.budgetMs, 500, 60_000),
      refreshRows: integer(env, 'WEBHOOK_REFRESH_ROWS', w.refreshRows, 0, 1_000),
      writeConcurrency: integer(env, 'WEBHOOK_WRITE_CONCURRENCY', w.writeConcurrency, 1, 256),
    },
    secretsJson,
    secretArn,
    continuationFunction: optional(env, 'AWS_SAM_LOCAL') === 'true' ? undefined : optional(env, 'AWS_LAMBDA_FUNCTION_NAME'),
  };
}

/**
 * The real webhook receiver: the system `systemFromEnv` builds, the row index and delivery log
 * on its DynamoDB client, and the secrets from `WEBHOOK_SECRETS` (local) or Secrets Manager.
 */
export function webhookReceiverFromEnv(config: WebhookEnvConfig, options: FromEnvOptions = {}): WebhookReceiver {
  const system = systemFromEnv(config, options);
  const secrets = config.secretsJson ? staticSecretSource(config.secretsJson) : secretsManagerSource(config.secretArn ?? '', system.aws, options.clock ?? systemClock);
  return composeWebhookReceiver(system, {
    settings: config.webhook,
    secrets,
    rows: new DynamoWebhookStore({
      doc: system.doc,
      tableName: config.settings.tableName,
      shardCount: config.settings.shardCount,
      ...(options.log ? { log: options.log } : {}),
    }),
    deliveries: new DynamoDeliveryLog({ doc: system.doc, tableName: config.settings.deliveriesTableName }),
    ...(config.continuationFunction ? { handOn: lambdaHandOn(config.continuationFunction) } : {}),
  });
}
