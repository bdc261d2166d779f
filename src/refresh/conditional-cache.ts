import type { CachedResponse, ConditionalCacheEntries } from '../domain/row.ts';
import type { ConditionalCache } from '../providers/provider.ts';

/** Longest ETag kept; real ones are a quoted hash of well under 100 characters. */
export const MAX_ETAG_LENGTH = 256;
/** Printable ASCII only: anything else (CR/LF above all) is refused by node:http as a header value. */
const ETAG = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * A row's conditional-request validators for one refresh. Only entries read or written in
 * this refresh are kept, so the cache cannot grow with requests that no longer happen. What
 * is stored (a cache table item, or a row's legacy `httpCache` attribute in a shared table)
 * may have been damaged: a value or entry that cannot be used (wrong type, an ETag no HTTP
 * header can carry) is dropped, so the request is made without it and its answer replaces it.
 */
export class RowConditionalCache implements ConditionalCache {
  readonly #previous: ConditionalCacheEntries;
  readonly #next: ConditionalCacheEntries = {};

  constructor(previous: unknown) {
    this.#previous = usableEntries(previous);
  }

  get(key: string): CachedResponse | undefined {
    const entry = this.#next[key] ?? (Object.hasOwn(this.#previous, key) ? this.#previous[key] : undefined);
    if (entry) this.#next[key] = entry;
    return entry;
  }

  set(key: string, entry: CachedResponse): void {
    if (isUsableEtag(entry.etag)) this.#next[key] = entry;
    else delete this.#next[key];
  }

  entries(): ConditionalCacheEntries {
    return { ...this.#next };
  }
}

export function isUsableEtag(etag: unknown): etag is string {
  return typeof etag === 'string' && etag.length <= MAX_ETAG_LENGTH && ETAG.test(etag);
}

function usableEntries(stored: unknown): ConditionalCacheEntries {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return {};
  const out: ConditionalCacheEntries = {};
  for (const [key, entry] of Object.entries(stored)) {
    if (typeof entry !== 'object' || entry === null || !isUsableEtag((entry as { etag?: unknown }).etag)) continue;
    out[key] = { etag: (entry as CachedResponse).etag, value: (entry as CachedResponse).value };
  }
  return out;
}
