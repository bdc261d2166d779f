import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DiffStatusRow } from '../domain/row.ts';
import { repoBranchKey } from './repo-branch-key.ts';
import { allDueShards, dueShardFor } from './shard.ts';
import type { DueRow, Lease, RowUpdate, StaleMark, Store } from './store.ts';
import { buildUpdateExpression, type UpdateExpressionParts } from './update-expression.ts';

export interface DynamoStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** The sparse due index (partition `dueShard`, sort `staleAt`, keys only). */
  indexName: string;
  shardCount: number;
}

const LEASE_ATTRIBUTES = ['leaseId', 'leaseExpiresAt'] as const;

/** `Store` over the diff-status table. Claims and write-backs are conditional on the base table. */
export class DynamoStore implements Store {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #index: string;
  readonly #shardCount: number;

  constructor(options: DynamoStoreOptions) {
    if (!Number.isInteger(options.shardCount) || options.shardCount < 1) {
      throw new Error(`shardCount must be a positive integer, got ${options.shardCount}`);
    }
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#index = options.indexName;
    this.#shardCount = options.shardCount;
  }

  async queryDue(now: number, limit: number): Promise<DueRow[]> {
    const perShard = await Promise.all(
      allDueShards(this.#shardCount).map(async (shard) => {
        const out = await this.#doc.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: this.#index,
            KeyConditionExpression: 'dueShard = :shard AND staleAt <= :now',
            ExpressionAttributeValues: { ':shard': shard, ':now': now },
            ScanIndexForward: true,
            Limit: limit,
          }),
        );
        return (out.Items ?? []) as DueRow[];
      }),
    );
    return perShard
      .flat()
      .sort((a, b) => a.staleAt - b.staleAt)
      .slice(0, limit);
  }

  claim(chatId: string, lease: Lease): Promise<DiffStatusRow | null> {
    // The GSI lags the table: re-check "due and unleased" on the base table itself.
    return this.#claim(
      chatId,
      lease,
      'attribute_exists(dueShard) AND staleAt <= :now AND (attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now)',
      { staleAt: lease.expiresAt },
    );
  }

  claimNow(chatId: string, lease: Lease): Promise<DiffStatusRow | null> {
    return this.#claim(
      chatId,
      lease,
      'attribute_exists(chatId) AND (attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now)',
      {},
    );
  }

  async #claim(
    chatId: string,
    lease: Lease,
    condition: string,
    extraSet: Partial<DiffStatusRow>,
  ): Promise<DiffStatusRow | null> {
    const expression = buildUpdateExpression({
      set: { ...extraSet, leaseId: lease.id, leaseExpiresAt: lease.expiresAt },
      conditionValues: { ':now': lease.takenAt },
    });
    try {
      const out = await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { chatId },
          ...expression,
          ConditionExpression: condition,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return (out.Attributes as DiffStatusRow | undefined) ?? null;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return null;
      throw err;
    }
  }

  async writeBack(chatId: string, leaseId: string, update: RowUpdate): Promise<boolean> {
    const expression = buildUpdateExpression({
      set: update.set,
      remove: [...update.remove, ...LEASE_ATTRIBUTES],
      conditionNames: { '#leaseHolder': 'leaseId' },
      conditionValues: { ':lease': leaseId },
    });
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { chatId },
          ...expression,
          ConditionExpression: '#leaseHolder = :lease',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async getRow(chatId: string): Promise<DiffStatusRow | null> {
    const out = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: { chatId }, ConsistentRead: true }));
    return (out.Item as DiffStatusRow | undefined) ?? null;
  }

  async markStale(chatId: string, mark: StaleMark): Promise<void> {
    // The webhook index key follows branch and origin at once (removed when the origin names no repository).
    const key = repoBranchKey(mark.gitRemoteOrigin, mark.gitBranch);
    const set = {
      gitBranch: mark.gitBranch,
      gitRemoteOrigin: mark.gitRemoteOrigin,
      updatedAt: mark.now,
      ...(key ? { repoBranchKey: key } : {}),
    };
    const setIfAbsent = { createdAt: mark.now };
    // Ending the lease makes an in-flight refresh's write-back fail: its answer predates the push.
    const remove = [...LEASE_ATTRIBUTES, 'errorCount', ...(key ? [] : ['repoBranchKey'])];
    try {
      await this.#update(
        chatId,
        buildUpdateExpression({
          set: { ...set, staleAt: mark.now - 1_000, dueShard: dueShardFor(chatId, this.#shardCount) },
          setIfAbsent,
          remove,
          conditionValues: { ':true': true },
        }),
        'attribute_not_exists(archived) OR archived <> :true',
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // An archived chat keeps its new branch and origin but stays out of the due index.
      await this.#update(chatId, buildUpdateExpression({ set, setIfAbsent, remove: [...remove, 'dueShard'] }));
    }
  }

  async #update(chatId: string, expression: UpdateExpressionParts, condition?: string): Promise<void> {
    await this.#doc.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { chatId },
        ...expression,
        ...(condition ? { ConditionExpression: condition } : {}),
      }),
    );
  }
}
