import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateQuery, paginateScan, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock } from '../domain/clock.ts';
import { silentLog, type Log } from '../domain/log.ts';
import type { DiffStatusRow } from '../domain/row.ts';
import { readShardMark, SHARD_HIGH_WATER_KEY, shardLeaseKey, shardsToPoll } from './bookkeeping.ts';
import { formatSlot } from './due-slot.ts';
import { heldByAnother } from './held-row.ts';
import { BUCKET_MS, checkedShardCount, dueShardFor, MAX_SHARD_COUNT, parsePartition, SWEEP_SEGMENTS, sweepSegment } from './shard.ts';
import { asSlotRound, oldestFirst, SlotRound, type IndexEntry } from './slot-round.ts';
import { slotWrite, type SlotWrite } from './slot-write.ts';
import type { DueCensus } from './due-census.ts';
import type { DueRow, Lease, Round, RowUpdate, StaleMark, Store } from './store.ts';
import { StatusTable } from './status-table.ts';
import { buildUpdateExpression } from './update-expression.ts';

export interface DynamoStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** The sparse due index: partition `dueShard`, `dueSlot` projected (see docs/table-contract.md). */
  indexName: string;
  shardCount: number;
  /** Write-backs after the round's lease expired are dropped (default: the system clock). */
  clock?: Clock;
  /** Where repairs of damaged bookkeeping are told (default: nowhere). */
  log?: Log;
}

/**
 * `Store` over the diff-status table, slot design: a tick leases whole due-index shards (one
 * conditional write per shard per tick, not one per row), reads each shard's entries (keys
 * and `dueSlot`), and writes each row back once, fenced on the version it read. A refresh
 * that keeps the row's period writes neither the index nor anything but the row itself.
 */
export class DynamoStore implements Store, DueCensus {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #index: string;
  readonly #shardCount: number;
  readonly #clock: Clock;
  readonly #rows: StatusTable;
  readonly #log: Log;
  #highWaterRaised = false;
  /** The loop slot this store last swept (one segment per slot is enough). */
  #sweptSlot: number | undefined;

  constructor(options: DynamoStoreOptions) {
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#index = options.indexName;
    this.#shardCount = checkedShardCount(options.shardCount);
    this.#clock = options.clock ?? systemClock;
    this.#rows = new StatusTable(options.doc, options.tableName);
    this.#log = options.log ?? silentLog;
  }

  async beginRound(lease: Lease, only?: readonly number[]): Promise<Round> {
    const shards = only ?? (await this.#shardsInUse(lease.takenAt));
    const held = new Map<number, number>();
    await Promise.all(
      shards.map(async (shard) => {
        try {
          const out = await this.#doc.send(
            new UpdateCommand({
              TableName: this.#table,
              Key: { chatId: shardLeaseKey(shard) },
              UpdateExpression: 'SET leaseId = :id, leaseExpiresAt = :until',
              ConditionExpression: 'attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now OR leaseId = :id',
              ExpressionAttributeValues: { ':id': lease.id, ':until': lease.expiresAt, ':now': lease.takenAt },
              ReturnValues: 'ALL_NEW',
            }),
          );
          const polledUntil = out.Attributes?.['polledUntil'];
          held.set(shard, typeof polledUntil === 'number' ? polledUntil : -Infinity);
        } catch (err) {
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        }
      }),
    );
    return new SlotRound(lease, held, (chatId, problem) => this.#log.warn('a due-index entry cannot be obeyed; the row is served now and its slot replaced', { chatId, problem }));
  }

  async queryDue(round: Round, now: number, limit: number): Promise<DueRow[]> {
    const slots = asSlotRound(round);
    const due = await Promise.all(
      slots.shards.map(async (shard) => slots.remaining(shard) ?? slots.observe(shard, await this.#entries(slots.partitions(shard, now)), now)),
    );
    return oldestFirst(due.flat(), limit);
  }

  async claim(round: Round, chatId: string): Promise<DiffStatusRow | null> {
    const slots = asSlotRound(round);
    slots.take(chatId);
    // Eventually consistent: a stale read only costs a failed, fenced write-back.
    const out = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: { chatId } }));
    return slots.admit(chatId, out.Item as DiffStatusRow | undefined, this.#clock.now());
  }

  async endRound(round: Round, _now: number): Promise<void> {
    const slots = asSlotRound(round);
    const served = slots.servedUntil();
    await Promise.all(
      slots.shards.map(async (shard) => {
        const until = served.get(shard);
        try {
          await this.#doc.send(
            new UpdateCommand({
              TableName: this.#table,
              Key: { chatId: shardLeaseKey(shard) },
              UpdateExpression: until === undefined ? 'REMOVE leaseId, leaseExpiresAt' : 'SET polledUntil = :until REMOVE leaseId, leaseExpiresAt',
              ConditionExpression: 'leaseId = :id',
              ExpressionAttributeValues: { ':id': round.lease.id, ...(until === undefined ? {} : { ':until': until }) },
            }),
          );
        } catch (err) {
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        }
      }),
    );
  }

  async claimNow(chatId: string, lease: Lease): Promise<DiffStatusRow | null> {
    // No lease of its own: refresh-now's write is fenced on the version it reads here. A row a
    // delivery holds is left to the delivery (refresh-now asks the host without writing).
    const row = await this.getRow(chatId);
    return row && !heldByAnother(row, lease.id, this.#clock.now()) ? row : null;
  }

  async writeBack(claimed: DiffStatusRow, lease: Lease, update: RowUpdate): Promise<boolean> {
    if (this.#clock.now() >= lease.expiresAt) return false;
    const write = slotWrite(claimed, update, this.#shardCount);
    if (write.versionProblem) this.#log.warn('the row\'s version is unusable; replaced by a number', { chatId: claimed.chatId, problem: write.versionProblem });
    const fence = fenceOf(write);
    const expression = buildUpdateExpression({ set: write.set, remove: write.remove, conditionNames: fence.names, conditionValues: fence.values });
    return this.#rows.updateIf(claimed.chatId, expression, fence.condition);
  }

  getRow(chatId: string): Promise<DiffStatusRow | null> {
    return this.#rows.getRow(chatId);
  }

  async markStale(chatId: string, mark: StaleMark): Promise<void> {
    await this.#ensureMark();
    await this.#rows.withCountableVersion(
      chatId,
      () => this.#markStale(chatId, mark),
      (problem) => this.#log.warn('the row\'s version is unusable; replaced by a number', { chatId, problem }),
    );
  }

  async #markStale(chatId: string, mark: StaleMark): Promise<void> {
    const due = mark.now - 1_000;
    await this.#rows.markStale(chatId, mark, {
      due: { staleAt: due, dueSlot: formatSlot({ periodMs: 0, anchor: due }), dueShard: dueShardFor(chatId, this.#shardCount) },
      remove: [],
      indexAttributes: ['dueShard', 'dueSlot'],
      // A new version makes an in-flight refresh's write-back fail: its answer predates the push.
      finish: (expression) => ({
        ...expression,
        UpdateExpression: expression.UpdateExpression.replace(/^SET /, 'SET #version = if_not_exists(#version, :zero) + :one, '),
        ExpressionAttributeNames: { ...expression.ExpressionAttributeNames, '#version': 'version' },
        ExpressionAttributeValues: { ...expression.ExpressionAttributeValues, ':zero': 0, ':one': 1 },
      }),
    });
  }

  shardsInUse(): Promise<number[]> {
    return this.#shardsInUse(this.#clock.now());
  }

  /**
   * Every shard a row may carry: the configured ones, those the mark names, and any the sweep
   * finds rows under. A mark that is missing, unusable or below the configured count is
   * rewritten (and logged); one below what the sweep found is raised.
   */
  async #shardsInUse(now: number): Promise<number[]> {
    const [stored, swept] = await Promise.all([this.#readMark(), this.#sweep(now)]);
    const { mark, problem } = readShardMark(stored);
    if (problem) this.#log.warn('the shard mark is unusable; ignored and rewritten', { item: SHARD_HIGH_WATER_KEY, problem });
    const count = Math.max(this.#shardCount, mark ?? 0, swept + 1);
    if (mark !== count) {
      if (mark !== undefined && count > Math.max(mark, this.#shardCount)) {
        this.#log.warn('rows found under shards beyond the shard mark; the mark is raised', { mark, shards: count });
      }
      await this.#setMark(stored, count);
    }
    return shardsToPoll(count, undefined);
  }

  async #readMark(): Promise<unknown> {
    const out = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: { chatId: SHARD_HIGH_WATER_KEY } }));
    return out.Item?.['shardCount'];
  }

  /** Replaces the mark `seen` (as read, whatever its type) with `count`; a race with another writer is left to the next round. */
  async #setMark(seen: unknown, count: number): Promise<void> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { chatId: SHARD_HIGH_WATER_KEY },
          UpdateExpression: 'SET shardCount = :n',
          ConditionExpression: seen === undefined ? 'attribute_not_exists(shardCount)' : 'shardCount = :seen',
          ExpressionAttributeValues: { ':n': count, ...(seen === undefined ? {} : { ':seen': seen }) },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  /**
   * The highest shard a due-index entry of this slot's sweep segment names (-1: none, or the
   * segment was swept already by this store in this slot).
   */
  async #sweep(now: number): Promise<number> {
    const slot = Math.floor(now / BUCKET_MS);
    if (this.#sweptSlot === slot) return -1;
    this.#sweptSlot = slot;
    let highest = -1;
    const pages = paginateScan(
      { client: this.#doc },
      { TableName: this.#table, IndexName: this.#index, Segment: sweepSegment(now), TotalSegments: SWEEP_SEGMENTS, ProjectionExpression: 'dueShard' },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const shard = parsePartition(item['dueShard'])?.shard;
        if (shard !== undefined && shard < MAX_SHARD_COUNT) highest = Math.max(highest, shard);
      }
    }
    return highest;
  }

  async countDue(shard: number, now: number): Promise<number> {
    const lease = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: { chatId: shardLeaseKey(shard) } }));
    const polledUntil = lease.Item?.['polledUntil'];
    // A round of our own that is never begun nor ended: the same "due" rule, no writes.
    const look = new SlotRound({ id: 'census', takenAt: now, expiresAt: now }, new Map([[shard, typeof polledUntil === 'number' ? polledUntil : -Infinity]]));
    return look.observe(shard, await this.#entries(look.partitions(shard, now)), now).length;
  }

  /** Every entry of the given due-index partitions (read side by side, each to its last page). */
  async #entries(partitions: readonly string[]): Promise<IndexEntry[]> {
    const pages = await Promise.all(partitions.map((partition) => this.#partitionEntries(partition)));
    return pages.flat();
  }

  async #partitionEntries(partition: string): Promise<IndexEntry[]> {
    const entries: IndexEntry[] = [];
    const pages = paginateQuery(
      { client: this.#doc },
      { TableName: this.#table, IndexName: this.#index, KeyConditionExpression: 'dueShard = :partition', ExpressionAttributeValues: { ':partition': partition } },
    );
    for await (const page of pages) entries.push(...((page.Items ?? []) as IndexEntry[]));
    return entries;
  }


  /**
   * Once per store: the mark covers this store's own count, so every shard it writes is polled
   * by any deployment. The mark never goes down by gitsync's hand: after SHARD_COUNT is
   * lowered the old shards stay polled and each row moves to its new shard at its next write-back.
   */
  async #ensureMark(): Promise<void> {
    if (this.#highWaterRaised) return;
    const stored = await this.#readMark();
    const { mark } = readShardMark(stored);
    if (mark === undefined || mark < this.#shardCount) await this.#setMark(stored, this.#shardCount);
    this.#highWaterRaised = true;
  }


}

/**
 * The condition a write-back lands under: the row still exists with the version the claim
 * read, and is still about the same origin and branch (archived or not) — see `RowIdentity`.
 */
function fenceOf(write: SlotWrite): { condition: string; names: Record<string, string>; values: Record<string, unknown> } {
  const names: Record<string, string> = { '#archived': 'archived' };
  const values: Record<string, unknown> = { ':true': true };
  // A null value is not compared (see `RowIdentity`); undefined must still be absent.
  const equal = (attribute: string, value: unknown): string[] => {
    if (value === null) return [];
    names[`#${attribute}`] = attribute;
    if (value === undefined) return [`attribute_not_exists(#${attribute})`];
    values[`:${attribute}`] = value;
    return [`#${attribute} = :${attribute}`];
  };
  const { identity } = write;
  const conditions = [
    'attribute_exists(chatId)',
    ...equal('version', write.expectedVersion),
    ...equal('gitRemoteOrigin', identity.gitRemoteOrigin),
    ...equal('gitBranch', identity.gitBranch),
    identity.archived ? '#archived = :true' : '(attribute_not_exists(#archived) OR #archived <> :true)',
  ];
  return { condition: conditions.join(' AND '), names, values };
}
