import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DiffStatusRow } from '../domain/row.ts';
import { shardLeaseKey } from './bookkeeping.ts';
import { DynamoHttpCacheStore } from './dynamo-http-cache-store.ts';
import { DynamoLastDeliveries } from './dynamo-last-deliveries.ts';
import { parsePartition } from './shard.ts';

/** A due-index shard as its lease item records it. */
export interface ShardFacts {
  shard: number;
  /** The bucket partition the row sits in, when it sits in one. */
  bucket?: number;
  leaseId?: string;
  leaseExpiresAt?: number;
  /** Periodic slots up to here were served. */
  polledUntil?: number;
}

/** What the table knows about one chat, for `gitsync why`. */
export interface RowFacts {
  row: DiffStatusRow | null;
  /** The shard its `dueShard` names (absent: it names none, or the row is outside the index). */
  shard?: ShardFacts;
  /** The last verified webhook delivery of the row's host (absent: none recorded, or no deliveries table). */
  hostDelivery?: { host: string; at: number };
  /** The row's HTTP cache item: how many entries it holds, null without one (absent: no cache table named). */
  httpCache?: { entries: number } | null;
}

/** Reads a row, its shard's lease item and its host's last delivery: consistent reads, nothing written. */
export class DynamoRowInspector {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #deliveries: DynamoLastDeliveries | undefined;
  readonly #httpCache: DynamoHttpCacheStore | undefined;

  constructor(options: { doc: DynamoDBDocumentClient; tableName: string; deliveriesTableName?: string | undefined; httpCacheTableName?: string | undefined }) {
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#deliveries = options.deliveriesTableName ? new DynamoLastDeliveries({ doc: options.doc, tableName: options.deliveriesTableName }) : undefined;
    this.#httpCache = options.httpCacheTableName ? new DynamoHttpCacheStore({ doc: options.doc, tableName: options.httpCacheTableName }) : undefined;
  }

  /** `hostOf`: the configured provider host of an origin (undefined when none serves it). */
  async inspect(chatId: string, hostOf: (origin: string) => string | undefined): Promise<RowFacts> {
    const row = ((await this.#get(chatId)) as DiffStatusRow | undefined) ?? null;
    if (!row) return { row };
    const facts: RowFacts = { row };
    const partition = parsePartition(row.dueShard);
    if (partition) {
      const lease = await this.#get(shardLeaseKey(partition.shard));
      facts.shard = {
        shard: partition.shard,
        ...(partition.bucket !== undefined ? { bucket: partition.bucket } : {}),
        ...numberOrString(lease, 'leaseId', 'leaseExpiresAt', 'polledUntil'),
      };
    }
    const host = typeof row.gitRemoteOrigin === 'string' ? hostOf(row.gitRemoteOrigin) : undefined;
    if (host && this.#deliveries) {
      const at = (await this.#deliveries.lastDeliveries([host])).get(host);
      if (at !== undefined) facts.hostDelivery = { host, at };
    }
    if (this.#httpCache) {
      const read = await this.#httpCache.read([chatId]);
      const entries = read.get(chatId);
      facts.httpCache = read.has(chatId) ? { entries: typeof entries === 'object' && entries !== null ? Object.keys(entries).length : 0 } : null;
    }
    return facts;
  }

  async #get(chatId: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: { chatId }, ConsistentRead: true }));
    return out.Item;
  }
}

/** The lease item's attributes that have their expected type (a damaged one is left out). */
function numberOrString(item: Record<string, unknown> | undefined, id: 'leaseId', ...times: ('leaseExpiresAt' | 'polledUntil')[]): Partial<ShardFacts> {
  const out: Partial<ShardFacts> = {};
  if (typeof item?.[id] === 'string') out.leaseId = item[id];
  for (const name of times) if (typeof item?.[name] === 'number') out[name] = item[name];
  return out;
}
