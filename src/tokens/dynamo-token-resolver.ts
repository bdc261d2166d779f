import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../domain/clock.ts';
import { NoTokenError } from '../domain/errors.ts';
import type { GitProvider } from '../providers/provider.ts';
import { APP_ITEM_PREFIX } from './app-token-store.ts';
import type { ResolvedToken, TokenResolver } from './token-resolver.ts';

/**
 * Tokens table: one item per (`ownerId`, `providerHost`) with `accessToken`, optional
 * `expiresAt` (epoch ms) and `rateLimitedUntil` (epoch ms, written here so every container
 * sees a limit). One read per (owner, host) per batch, eventually consistent (half the read
 * units): a limit another container recorded in the last second may be missed once, and the
 * provider's own answer then records it again.
 */
export class DynamoTokenResolver implements TokenResolver {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;

  constructor(doc: DynamoDBDocumentClient, tableName: string, clock: Clock) {
    this.#doc = doc;
    this.#tableName = tableName;
    this.#clock = clock;
  }

  async resolve(ownerId: string, provider: GitProvider): Promise<ResolvedToken> {
    // The App's own items share the table; no row's owner may read them as a personal token.
    if (ownerId.startsWith(APP_ITEM_PREFIX)) throw new NoTokenError(`owner ids starting with ${APP_ITEM_PREFIX} are reserved for gitsync`);
    const out = await this.#doc.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { ownerId, providerHost: provider.host },
      }),
    );
    const item = out.Item;
    const value = item?.['accessToken'];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new NoTokenError(`no git token is linked for this owner on ${provider.host}`);
    }
    const expiresAt = item?.['expiresAt'];
    const now = this.#clock.now();
    if (typeof expiresAt === 'number' && expiresAt <= now) {
      throw new NoTokenError(`the git token linked for this owner on ${provider.host} has expired`);
    }
    const limited = item?.['rateLimitedUntil'];
    return {
      value,
      key: tokenKey(ownerId, provider.host),
      ...(typeof limited === 'number' && limited > now ? { rateLimitedUntil: limited } : {}),
      ...(typeof expiresAt === 'number' ? { expiresAt } : {}),
    };
  }

  /** Only moves the limit later, and never creates an item for a token that is gone. */
  async recordRateLimit(token: ResolvedToken, resetAt: number): Promise<void> {
    const { ownerId, providerHost } = parseTokenKey(token.key);
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { ownerId, providerHost },
          UpdateExpression: 'SET rateLimitedUntil = :r',
          ConditionExpression: 'attribute_exists(ownerId) AND (attribute_not_exists(rateLimitedUntil) OR rateLimitedUntil < :r)',
          ExpressionAttributeValues: { ':r': resetAt },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }
}

/** Non-secret identity of a token: owner and host, JSON so any owner id round-trips. */
export function tokenKey(ownerId: string, providerHost: string): string {
  return JSON.stringify([ownerId, providerHost]);
}

function parseTokenKey(key: string): { ownerId: string; providerHost: string } {
  const parsed: unknown = JSON.parse(key);
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string') {
    throw new TypeError('not a token key of DynamoTokenResolver');
  }
  return { ownerId: parsed[0], providerHost: parsed[1] };
}
