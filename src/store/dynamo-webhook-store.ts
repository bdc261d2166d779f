import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DiffStatusRow } from '../domain/row.ts';
import { silentLog, type Log } from '../domain/log.ts';
import { hostDeliveryKey } from './dynamo-last-deliveries.ts';
import { onceSlot } from './due-slot.ts';
import { checkedShardCount, dueShardFor } from './shard.ts';
import { StatusTable } from './status-table.ts';
import type { Lease } from './store.ts';
import { buildUpdateExpression, type UpdateSpec } from './update-expression.ts';

/** A row the `byRepoBranch` index names for a key (the index projects origin and branch). */
export interface MatchCandidate {
  chatId: string;
  gitRemoteOrigin?: unknown;
  gitBranch?: unknown;
}

export type PageKey = Record<string, unknown>;

export interface CandidatePage {
  rows: MatchCandidate[];
  /** Where the next page starts; absent on the last page. */
  next?: PageKey;
}

/**
 * What claiming a matched row for an in-function refresh gave: the row (claimed under the
 * lease, `webhookAt` stamped), `busy` (another lease holds it), `not_pollable` (archived or
 * outside the due index), or `skip`: the row is gone, no longer on that repository and branch,
 * or a delivery received later already stamped it.
 */
export type WebhookClaim = { kind: 'claimed'; row: DiffStatusRow } | { kind: 'busy' | 'not_pollable' | 'skip' };

/** The diff-status table as the webhook receiver sees it. */
export interface WebhookRowStore {
  /** One page (at most `limit` entries) of rows whose `repoBranchKey` is `key`. */
  candidates(key: string, after: PageKey | undefined, limit: number): Promise<CandidatePage>;
  /**
   * The row's origin and learned `repoMove` (the index does not project the move): read for a
   * candidate whose origin names another path than the delivery, to check it moved there.
   */
  movedFrom(chatId: string): Promise<{ gitRemoteOrigin?: unknown; repoMove?: unknown } | undefined>;
  claimForWebhook(chatId: string, key: string, receivedAt: number, lease: Lease): Promise<WebhookClaim>;
  /**
   * Stamps `webhookAt`; a pollable row also becomes due now and loses any lease (as a push
   * does: an in-flight refresh may predate the change). False when skipped (see `WebhookClaim`).
   */
  markDueForWebhook(chatId: string, key: string, receivedAt: number, now: number): Promise<boolean>;
  /**
   * Makes a row this delivery claimed due at once and ends its claim: its refresh could not be
   * written (refused or failed), so the loop's next tick takes it. False when the row no longer
   * names `key`, left the due index, or a delivery received later stamped it (that one refreshes it).
   */
  makeDueAgain(chatId: string, key: string, receivedAt: number, now: number): Promise<boolean>;
}

/** Delivery ids seen (deduplication) and when each host last delivered. */
export interface DeliveryLog {
  /** Records a delivery id; false when it was recorded before (a redelivery or a replay). */
  firstSeen(deliveryKey: string, now: number): Promise<boolean>;
  /** Forgets a delivery whose processing failed, so its redelivery is processed. */
  forget(deliveryKey: string): Promise<void>;
  /** Notes that `host` delivered a verified webhook at `now` (written at most once a minute). */
  recordHostDelivery(host: string, now: number): Promise<void>;
}

export const REPO_BRANCH_INDEX = 'byRepoBranch';
/** Delivery ids are kept 7 days: GitHub lets a delivery be redelivered for 3. */
export const DELIVERY_RETENTION_MS = 7 * 24 * 3_600_000;
/** `recordHostDelivery` writes at most this often per host. */
const HOST_RECORD_INTERVAL_MS = 60_000;

const NEWER = '#rbk = :rbk AND (attribute_not_exists(#wh) OR #wh < :at)';
/** The row still names the key and carries this delivery's stamp or an older one. */
const NOT_LATER = '#rbk = :rbk AND (attribute_not_exists(#wh) OR #wh <= :at)';
const NEWER_NAMES = { '#rbk': 'repoBranchKey', '#wh': 'webhookAt' };

export class DynamoWebhookStore implements WebhookRowStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #index: string;
  readonly #shardCount: number;
  readonly #rows: StatusTable;
  readonly #log: Log;

  /** `shardCount`: the due index's SHARD_COUNT (a row made due goes to its shard's base partition). */
  constructor(options: { doc: DynamoDBDocumentClient; tableName: string; shardCount: number; indexName?: string; log?: Log }) {
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#rows = new StatusTable(options.doc, options.tableName);
    this.#log = options.log ?? silentLog;
    this.#shardCount = checkedShardCount(options.shardCount);
    this.#index = options.indexName ?? REPO_BRANCH_INDEX;
  }

  async candidates(key: string, after: PageKey | undefined, limit: number): Promise<CandidatePage> {
    const out = await this.#doc.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: this.#index,
        KeyConditionExpression: '#rbk = :rbk',
        ExpressionAttributeNames: { '#rbk': 'repoBranchKey' },
        ExpressionAttributeValues: { ':rbk': key },
        Limit: limit,
        ...(after ? { ExclusiveStartKey: after } : {}),
      }),
    );
    const rows = (out.Items ?? []) as MatchCandidate[];
    return out.LastEvaluatedKey ? { rows, next: out.LastEvaluatedKey } : { rows };
  }

  async movedFrom(chatId: string): Promise<{ gitRemoteOrigin?: unknown; repoMove?: unknown } | undefined> {
    const out = await this.#doc.send(
      new GetCommand({
        TableName: this.#table,
        Key: { chatId },
        ProjectionExpression: '#origin, #move',
        ExpressionAttributeNames: { '#origin': 'gitRemoteOrigin', '#move': 'repoMove' },
      }),
    );
    return out.Item;
  }

  async claimForWebhook(chatId: string, key: string, receivedAt: number, lease: Lease): Promise<WebhookClaim> {
    const attempt = await this.#update(
      chatId,
      {
        set: { webhookAt: receivedAt, leaseId: lease.id, leaseExpiresAt: lease.expiresAt, staleAt: lease.expiresAt },
        // A new version, as a push: a tick's refresh in flight read the row before the change
        // this delivery announces, so its write-back must be refused; this claim's own write is
        // fenced on the version returned here.
        add: { version: 1 },
        conditionNames: { ...NEWER_NAMES, '#due': 'dueShard', '#lx': 'leaseExpiresAt' },
        conditionValues: { ':rbk': key, ':at': receivedAt, ':now': lease.takenAt },
      },
      `${NEWER} AND attribute_exists(#due) AND (attribute_not_exists(#lx) OR #lx <= :now)`,
    );
    if ('row' in attempt) return { kind: 'claimed', row: attempt.row };
    const old = attempt.old;
    if (!isNewerMatch(old, key, receivedAt)) return { kind: 'skip' };
    return { kind: old?.dueShard ? 'busy' : 'not_pollable' };
  }

  async markDueForWebhook(chatId: string, key: string, receivedAt: number, now: number): Promise<boolean> {
    const due = await this.#makeDue(chatId, key, receivedAt, now, NEWER);
    if ('row' in due) return true;
    if (!isNewerMatch(due.old, key, receivedAt)) return false;
    // Archived or outside the due index: only the stamp.
    const stamped = await this.#update(
      chatId,
      { set: { webhookAt: receivedAt }, conditionNames: NEWER_NAMES, conditionValues: { ':rbk': key, ':at': receivedAt } },
      NEWER,
    );
    return 'row' in stamped;
  }

  async makeDueAgain(chatId: string, key: string, receivedAt: number, now: number): Promise<boolean> {
    return 'row' in (await this.#makeDue(chatId, key, receivedAt, now, NOT_LATER));
  }

  #makeDue(chatId: string, key: string, receivedAt: number, now: number, stamp: string) {
    return this.#update(
      chatId,
      {
        // Due at once (a one-off `dueSlot` in its shard's base partition, and `staleAt` now), and
        // a new version: a refresh in flight may predate the change.
        set: { webhookAt: receivedAt, staleAt: now, dueSlot: onceSlot(now), dueShard: dueShardFor(chatId, this.#shardCount) },
        add: { version: 1 },
        remove: ['leaseId', 'leaseExpiresAt'],
        conditionNames: { ...NEWER_NAMES, '#due': 'dueShard' },
        conditionValues: { ':rbk': key, ':at': receivedAt },
      },
      `${stamp} AND attribute_exists(#due)`,
    );
  }

  /** A conditional update; a version an outside writer stored as no number is replaced first (see `withCountableVersion`). */
  #update(chatId: string, spec: UpdateSpec, condition: string): Promise<{ row: DiffStatusRow } | { old: Record<string, AttributeValue> | undefined }> {
    return this.#rows.withCountableVersion(
      chatId,
      () => this.#updateOnce(chatId, spec, condition),
      (problem) => this.#log.warn('webhook: the row\'s version is unusable; replaced by a number', { chatId, problem }),
    );
  }

  async #updateOnce(
    chatId: string,
    spec: UpdateSpec,
    condition: string,
  ): Promise<{ row: DiffStatusRow } | { old: Record<string, AttributeValue> | undefined }> {
    try {
      const out = await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { chatId },
          ...buildUpdateExpression(spec),
          ConditionExpression: condition,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { row: out.Attributes as DiffStatusRow };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return { old: err.Item };
      throw err;
    }
  }
}

/** The row as it was still names `key` and has no stamp of `receivedAt` or later. */
function isNewerMatch(old: Record<string, AttributeValue> | undefined, key: string, receivedAt: number): boolean {
  if (old?.repoBranchKey?.S !== key) return false;
  const stamped = old.webhookAt?.N;
  return stamped === undefined || Number(stamped) < receivedAt;
}

/**
 * The deliveries table: one short-lived item per delivery id (deleted by DynamoDB's TTL on
 * `expiresAt`, epoch seconds) and one item per host with its last delivery time.
 */
export class DynamoDeliveryLog implements DeliveryLog {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  /** When this container last knew each host's record to be fresh: no write (billed even when its condition fails) until it is due. */
  readonly #hostRecordedAt = new Map<string, number>();

  constructor(options: { doc: DynamoDBDocumentClient; tableName: string }) {
    this.#doc = options.doc;
    this.#table = options.tableName;
  }

  async firstSeen(deliveryKey: string, now: number): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { deliveryKey, receivedAt: now, expiresAt: Math.ceil((now + DELIVERY_RETENTION_MS) / 1000) },
          ConditionExpression: 'attribute_not_exists(deliveryKey)',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async forget(deliveryKey: string): Promise<void> {
    await this.#doc.send(new DeleteCommand({ TableName: this.#table, Key: { deliveryKey } }));
  }

  async recordHostDelivery(host: string, now: number): Promise<void> {
    if (now - (this.#hostRecordedAt.get(host) ?? -Infinity) < HOST_RECORD_INTERVAL_MS) return;
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { deliveryKey: hostDeliveryKey(host) },
          UpdateExpression: 'SET lastDeliveryAt = :now',
          ConditionExpression: 'attribute_not_exists(lastDeliveryAt) OR lastDeliveryAt < :recent',
          ExpressionAttributeValues: { ':now': now, ':recent': now - HOST_RECORD_INTERVAL_MS },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // Another container recorded it within the interval: fresh as of then at least.
    }
    this.#hostRecordedAt.set(host, now);
  }
}
