import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { silentLog, type Log } from '../domain/log.ts';
import { onceSlot } from './due-slot.ts';
import { checkedShardCount, dueShardFor } from './shard.ts';
import { StatusTable } from './status-table.ts';
import { buildUpdateExpression } from './update-expression.ts';

export const AWAITING_TOKEN_INDEX = 'byAwaitingToken';

/** Rows whose refresh stopped for want of their owner's git token (the sparse `byAwaitingToken` index). */
export interface TokenWaits {
  /** One page of the chat ids waiting for `ownerId`'s token. */
  waiting(ownerId: string, after: Record<string, unknown> | undefined): Promise<{ chatIds: string[]; next?: Record<string, unknown> }>;
  /** The row's `gitRemoteOrigin`, when it has one. */
  origin(chatId: string): Promise<string | undefined>;
  /** Makes the row due now, if it still waits for that owner's token and is pollable; false otherwise. */
  makeDue(chatId: string, ownerId: string, now: number): Promise<boolean>;
}

export class DynamoTokenWaits implements TokenWaits {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #shardCount: number;
  readonly #rows: StatusTable;
  readonly #log: Log;

  constructor(options: { doc: DynamoDBDocumentClient; tableName: string; shardCount: number; log?: Log }) {
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#rows = new StatusTable(options.doc, options.tableName);
    this.#log = options.log ?? silentLog;
    this.#shardCount = checkedShardCount(options.shardCount);
  }

  async waiting(ownerId: string, after: Record<string, unknown> | undefined): Promise<{ chatIds: string[]; next?: Record<string, unknown> }> {
    const out = await this.#doc.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: AWAITING_TOKEN_INDEX,
        KeyConditionExpression: 'awaitingToken = :owner',
        ExpressionAttributeValues: { ':owner': ownerId },
        ...(after ? { ExclusiveStartKey: after } : {}),
      }),
    );
    const chatIds = (out.Items ?? []).map((item) => String(item['chatId']));
    return out.LastEvaluatedKey ? { chatIds, next: out.LastEvaluatedKey } : { chatIds };
  }

  async origin(chatId: string): Promise<string | undefined> {
    const out = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: { chatId }, ProjectionExpression: '#o', ExpressionAttributeNames: { '#o': 'gitRemoteOrigin' } }),
    );
    const origin: unknown = out.Item?.['gitRemoteOrigin'];
    return typeof origin === 'string' ? origin : undefined;
  }

  async makeDue(chatId: string, ownerId: string, now: number): Promise<boolean> {
    // As a push does (both designs: `staleAt` and a one-off slot in the shard's base
    // partition), with a new version so a refresh in flight, which found no token, cannot
    // write its answer over this. The wait ends here; the refresh records it again if the
    // token is still unusable.
    const expression = buildUpdateExpression({
      set: { staleAt: now, dueSlot: onceSlot(now), dueShard: dueShardFor(chatId, this.#shardCount) },
      add: { version: 1 },
      remove: ['awaitingToken'],
      conditionNames: { '#wait': 'awaitingToken', '#due': 'dueShard' },
      conditionValues: { ':owner': ownerId },
    });
    return this.#rows.withCountableVersion(
      chatId,
      () => this.#rows.updateIf(chatId, expression, '#wait = :owner AND attribute_exists(#due)'),
      (problem) => this.#log.warn('the row\'s version is unusable; replaced by a number', { chatId, problem }),
    );
  }
}
