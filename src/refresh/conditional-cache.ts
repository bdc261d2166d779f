import type { CachedResponse, ConditionalCacheEntries } from '../domain/row.ts';
import type { ConditionalCache } from '../providers/provider.ts';

/**
 * A row's conditional-request validators for one refresh. Only entries read or written in
 * this refresh are kept, so the attribute cannot grow with requests that no longer happen.
 */
export class RowConditionalCache implements ConditionalCache {
  readonly #previous: ConditionalCacheEntries;
  readonly #next: ConditionalCacheEntries = {};

  constructor(previous: ConditionalCacheEntries | undefined) {
    this.#previous = previous ?? {};
  }

  get(key: string): CachedResponse | undefined {
    const entry = this.#next[key] ?? (Object.hasOwn(this.#previous, key) ? this.#previous[key] : undefined);
    if (entry) this.#next[key] = entry;
    return entry;
  }

  set(key: string, entry: CachedResponse): void {
    this.#next[key] = entry;
  }

  entries(): ConditionalCacheEntries {
    return { ...this.#next };
  }
}
