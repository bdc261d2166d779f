import { BatchGetCommand, PutCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock } from '../domain/clock.ts';
import type { ConditionalCacheEntries } from '../domain/row.ts';
import { httpCacheExpiry, type HttpCacheStore } from './http-cache-store.ts';

/** Keys one BatchGetItem may ask for. */
const BATCH_GET_KEYS = 100;

/** The distinct chat ids in BatchGetItem-sized batches, in order. */
export function readBatches(chatIds: readonly string[]): string[][] {
  const unique = [...new Set(chatIds)];
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += BATCH_GET_KEYS) batches.push(unique.slice(i, i + BATCH_GET_KEYS));
  return batches;
}

/**
 * `HttpCacheStore` over the HTTP cache table (key `chatId`; `entries`; `expiresAt`, the TTL in
 * epoch seconds). Reads are eventually consistent: a cache a moment old only costs a request
 * made in full. Keys DynamoDB leaves unprocessed are asked for once more, then read as "no cache".
 */
export class DynamoHttpCacheStore implements HttpCacheStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #clock: Clock;

  constructor(options: { doc: DynamoDBDocumentClient; tableName: string; clock?: Clock }) {
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#clock = options.clock ?? systemClock;
  }

  async read(chatIds: readonly string[]): Promise<Map<string, unknown>> {
    const found = new Map<string, unknown>();
    await Promise.all(
      readBatches(chatIds).map(async (batch) => {
        let keys: Record<string, unknown>[] | undefined = batch.map((chatId) => ({ chatId }));
        for (let attempt = 0; attempt < 2 && keys && keys.length > 0; attempt++) {
          const out: BatchGetCommandOutput = await this.#doc.send(
            new BatchGetCommand({
              RequestItems: { [this.#table]: { Keys: keys, ProjectionExpression: 'chatId, entries' } },
            }),
          );
          for (const item of out.Responses?.[this.#table] ?? []) {
            if (typeof item['chatId'] === 'string') found.set(item['chatId'], item['entries']);
          }
          keys = out.UnprocessedKeys?.[this.#table]?.Keys;
        }
      }),
    );
    return found;
  }

  async write(chatId: string, entries: ConditionalCacheEntries): Promise<void> {
    await this.#doc.send(
      new PutCommand({ TableName: this.#table, Item: { chatId, entries, expiresAt: httpCacheExpiry(this.#clock.now()) } }),
    );
  }
}
