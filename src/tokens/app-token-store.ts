import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MintedToken } from '../providers/github/app/app-client.ts';

/**
 * What every container knows about a GitHub App, kept in the tokens table beside the personal
 * tokens under owner ids no platform user has (`gitsync#app#…`; see the table contract):
 * - which installation covers an account (`null`: not installed there, remembered a while);
 * - each installation's current token, with a short mint lease so that one container mints
 *   while the others wait for it: one mint per installation per hour for the whole deployment.
 */
export interface AppTokenStore {
  installation(host: string, account: string): Promise<InstallationRecord | undefined>;
  rememberInstallation(host: string, account: string, record: InstallationRecord): Promise<void>;
  /** Notes that `ownerId` has rows on the account left without any token (kept until the App is installed there). */
  noteWaiting(host: string, account: string, ownerId: string): Promise<void>;
  /** Drops `owners` from the account's waiting owners (their rows were made due). */
  doneWaiting(host: string, account: string, owners: readonly string[]): Promise<void>;
  token(host: string, installationId: number): Promise<StoredAppToken | undefined>;
  /** True when this caller may mint: no token fresh until `freshUntil` and no live lease of another. */
  claimMint(host: string, installationId: number, now: number, leaseUntil: number, freshUntil: number): Promise<boolean>;
  saveToken(host: string, installationId: number, minted: MintedToken): Promise<void>;
  /** Ends this caller's mint lease (`leaseUntil`, as claimed) without a token. */
  releaseMint(host: string, installationId: number, leaseUntil: number): Promise<void>;
  /** Forgets `token` (refused with a 401) unless another container already replaced it. */
  dropToken(host: string, installationId: number, token: string): Promise<void>;
  /** Only moves a limit later. */
  recordRateLimit(host: string, installationId: number, resetAt: number): Promise<void>;
  /** Until when the App's failed deliveries on `host` were looked at (epoch ms), if ever. */
  redeliveryMark(host: string): Promise<number | undefined>;
  setRedeliveryMark(host: string, at: number): Promise<void>;
}

export interface InstallationRecord {
  /** Null: the App is not installed on the account. */
  installationId: number | null;
  /** Epoch ms the record was learned. */
  checkedAt: number;
  /**
   * Owners with rows on the account that found neither the App nor a personal token: their rows
   * wait on the `byAwaitingToken` index under the owner's id, and an installation event makes them due.
   */
  waitingOwners?: readonly string[];
}

export interface StoredAppToken {
  token?: string;
  expiresAt?: number;
  rateLimitedUntil?: number;
}

/** Owner ids of the App's bookkeeping items: a prefix that no personal token may use. */
export const APP_ITEM_PREFIX = 'gitsync#app#';

export class DynamoAppTokenStore implements AppTokenStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.#doc = doc;
    this.#table = tableName;
  }

  async installation(host: string, account: string): Promise<InstallationRecord | undefined> {
    const out = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: installationKey(host, account) }));
    const id: unknown = out.Item?.['installationId'];
    const checkedAt: unknown = out.Item?.['checkedAt'];
    const waiting = waitingOwnersOf(out.Item?.['waitingOwners']);
    if (typeof checkedAt !== 'number' || !(id === null || (typeof id === 'number' && Number.isSafeInteger(id) && id > 0))) {
      // An unusable record still tells whose rows wait on the account.
      return waiting.length > 0 ? { installationId: null, checkedAt: Number.NEGATIVE_INFINITY, waitingOwners: waiting } : undefined;
    }
    return { installationId: id, checkedAt, ...(waiting.length > 0 ? { waitingOwners: waiting } : {}) };
  }

  rememberInstallation(host: string, account: string, record: InstallationRecord): Promise<void> {
    return this.#updateInstallation(host, account, 'SET installationId = :i, checkedAt = :c', { ':i': record.installationId, ':c': record.checkedAt });
  }

  noteWaiting(host: string, account: string, ownerId: string): Promise<void> {
    return this.#updateInstallation(host, account, 'ADD waitingOwners :o', { ':o': new Set([ownerId]) });
  }

  async doneWaiting(host: string, account: string, owners: readonly string[]): Promise<void> {
    if (owners.length > 0) await this.#updateInstallation(host, account, 'DELETE waitingOwners :o', { ':o': new Set(owners) });
  }

  async #updateInstallation(host: string, account: string, expression: string, values: Record<string, unknown>): Promise<void> {
    await this.#doc.send(new UpdateCommand({ TableName: this.#table, Key: installationKey(host, account), UpdateExpression: expression, ExpressionAttributeValues: values }));
  }

  async token(host: string, installationId: number): Promise<StoredAppToken | undefined> {
    // Strongly consistent: a container that lost the mint lease waits for the winner's write.
    const out = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: tokenKey(host, installationId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { accessToken, expiresAt, rateLimitedUntil } = out.Item;
    return {
      ...(typeof accessToken === 'string' && accessToken !== '' ? { token: accessToken } : {}),
      ...(typeof expiresAt === 'number' ? { expiresAt } : {}),
      ...(typeof rateLimitedUntil === 'number' ? { rateLimitedUntil } : {}),
    };
  }

  async claimMint(host: string, installationId: number, now: number, leaseUntil: number, freshUntil: number): Promise<boolean> {
    return this.#conditional(
      new UpdateCommand({
        TableName: this.#table,
        Key: tokenKey(host, installationId),
        UpdateExpression: 'SET mintLeaseUntil = :lease',
        ConditionExpression:
          '(attribute_not_exists(mintLeaseUntil) OR mintLeaseUntil < :now) AND (attribute_not_exists(expiresAt) OR expiresAt < :fresh OR attribute_not_exists(accessToken))',
        ExpressionAttributeValues: { ':lease': leaseUntil, ':now': now, ':fresh': freshUntil },
      }),
    );
  }

  async saveToken(host: string, installationId: number, minted: MintedToken): Promise<void> {
    await this.#doc.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: tokenKey(host, installationId),
        UpdateExpression: 'SET accessToken = :t, expiresAt = :e REMOVE mintLeaseUntil, rateLimitedUntil',
        ExpressionAttributeValues: { ':t': minted.token, ':e': minted.expiresAt },
      }),
    );
  }

  async releaseMint(host: string, installationId: number, leaseUntil: number): Promise<void> {
    await this.#removeWhile(host, installationId, ['mintLeaseUntil'], 'mintLeaseUntil', leaseUntil);
  }

  async dropToken(host: string, installationId: number, token: string): Promise<void> {
    await this.#removeWhile(host, installationId, ['accessToken', 'expiresAt'], 'accessToken', token);
  }

  /** Removes `attributes` of the installation's token item while `attribute` still holds `value`. */
  #removeWhile(host: string, installationId: number, attributes: readonly string[], attribute: string, value: unknown): Promise<boolean> {
    return this.#conditional(
      new UpdateCommand({
        TableName: this.#table,
        Key: tokenKey(host, installationId),
        UpdateExpression: `REMOVE ${attributes.join(', ')}`,
        ConditionExpression: `${attribute} = :v`,
        ExpressionAttributeValues: { ':v': value },
      }),
    );
  }

  async recordRateLimit(host: string, installationId: number, resetAt: number): Promise<void> {
    await this.#conditional(
      new UpdateCommand({
        TableName: this.#table,
        Key: tokenKey(host, installationId),
        UpdateExpression: 'SET rateLimitedUntil = :r',
        ConditionExpression: 'attribute_exists(ownerId) AND (attribute_not_exists(rateLimitedUntil) OR rateLimitedUntil < :r)',
        ExpressionAttributeValues: { ':r': resetAt },
      }),
    );
  }

  async redeliveryMark(host: string): Promise<number | undefined> {
    const out = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: redeliveryKey(host) }));
    const at: unknown = out.Item?.['checkedUntil'];
    return typeof at === 'number' && Number.isFinite(at) ? at : undefined;
  }

  async setRedeliveryMark(host: string, at: number): Promise<void> {
    await this.#doc.send(
      new UpdateCommand({ TableName: this.#table, Key: redeliveryKey(host), UpdateExpression: 'SET checkedUntil = :a', ExpressionAttributeValues: { ':a': at } }),
    );
  }

  /** True when the write went through; false when its condition failed. */
  async #conditional(command: UpdateCommand): Promise<boolean> {
    try {
      await this.#doc.send(command);
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}

/** A stored string set (the document client reads it as a `Set`); anything else is no owner. */
function waitingOwnersOf(value: unknown): string[] {
  return value instanceof Set ? [...value].filter((o): o is string => typeof o === 'string' && o !== '') : [];
}

function installationKey(host: string, account: string): { ownerId: string; providerHost: string } {
  return { ownerId: `${APP_ITEM_PREFIX}installation#${account.toLowerCase()}`, providerHost: host };
}

function tokenKey(host: string, installationId: number): { ownerId: string; providerHost: string } {
  return { ownerId: `${APP_ITEM_PREFIX}token#${installationId}`, providerHost: host };
}

function redeliveryKey(host: string): { ownerId: string; providerHost: string } {
  return { ownerId: `${APP_ITEM_PREFIX}redelivery`, providerHost: host };
}
