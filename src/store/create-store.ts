import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../domain/clock.ts';
import type { Log } from '../domain/log.ts';
import { DynamoStore } from './dynamo-store.ts';
import { RowLeaseStore } from './row-lease-store.ts';
import type { Store } from './store.ts';

/** The store of the configured due-index design. */
export function createStore(
  config: { tableName: string; indexName: string; shardCount: number; dueIndexDesign: 'slots' | 'row-lease' },
  doc: DynamoDBDocumentClient,
  clock?: Clock,
  log?: Log,
): Store {
  const options = { doc, tableName: config.tableName, indexName: config.indexName, shardCount: config.shardCount };
  return config.dueIndexDesign === 'row-lease' ? new RowLeaseStore(options) : new DynamoStore({ ...options, ...(clock ? { clock } : {}), ...(log ? { log } : {}) });
}
