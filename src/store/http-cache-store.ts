import type { ConditionalCacheEntries } from '../domain/row.ts';

/**
 * Where each row's conditional-request validators live (the HTTP cache table, gitsync's own):
 * apart from the row, so a refresh that changes nothing (all 304s) writes the row alone, and
 * the row's write stays within one write unit. Entries are self-validating (see
 * `src/refresh/http-caches.ts`), so an item older or newer than its row costs at most an
 * unconditional request, never a wrong row.
 */
export interface HttpCacheStore {
  /**
   * The stored entries of each chat that has an item, as stored (unvalidated: the refresher
   * drops what it cannot use). A chat without an item, or whose read did not get through, is
   * absent. Throws when the read failed as a whole.
   */
  read(chatIds: readonly string[]): Promise<Map<string, unknown>>;
  /** Replaces a chat's entries. */
  write(chatId: string, entries: ConditionalCacheEntries): Promise<void>;
}

/** Days a cache item outlives its last write (DynamoDB's TTL deletes caches of deleted rows). */
export const HTTP_CACHE_RETENTION_DAYS = 30;

/** A cache item's TTL attribute (epoch seconds), `HTTP_CACHE_RETENTION_DAYS` after `now`. */
export function httpCacheExpiry(now: number): number {
  return Math.ceil((now + HTTP_CACHE_RETENTION_DAYS * 86_400_000) / 1000);
}
