import type { Clock } from '../../src/domain/clock.ts';
import { systemClock } from '../../src/domain/clock.ts';
import type { ConditionalCacheEntries } from '../../src/domain/row.ts';
import { readBatches } from '../../src/store/dynamo-http-cache-store.ts';
import { httpCacheExpiry, type HttpCacheStore } from '../../src/store/http-cache-store.ts';
import { itemSize } from '../../src/store/item-size.ts';
import { writeUnits, type CapacityCharge } from './memory-store.ts';

const KB = 1024;

/**
 * The HTTP cache table in memory, beside `MemoryStore`, charging each call what DynamoDB bills
 * (`DynamoHttpCacheStore`'s calls): a BatchGetItem per 100 keys, eventually consistent, each
 * item found rounded up to 4 KB on its own (a projection does not lower it), each key without an
 * item at the minimum read (DynamoDB bills reading an item that does not exist); a PutItem on the
 * larger of the item it replaces and the new one, rounded up to 1 KB. The items are what the
 * DynamoDB store writes (`chatId`, `entries`, `expiresAt`), so their sizes are too.
 * test/bench/meter-agreement.test.ts holds the charges to DynamoDB Local's.
 */
export class MemoryHttpCache implements HttpCacheStore {
  readonly items = new Map<string, { chatId: string; entries: ConditionalCacheEntries; expiresAt: number }>();
  readonly #clock: Clock;
  readonly #charge: ((c: CapacityCharge) => void) | undefined;

  constructor(options: { clock?: Clock; onCharge?: (c: CapacityCharge) => void } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#charge = options.onCharge;
  }

  async read(chatIds: readonly string[]): Promise<Map<string, unknown>> {
    const found = new Map<string, unknown>();
    for (const batch of readBatches(chatIds)) {
      let units = 0;
      for (const chatId of batch) {
        const item = this.items.get(chatId);
        // A key without an item is still a read: the minimum.
        units += item ? Math.ceil(itemSize(item) / (4 * KB)) : 1;
        if (item) found.set(chatId, structuredClone(item.entries));
      }
      this.#charge?.({ operation: 'cacheRead', read: 0.5 * units, write: 0, indexWrite: 0 });
    }
    return found;
  }

  async write(chatId: string, entries: ConditionalCacheEntries): Promise<void> {
    const before = this.items.get(chatId);
    const item = { chatId, entries: structuredClone(entries), expiresAt: httpCacheExpiry(this.#clock.now()) };
    this.items.set(chatId, item);
    this.#charge?.({ operation: 'cacheWrite', read: 0, write: writeUnits(before ?? {}, item), indexWrite: 0 });
  }

  /** Mean bytes of an item (DynamoDB's rules), 0 when there is none. */
  meanItemBytes(): number {
    if (this.items.size === 0) return 0;
    let bytes = 0;
    for (const item of this.items.values()) bytes += itemSize(item);
    return bytes / this.items.size;
  }
}
