/** Cache items one container keeps in memory: a GitHub PR's four entries take about 1.2 KiB of heap, 24 MB at the default. @default 20,000 */
export const DEFAULT_REMEMBERED_CACHES = 20_000;

/**
 * A container's memory of the HTTP cache items it read or wrote, each tied to the row version
 * it goes with. The loop of one deployment mostly runs in one warm container, which wrote a
 * row's item (or saw it had none) at the row's previous check, so reading the item again
 * costs read units for what this container already knows. A remembered item is used only
 * while the row is still at the version this container left it at: any other writer (a
 * delivery, a push, refresh-now elsewhere) bumps the version, and the item is then read from
 * the table. Entries validate themselves anyway (`http-caches.ts`): a wrong memory could only
 * cost unconditional requests, never a wrong row.
 */
export class RememberedCaches {
  readonly #limit: number;
  /** By chat id, oldest use first; `entries` undefined: the table has no item. */
  readonly #items = new Map<string, { version: number; entries: unknown }>();

  constructor(limit = DEFAULT_REMEMBERED_CACHES) {
    this.#limit = limit;
  }

  /** What the table holds for the row at `version`, when this container knows it. */
  recall(chatId: string, version: unknown): { entries: unknown } | undefined {
    const held = this.#items.get(chatId);
    if (!held || held.version !== version) return undefined;
    this.#items.delete(chatId);
    this.#items.set(chatId, held);
    return { entries: held.entries };
  }

  /** The table holds `entries` (undefined: no item) for the row at `version`. */
  remember(chatId: string, version: unknown, entries: unknown): void {
    this.#items.delete(chatId);
    if (typeof version !== 'number') return;
    this.#items.set(chatId, { version, entries });
    if (this.#items.size > this.#limit) this.#items.delete(this.#items.keys().next().value!);
  }

  forget(chatId: string): void {
    this.#items.delete(chatId);
  }

  get size(): number {
    return this.#items.size;
  }
}
