/**
 * gitsync as a library, for the services that write the diff-status table: the row types, the
 * table contract, and the two operations (`markStale` on a push, `refreshNow` for a request
 * that cannot wait for the loop), each wired by the composition root (src/system/compose.ts).
 */
import { createHttpAgent } from './providers/http/agent.ts';
import { parseProviderConfigs } from './providers/config.ts';
import type { Clock } from './domain/clock.ts';
import type { DiffStatusRow } from './domain/row.ts';
import type { Log } from './domain/log.ts';
import { accessOf } from './aws/access.ts';
import { changePublisherFor } from './events/eventbridge-publisher.ts';
import type { MarkStaleInput } from './ops/mark-stale.ts';
import { createDocumentClient, type DocumentClientOptions } from './store/document-client.ts';
import { composeSystem } from './system/compose.ts';
import { settingsWith } from './system/settings.ts';

export type { DiffStatusRow, PullRequestState, PullRequestStatus } from './domain/row.ts';
export type { ChecksSummary, CheckState, Mergeability } from './domain/checks.ts';
export { PULL_REQUEST_FIELDS, isPollable } from './domain/row.ts';
export { dueShardFor, allDueShards } from './store/shard.ts';
export { DEFAULT_SETTINGS } from './system/settings.ts';
export type { MarkStaleInput } from './ops/mark-stale.ts';
export { RowNotFoundError } from './ops/refresh-now.ts';
export { RefreshError, type RefreshErrorKind } from './domain/errors.ts';
export { CHANGE_EVENT_SOURCE, CHANGE_DETAIL_TYPE } from './events/eventbridge-publisher.ts';
export type { RowChange } from './refresh/change-publisher.ts';
export { MARK_STALE_DETAIL_TYPE } from './handler/mark-stale-event.ts';

/** Where the tables are and how gitsync is configured there; the same meaning as the functions' variables. */
export interface GitsyncOptions {
  /** `TABLE_NAME`. */
  tableName: string;
  /** `TOKENS_TABLE_NAME`; needed by `refreshNow` only. */
  tokensTableName?: string;
  /** `HTTP_CACHE_TABLE_NAME` (the stack's `HttpCacheTableName` output); needed by `refreshNow` only. */
  httpCacheTableName?: string;
  /** `STALE_INDEX_NAME`; default `byDueShard`. */
  indexName?: string;
  /** `SHARD_COUNT`: must match the deployment's; default 1. */
  shardCount?: number;
  /** `GIT_PROVIDERS` as its JSON array; default the public services (github.com, gitlab.com, bitbucket.org, dev.azure.com). */
  gitProviders?: readonly { type: string; webUrl: string; apiUrl?: string; maxPages?: number }[];
  /** `CHANGE_EVENT_BUS`: publish change events there (in the `dynamodb` client's region, with its credentials); default none. */
  changeEventBus?: string;
  /** The DynamoDB client's endpoint, region, credentials and timeouts; on AWS the SDK finds region and credentials itself. */
  dynamodb?: DocumentClientOptions;
  clock?: Clock;
  log?: Log;
}

/** gitsync's library operations on one set of tables; `close()` frees its DynamoDB client and HTTP connections. */
export interface Gitsync {
  /** A push: stores branch and origin on each chat and makes it due now (ends any lease). */
  markStale(input: MarkStaleInput): Promise<{ marked: number }>;
  /**
   * Refreshes one chat now and returns its row; null when the branch has no PR yet. Errors are
   * thrown (a `RefreshError` with its `kind`, `RowNotFoundError`) instead of backing the row off.
   */
  refreshNow(chatId: string, timeoutMs?: number): Promise<DiffStatusRow | null>;
  close(): Promise<void>;
}

export function createGitsync(options: GitsyncOptions): Gitsync {
  const gitProviders = options.gitProviders ? parseProviderConfigs(JSON.stringify(options.gitProviders)) : undefined;
  const doc = createDocumentClient(options.dynamodb);
  const agent = createHttpAgent();
  const publisher = changePublisherFor(options.changeEventBus, accessOf(doc, agent));
  const system = composeSystem({
    settings: settingsWith({
      tableName: options.tableName,
      tokensTableName: options.tokensTableName,
      httpCacheTableName: options.httpCacheTableName,
      indexName: options.indexName,
      shardCount: options.shardCount,
      gitProviders,
    }),
    doc,
    dispatcher: agent,
    ...(publisher ? { publisher } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    markStale: (input) => system.markStale(input),
    refreshNow: (chatId, timeoutMs) => system.refreshNow(chatId, timeoutMs),
    async close() {
      doc.destroy();
      await agent.close();
    },
  };
}

/** `createGitsync(options).markStale(input)`, closed after: for a caller that marks now and then. */
export async function markStale(options: GitsyncOptions, input: MarkStaleInput): Promise<{ marked: number }> {
  return once(options, (gitsync) => gitsync.markStale(input));
}

/** `createGitsync(options).refreshNow(chatId)`, closed after. */
export async function refreshNow(options: GitsyncOptions, chatId: string, timeoutMs?: number): Promise<DiffStatusRow | null> {
  return once(options, (gitsync) => gitsync.refreshNow(chatId, timeoutMs));
}

async function once<T>(options: GitsyncOptions, run: (gitsync: Gitsync) => Promise<T>): Promise<T> {
  const gitsync = createGitsync(options);
  try {
    return await run(gitsync);
  } finally {
    await gitsync.close();
  }
}
