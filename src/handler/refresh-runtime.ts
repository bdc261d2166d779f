import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readRefreshConfig, type RefreshConfig } from '../config/env.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { silentLog, type Log } from '../domain/log.ts';
import { parseProviderConfigs } from '../providers/config.ts';
import { createProviderRegistry } from '../providers/registry.ts';
import { changePublisherFor } from '../events/eventbridge-publisher.ts';
import { DEFAULT_CADENCE } from '../cadence/policy.ts';
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
  const refresher = new Refresher({
    registry: createProviderRegistry(providers, { clock }),
    tokens,
    clock,
    concurrency: config.concurrency,
    perTokenConcurrency: config.perTokenConcurrency,
    log,
  });
  const publisher = changePublisherFor(config.changeEventBus);
  return {
    config,
    tick: (run = {}) =>
      runTick(
        { store, refresher, clock, policy: DEFAULT_CADENCE, log, ...(publisher ? { publisher } : {}) },
        {
          batchSize: config.batchSize,
          tickBudgetMs: config.tickBudgetMs,
          safetyMarginMs: config.safetyMarginMs,
          ...run,
        },
      ),
  };
}
