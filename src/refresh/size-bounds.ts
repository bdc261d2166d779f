import type { ConditionalCacheEntries, PullRequestStatus } from '../domain/row.ts';

/**
 * Size bounds of what a refresh stores, so a host's answer can never push a row past
 * DynamoDB's 400 KB item limit (a write that fails would repeat the same calls forever).
 * gitsync's part of a row stays below ~16 x 4 KiB of PR fields; a row's HTTP cache item
 * (its own table) below 48 KiB of entries.
 */
export const SIZE_BOUNDS = {
  /** Characters kept of each PR text field (title, login, urls, branch names); longer ones end with "…". */
  stringChars: 1_024,
  /** Bytes of one cache entry (ETag + compact answer); a larger one is not kept: its request is made in full next time. */
  cacheEntryBytes: 16 * 1024,
  /** Bytes of a row's whole HTTP cache item; the largest entries are dropped until it fits. */
  cacheBytes: 48 * 1024,
} as const;

/** The status with every text field cut to `stringChars`. */
export function boundStatus(status: PullRequestStatus): PullRequestStatus {
  const out: Record<string, unknown> = { ...status };
  for (const [field, value] of Object.entries(status)) {
    if (typeof value === 'string') out[field] = boundText(value);
  }
  return out as unknown as PullRequestStatus;
}

/** `text` cut to `stringChars`, ending with "…" when cut. */
export function boundText(text: string): string {
  return text.length > SIZE_BOUNDS.stringChars ? `${text.slice(0, SIZE_BOUNDS.stringChars - 1)}…` : text;
}

/** The cache without entries over `cacheEntryBytes`, then without its largest entries until it fits `cacheBytes`. */
export function boundCache(entries: ConditionalCacheEntries): ConditionalCacheEntries {
  const sized = Object.entries(entries)
    .map(([key, entry]) => ({ key, entry, bytes: Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(entry) ?? '') }))
    .filter((e) => e.bytes <= SIZE_BOUNDS.cacheEntryBytes)
    .sort((a, b) => a.bytes - b.bytes);
  const out: ConditionalCacheEntries = {};
  let total = 0;
  for (const { key, entry, bytes } of sized) {
    if (total + bytes > SIZE_BOUNDS.cacheBytes) break;
    out[key] = entry;
    total += bytes;
  }
  return out;
}

/**
 * DynamoDB's refusal of a write whose item would pass the 400 KB limit: a ValidationException
 * whose message names the item size (the only way the service tells it apart from other
 * validation errors). Retrying the same write can never succeed.
 */
export function isItemTooLarge(err: unknown): boolean {
  return err instanceof Error && err.name === 'ValidationException' && /item size/i.test(err.message);
}
