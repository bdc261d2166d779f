import { ConditionalCheckFailedException, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput } from '../../src/dev/template.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { scheduledAt } from '../../src/store/due-slot.ts';
import { allDueShards, basePartition, checkedShardCount, dueShardFor } from '../../src/store/shard.ts';
import type { DueRow, Lease, Round, RowUpdate, StaleMark, Store } from '../../src/store/store.ts';
import { StatusTable } from '../../src/store/status-table.ts';
import { buildUpdateExpression } from '../../src/store/update-expression.ts';

export interface RowLeaseStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** The sparse due index of this design: partition `dueShard`, sort `staleAt`, keys only. */
  indexName: string;
  shardCount: number;
  /** A claimed row comes back after this long if its holder dies (default 5 min). */
  claimTtlMs?: number;
}

/** The due index this design needs (the bench and the tests build tables with it). */
export const ROW_LEASE_INDEX = {
  IndexName: 'byStaleAt',
  KeySchema: [
    { AttributeName: 'dueShard', KeyType: 'HASH' },
    { AttributeName: 'staleAt', KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'KEYS_ONLY' },
} as const;

/** The diff-status table of the row-lease design: template.yaml's, with that design's due index. */
export function rowLeaseTableInput(tableName: string): CreateTableCommandInput {
  const input = createTableInput('DiffStatusTable', tableName);
  return {
    ...input,
    AttributeDefinitions: [...(input.AttributeDefinitions ?? []), { AttributeName: 'staleAt', AttributeType: 'N' }],
    // Its due index in place of the slot design's; the other indexes (webhooks') stay.
    GlobalSecondaryIndexes: [
      ...(input.GlobalSecondaryIndexes ?? []).filter((g) => g.IndexName !== 'byDueShard'),
      structuredClone(ROW_LEASE_INDEX) as unknown as NonNullable<CreateTableCommandInput['GlobalSecondaryIndexes']>[number],
    ],
  };
}

const LEASE_ATTRIBUTES = ['leaseId', 'leaseExpiresAt'] as const;

/**
 * `Store`, the row-lease design (gitsync before the cost work, kept in the bench so it
 * measures both designs side by side): every due row is claimed with its own
 * conditional write that moves `staleAt` (the index's sort key), and written back under that
 * claim, moving it again.
 */
export class RowLeaseStore implements Store {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #index: string;
  readonly #shardCount: number;
  readonly #claimTtlMs: number;
  readonly #rows: StatusTable;
  /** The instant each round last queried: its claims require the row to be due then. */
  readonly #queriedAt = new WeakMap<Round, number>();

  constructor(options: RowLeaseStoreOptions) {
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#index = options.indexName;
    this.#shardCount = checkedShardCount(options.shardCount);
    this.#claimTtlMs = options.claimTtlMs ?? 5 * 60_000;
    this.#rows = new StatusTable(options.doc, options.tableName);
  }

  async beginRound(lease: Lease, only?: readonly number[]): Promise<Round> {
    return {
      lease,
      shards: only ?? allDueShards(this.#shardCount).map((_, k) => k),
      // Nothing to keep: a row whose claim or write-back failed comes back when its own claim lapses.
      notServed: () => {},
    };
  }

  async queryDue(round: Round, now: number, limit: number): Promise<DueRow[]> {
    this.#queriedAt.set(round, now);
    const perShard = await Promise.all(
      round.shards.map(async (shard) => {
        const out = await this.#doc.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: this.#index,
            KeyConditionExpression: 'dueShard = :shard AND staleAt <= :now',
            ExpressionAttributeValues: { ':shard': basePartition(shard), ':now': now },
            ScanIndexForward: true,
            Limit: limit,
          }),
        );
        return ((out.Items ?? []) as { chatId: string; staleAt: number }[]).map((d) => ({ chatId: d.chatId, dueAt: d.staleAt }));
      }),
    );
    return perShard
      .flat()
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, limit);
  }

  claim(round: Round, chatId: string): Promise<DiffStatusRow | null> {
    // The GSI lags the table: re-check "due and unleased" on the base table itself.
    return this.#claim(
      chatId,
      { ...round.lease, takenAt: this.#queriedAt.get(round) ?? round.lease.takenAt },
      'attribute_exists(dueShard) AND staleAt <= :now AND (attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now)',
      { staleAt: (this.#queriedAt.get(round) ?? round.lease.takenAt) + this.#claimTtlMs },
    );
  }

  async endRound(): Promise<void> {}

  claimNow(chatId: string, lease: Lease): Promise<DiffStatusRow | null> {
    return this.#claim(
      chatId,
      lease,
      'attribute_exists(chatId) AND (attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now)',
      {},
    );
  }

  async #claim(chatId: string, lease: Lease, condition: string, extraSet: Partial<DiffStatusRow>): Promise<DiffStatusRow | null> {
    const expression = buildUpdateExpression({
      set: { ...extraSet, leaseId: lease.id, leaseExpiresAt: lease.takenAt + this.#claimTtlMs },
      conditionValues: { ':now': lease.takenAt },
    });
    try {
      const out = await this.#doc.send(
        new UpdateCommand({ TableName: this.#table, Key: { chatId }, ...expression, ConditionExpression: condition, ReturnValues: 'ALL_NEW' }),
      );
      return (out.Attributes as DiffStatusRow | undefined) ?? null;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return null;
      throw err;
    }
  }

  async writeBack(claimed: DiffStatusRow, lease: Lease, update: RowUpdate): Promise<boolean> {
    const expression = buildUpdateExpression({
      set: { ...update.set, ...(update.schedule ? { staleAt: scheduledAt(update.schedule) } : {}) },
      remove: [...update.remove, ...LEASE_ATTRIBUTES],
      conditionNames: { '#leaseHolder': 'leaseId' },
      conditionValues: { ':lease': lease.id },
    });
    return this.#rows.updateIf(claimed.chatId, expression, '#leaseHolder = :lease');
  }

  getRow(chatId: string): Promise<DiffStatusRow | null> {
    return this.#rows.getRow(chatId);
  }

  markStale(chatId: string, mark: StaleMark): Promise<void> {
    // Ending the lease makes an in-flight refresh's write-back fail: its answer predates the push.
    return this.#rows.markStale(chatId, mark, {
      due: { staleAt: mark.now - 1_000, dueShard: dueShardFor(chatId, this.#shardCount) },
      remove: LEASE_ATTRIBUTES,
      indexAttributes: ['dueShard'],
    });
  }
}
