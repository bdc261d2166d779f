import { describeError } from '../domain/errors.ts';
import type { Log } from '../domain/log.ts';
import type { ConditionalCacheEntries, DiffStatusRow } from '../domain/row.ts';
import { sameValue } from '../domain/same-value.ts';
import type { HttpCacheStore } from '../store/http-cache-store.ts';
import type { RememberedCaches } from './remembered-caches.ts';
import { boundCache } from './size-bounds.ts';
import type { TickSummary } from './tick-summary.ts';

/*
 * Why a cache item may be older or newer than its row without ever making the row wrong: every
 * entry validates itself. An entry holds the ETag the host sent with the compact answer it was
 * sent with, so a 304 for that ETag means exactly that answer; the row-backed pull entry holds
 * a digest of the row's own PR fields (`rowDigest`, src/providers/http/api-client.ts) instead
 * of the answer, and is used only while the row's fields still match it. An entry from another
 * time than the row (a cache write that failed or landed late, a read a moment stale, an item
 * of a row written since) is either still the host's answer for its ETag or is not used: the
 * request is made in full. Losing the item (a failed read, TTL, a deleted table) costs the same.
 */

/**
 * What the cache table holds for each row of the batch: the container's memory where it knows
 * (`RememberedCaches`), one read for the rest. An id with the value undefined has no item; an
 * id that is absent is not known (its read failed). A failed read is counted
 * (`httpCacheReadFailures`) and logged: those rows refresh with unconditional requests, never
 * fail for it.
 */
export async function readHttpCaches(
  store: HttpCacheStore,
  rows: readonly Pick<DiffStatusRow, 'chatId' | 'version'>[],
  summary: TickSummary,
  log: Log,
  remembered?: RememberedCaches,
): Promise<Map<string, unknown>> {
  const known = new Map<string, unknown>();
  const unread = rows.filter((row) => {
    const recalled = remembered?.recall(row.chatId, row.version);
    if (recalled) known.set(row.chatId, recalled.entries);
    return !recalled;
  });
  if (unread.length === 0) return known;
  let read: Map<string, unknown>;
  try {
    read = await store.read(unread.map((row) => row.chatId));
  } catch (err) {
    summary.httpCacheReadFailures += 1;
    log.warn('HTTP cache read failed; these rows refresh without conditional requests', { rows: unread.length, error: describeError(err) });
    return known;
  }
  for (const row of unread) {
    const entries = read.get(row.chatId);
    known.set(row.chatId, entries);
    remembered?.remember(row.chatId, row.version, entries);
  }
  return known;
}

/**
 * The entries a refresh starts from: the cache table's item, or while a row has none, the
 * row's legacy `httpCache` attribute (rows written before the cache table; the row's next
 * write-back removes it and the entries go to the table).
 */
export function startingEntries(read: ReadonlyMap<string, unknown>, row: DiffStatusRow): unknown {
  return read.get(row.chatId) ?? row.httpCache;
}

/**
 * What to write to the cache table after a refresh, bounded (`boundCache`): undefined when it
 * is what the table already holds (an all-304 refresh writes no cache). What was read counts
 * as empty when there was no item: a refresh that kept no entries writes nothing either.
 */
export function entriesToWrite(read: unknown, entries: ConditionalCacheEntries): ConditionalCacheEntries | undefined {
  const bounded = boundCache(entries);
  return sameValue(read ?? {}, bounded) ? undefined : bounded;
}

/**
 * Writes a chat's changed entries: true when written. A failed write is counted
 * (`httpCacheWriteFailures`) and logged, never thrown.
 */
export async function writeHttpCache(
  store: HttpCacheStore,
  chatId: string,
  entries: ConditionalCacheEntries,
  summary: TickSummary,
  log: Log,
): Promise<boolean> {
  try {
    await store.write(chatId, entries);
    return true;
  } catch (err) {
    summary.httpCacheWriteFailures += 1;
    log.warn('HTTP cache write failed; the next refresh of the row makes its requests in full', { chatId, error: describeError(err) });
    return false;
  }
}
