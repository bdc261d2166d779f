import type { ConditionalCacheEntries } from '../domain/row.ts';
import type { ConditionalCache } from './provider.ts';

/** A `ConditionalCache` over a plain record (a row's `httpCache`), which it updates in place. */
export function recordCache(entries: ConditionalCacheEntries = {}): ConditionalCache & { entries: ConditionalCacheEntries } {
  return {
    entries,
    get: (key) => (Object.hasOwn(entries, key) ? entries[key] : undefined),
    set: (key, entry) => {
      entries[key] = entry;
    },
  };
}
