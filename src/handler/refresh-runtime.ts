import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readRefreshConfig, type RefreshConfig } from '../config/env.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { silentLog, type Log } from '../domain/log.ts';
import { parseProviderConfigs } from '../providers/config.ts';
import { createProviderRegistry } from '../providers/registry.ts';
import { changePublisherFor } from '../events/eventbridge-publisher.ts';
import { DEFAULT_BACKOFF } from '../refresh/backoff.ts';
import { Refresher } from '../refresh/refresher.ts';
import { runTick } from '../refresh/tick.ts';
import type { TickSummary } from '../refresh/tick-summary.ts';
import { createDocumentClient } from '../store/document-client.ts';
import { createStore } from '../store/create-store.ts';
import type { Store } from '../store/store.ts';
import type { DueCensus } from '../store/due-census.ts';
import { readFanOutSettings } from '../scale/fan-out-config.ts';
import type { FanOutSettings } from '../scale/fan-out.ts';
import { DynamoTokenResolver } from '../tokens/dynamo-token-resolver.ts';

export interface RefreshRuntime {
  config: RefreshConfig;
  fanOut: FanOutSettings;
  /** The store's read-only view of the due index (the slot design only). */
  census: DueCensus | undefined;
  /** Runs one tick (over `shards`, default all); `remainingMs` is the Lambda's time left, when in one. */
  tick(options?: { remainingMs?: () => number; signal?: AbortSignal; shards?: readonly number[] }): Promise<TickSummary>;
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
  const fanOut = readFanOutSettings(env);
  const providers = parseProviderConfigs(config.gitProviders);
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLog;
  const doc = createDocumentClient({ endpoint: config.dynamodbEndpoint, instrument: options.instrumentDynamoDb });
  const store = createStore(config, doc, clock);
  const policy = {
    ...DEFAULT_BACKOFF,
    cadence: config.cadence,
    activeWindowMs: config.activeWindowMs,
    openCapMs: config.openCapMs,
    closedCapMs: config.closedCapMs,
  };
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
    fanOut,
    census: 'countDue' in store ? (store as Store & DueCensus) : undefined,
    tick: (run = {}) =>
      runTick(
        { store, refresher, clock, policy, log, ...(publisher ? { publisher } : {}) },
        {
          batchSize: config.batchSize,
          tickBudgetMs: config.tickBudgetMs,
          safetyMarginMs: config.safetyMarginMs,
          ...run,
        },
      ),
  };
}
