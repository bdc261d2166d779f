import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HttpAgent } from '../providers/http/agent.ts';
import { ConfigError, integer, optional, required, url, type Env } from '../config/env.ts';
import type { CadencePolicy } from '../cadence/policy.ts';
import type { Clock } from '../domain/clock.ts';
import type { Log } from '../domain/log.ts';
import { accessOf } from '../aws/access.ts';
import type { AwsAccess } from '../aws/json-call.ts';
import { changePublisherFor } from '../events/eventbridge-publisher.ts';
import { GIT_PROVIDERS_ENV, parseProviderConfigs } from '../providers/config.ts';
import { readKeySecretOrFile } from '../providers/github/app/app-key-source.ts';
import { INLINE_MAP_MAX_CONCURRENCY } from '../scale/partition-limits.ts';
import { createDocumentClient } from '../store/document-client.ts';
import { composeSystem, type System } from './compose.ts';
import { DEFAULT_SETTINGS, type Settings } from './settings.ts';
import { MAX_SHARD_COUNT } from '../store/shard.ts';

export interface EnvConfig {
  settings: Settings;
  /** `DYNAMODB_ENDPOINT`: a local DynamoDB; unset on AWS. */
  dynamodbEndpoint: string | undefined;
  /** `CHANGE_EVENT_BUS`: EventBridge bus that hears every row change; unset: no change events. */
  changeEventBus: string | undefined;
}

/**
 * What writing the diff-status table takes (the mark-stale function): its name, index and
 * shards. Defaults are `DEFAULT_SETTINGS`; a wrong value throws `ConfigError` naming the variable.
 */
export function readTableEnv(env: Env): EnvConfig {
  const d = DEFAULT_SETTINGS;
  return {
    settings: {
      ...d,
      tableName: required(env, 'TABLE_NAME'),
      indexName: optional(env, 'STALE_INDEX_NAME') ?? d.indexName,
      shardCount: integer(env, 'SHARD_COUNT', d.shardCount, 1, MAX_SHARD_COUNT),
    },
    dynamodbEndpoint: url(env, 'DYNAMODB_ENDPOINT'),
    changeEventBus: optional(env, 'CHANGE_EVENT_BUS'),
  };
}

/** The `CADENCE_*` settings: every function that refreshes rows plans their next poll with them. */
export function readCadenceEnv(env: Env): CadencePolicy {
  const d = DEFAULT_SETTINGS.cadence;
  return {
    ...d,
    activeWindowMs: integer(env, 'CADENCE_ACTIVE_WINDOW_MS', d.activeWindowMs, 0, 7 * 86_400_000),
    openCapMs: integer(env, 'CADENCE_OPEN_CAP_MS', d.openCapMs, d.successTtlMs, 86_400_000),
    closedCapMs: integer(env, 'CADENCE_CLOSED_CAP_MS', d.closedCapMs, d.successTtlMs, 7 * 86_400_000),
    appSafetyTtlMs: integer(env, 'CADENCE_APP_SAFETY_MS', d.appSafetyTtlMs, d.successTtlMs, 7 * 86_400_000),
    webhookQuietSafetyMs: integer(env, 'CADENCE_WEBHOOK_QUIET_SAFETY_MS', d.webhookQuietSafetyMs, d.successTtlMs, 7 * 86_400_000),
  };
}

/**
 * What every function that refreshes rows reads (the refresh and the webhook function): the
 * table, tokens and HTTP cache tables, the token memory, the request limits, the providers and
 * the cadence. Throws `ProviderConfigError` for a bad `GIT_PROVIDERS`.
 */
export function readRowRefreshEnv(env: Env): EnvConfig {
  const table = readTableEnv(env);
  const d = DEFAULT_SETTINGS;
  return {
    ...table,
    settings: {
      ...table.settings,
      tokensTableName: required(env, 'TOKENS_TABLE_NAME'),
      httpCacheTableName: required(env, 'HTTP_CACHE_TABLE_NAME'),
      tokenMemoryMs: integer(env, 'TOKEN_MEMORY_MS', d.tokenMemoryMs, 0, 3_600_000),
      concurrency: integer(env, 'CONCURRENCY', d.concurrency, 1, 256),
      perTokenConcurrency: integer(env, 'PER_TOKEN_CONCURRENCY', d.perTokenConcurrency, 1, 256),
      gitProviders: parseProviderConfigs(optional(env, GIT_PROVIDERS_ENV)),
      cadence: readCadenceEnv(env),
    },
  };
}

/** Every setting (the refresh function); also throws `ProviderConfigError` for a bad `GIT_PROVIDERS`. */
export function readRefreshEnv(env: Env): EnvConfig {
  const refreshing = readRowRefreshEnv(env);
  const d = DEFAULT_SETTINGS;
  return {
    ...refreshing,
    settings: {
      ...refreshing.settings,
      batchSize: integer(env, 'BATCH_SIZE', d.batchSize, 1, 1_000),
      tickBudgetMs: integer(env, 'TICK_BUDGET_MS', d.tickBudgetMs, 1_000, 900_000),
      safetyMarginMs: integer(env, 'SAFETY_MARGIN_MS', d.safetyMarginMs, 0, 60_000),
      fanOut: {
        maxWorkers: integer(env, 'MAX_WORKERS', d.fanOut.maxWorkers, 1, INLINE_MAP_MAX_CONCURRENCY),
        reservedConcurrency: integer(env, 'RESERVED_CONCURRENCY', d.fanOut.reservedConcurrency, 0, 100_000),
        rowsPerWorker: integer(env, 'ROWS_PER_WORKER', d.fanOut.rowsPerWorker, 1, 1_000_000),
      },
      deliveriesTableName: optional(env, 'DELIVERIES_TABLE_NAME'),
    },
  };
}

export interface FromEnvOptions {
  clock?: Clock;
  log?: Log;
  /** Instruments the DynamoDB client, e.g. Powertools Tracer's `captureAWSv3Client`. */
  instrumentDynamoDb?: (client: DynamoDBClient) => DynamoDBClient;
  /** HTTP dispatcher for the providers; default the container's shared agent. */
  dispatcher?: HttpAgent;
}

export interface EnvSystem extends System {
  /** The DynamoDB client the system's store uses (the webhook receiver's stores share it). */
  doc: DynamoDBDocumentClient;
  /** Its region and credentials, for the other AWS calls (src/aws/). */
  aws: AwsAccess;
  /** Closes the DynamoDB client (a Lambda container keeps it for its life). */
  close(): void;
}

/**
 * The real parts, for settings read from the environment (`readTableEnv` / `readRefreshEnv`):
 * the DynamoDB client of `document-client.ts` (with its timeouts), the configured providers
 * and EventBridge change events when a bus is set.
 */
export function systemFromEnv(config: EnvConfig, options: FromEnvOptions = {}): EnvSystem {
  const doc = createDocumentClient({
    endpoint: config.dynamodbEndpoint,
    ...(options.instrumentDynamoDb ? { instrument: options.instrumentDynamoDb } : {}),
  });
  // The DynamoDB client is made with the SDK's default region and credentials: EventBridge and
  // Secrets Manager are called with the same (src/aws/).
  const aws = accessOf(doc, options.dispatcher);
  const publisher = changePublisherFor(config.changeEventBus, aws);
  const system = composeSystem({
    settings: config.settings,
    doc,
    ...(publisher ? { publisher } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    readAppKey: (app) => readKeySecretOrFile(app, aws),
  });
  return Object.assign(system, { doc, aws, close: () => doc.destroy() });
}
