// Stand-in for src/handler/refresh.ts until the infra branch lands; removed then.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readRefreshConfig } from '../../config/env.ts';
import { systemClock } from '../../domain/clock.ts';
import { parseProviderConfigs } from '../../providers/config.ts';
import { createProviderRegistry } from '../../providers/registry.ts';
import { DEFAULT_BACKOFF } from '../../refresh/backoff.ts';
import { Refresher } from '../../refresh/refresher.ts';
import { runTick } from '../../refresh/tick.ts';
import { DynamoStore } from '../../store/dynamo-store.ts';
import { DynamoTokenResolver } from '../../tokens/dynamo-token-resolver.ts';
import type { InvokeRefresh } from './executor.ts';

export function interimRefresh(env: Record<string, string | undefined>): InvokeRefresh {
  const config = readRefreshConfig(env);
  const client = new DynamoDBClient(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {});
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const store = new DynamoStore({ doc, tableName: config.tableName, indexName: config.indexName, shardCount: config.shardCount });
  const refresher = new Refresher({
    registry: createProviderRegistry(parseProviderConfigs(config.gitProviders)),
    tokens: new DynamoTokenResolver(doc, config.tokensTableName, systemClock),
    clock: systemClock,
    concurrency: config.concurrency,
    perTokenConcurrency: config.perTokenConcurrency,
  });
  return () =>
    runTick(
      { store, refresher, clock: systemClock, policy: DEFAULT_BACKOFF },
      { batchSize: config.batchSize, tickBudgetMs: config.tickBudgetMs, safetyMarginMs: config.safetyMarginMs },
    );
}
