import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readRefreshConfig, type RefreshConfig } from '../config/env.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { silentLog, type Log } from '../domain/log.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseProviderConfigs, type ProviderConfig } from '../providers/config.ts';
import { createProviderRegistry, type ConfiguredProviderRegistry } from '../providers/registry.ts';
import type { ChangePublisher } from '../refresh/change-publisher.ts';
import { changePublisherFor } from '../events/eventbridge-publisher.ts';
import { DEFAULT_BACKOFF } from '../refresh/backoff.ts';
import { Refresher } from '../refresh/refresher.ts';
import { runTick } from '../refresh/tick.ts';
import type { TickSummary } from '../refresh/tick-summary.ts';
import { createDocumentClient } from '../store/document-client.ts';
import { DynamoStore } from '../store/dynamo-store.ts';
import { DynamoTokenResolver } from '../tokens/dynamo-token-resolver.ts';

export interface RefreshRuntime {
  config: RefreshConfig;
  /** Runs one tick; `remainingMs` is the Lambda's time left, when in one. */
  tick(options?: { remainingMs?: () => number; signal?: AbortSignal }): Promise<TickSummary>;
}

export interface RefreshRuntimeOptions {
  clock?: Clock;
  log?: Log;
  instrumentDynamoDb?: (client: DynamoDBClient) => DynamoDBClient;
}

/**
 * Wires the real parts from the environment: DynamoDB store and tokens, the configured git
 * providers, the refresher, and change events when a bus is configured. Throws `ConfigError` / `ProviderConfigError` naming the variable
 * when a setting is wrong, so a misconfigured function fails at once and says why.
 */
export function createRefreshRuntime(
  env: Readonly<Record<string, string | undefined>>,
  options: RefreshRuntimeOptions = {},
): RefreshRuntime {
  const config = readRefreshConfig(env);
  const parts = createRefreshParts(config, options);
  return {
    config,
    tick: (run = {}) =>
      runTick(
        { ...parts, policy: DEFAULT_BACKOFF },
        {
          batchSize: config.batchSize,
          tickBudgetMs: config.tickBudgetMs,
          safetyMarginMs: config.safetyMarginMs,
          ...run,
        },
      ),
  };
}

/** The parts every function that refreshes rows uses (the refresh tick and webhook deliveries). */
export interface RefreshParts {
  doc: DynamoDBDocumentClient;
  store: DynamoStore;
  refresher: Refresher;
  registry: ConfiguredProviderRegistry;
  providers: ProviderConfig[];
  clock: Clock;
  log: Log;
  publisher?: ChangePublisher;
}

export function createRefreshParts(
  config: Pick<RefreshConfig, 'tableName' | 'indexName' | 'shardCount' | 'dynamodbEndpoint' | 'changeEventBus' | 'tokensTableName' | 'concurrency' | 'perTokenConcurrency' | 'gitProviders'>,
  options: RefreshRuntimeOptions,
): RefreshParts {
  const providers = parseProviderConfigs(config.gitProviders);
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLog;
  const doc = createDocumentClient({ endpoint: config.dynamodbEndpoint, instrument: options.instrumentDynamoDb });
  const store = new DynamoStore({
    doc,
    tableName: config.tableName,
    indexName: config.indexName,
    shardCount: config.shardCount,
  });
  const tokens = new DynamoTokenResolver(doc, config.tokensTableName, clock);
  const registry = createProviderRegistry(providers, { clock });
  const refresher = new Refresher({
    registry,
    tokens,
    clock,
    concurrency: config.concurrency,
    perTokenConcurrency: config.perTokenConcurrency,
    log,
  });
  const publisher = changePublisherFor(config.changeEventBus);
  return { doc, store, refresher, registry, providers, clock, log, ...(publisher ? { publisher } : {}) };
}
