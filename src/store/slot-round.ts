import type { DiffStatusRow } from '../domain/row.ts';
import { dueInstant, readSlot } from './due-slot.ts';
import { heldByAnother } from './held-row.ts';
import { basePartition, duePartition, parsePartition, partitionsToRead } from './shard.ts';
import type { DueRow, Lease, Round } from './store.ts';

/** A due-index entry as a shard query returns it (keys plus the projected `dueSlot`). */
export interface IndexEntry {
  chatId: string;
  /** The partition the entry was read from (the index key is always projected). */
  dueShard?: unknown;
  dueSlot?: unknown;
}

/** Told of an index entry whose slot or place cannot be obeyed: the row is served now, and its write-back replaces them. */
export type SlotProblem = (chatId: string, problem: string) => void;

interface ShardState {
  /** Periodic slots up to here were served by earlier rounds. */
  polledUntil: number;
  /** When this round last read the shard, and what was due then. */
  queriedAt?: number;
  due: (DueRow & { periodic: boolean })[];
}

/**
 * What a slot-design round holds: per leased shard, how far it had been served and what this
 * round found due and took. Shared by the DynamoDB and the in-memory store, so both decide
 * "due" and "served" by the same rule.
 */
export class SlotRound implements Round {
  readonly lease: Lease;
  readonly shards: readonly number[];
  readonly #state = new Map<number, ShardState>();
  readonly #taken = new Set<string>();
  /** Taken periodic occurrences whose claim read or write-back failed: not served (see `notServed`). */
  readonly #unserved = new Map<string, { shard: number; dueAt: number }>();
  readonly #shardOf = new Map<string, number>();
  /** Rows found in a bucket their slot does not fall due in, with the entry read: due whatever their slot says while they still hold it. */
  readonly #misplaced = new Map<string, { dueShard: unknown; dueSlot: unknown }>();
  /** The instant of the latest shard read: claims check "still due" against it. */
  lastQueriedAt = -Infinity;

  readonly #onProblem: SlotProblem;

  constructor(lease: Lease, held: ReadonlyMap<number, number>, onProblem: SlotProblem = () => {}) {
    this.lease = lease;
    this.#onProblem = onProblem;
    this.shards = [...held.keys()].sort((a, b) => a - b);
    for (const [shard, polledUntil] of held) this.#state.set(shard, { polledUntil, due: [] });
  }

  /** The due-index partitions of `shard` to read at `now`: what can hold a row due since it was last served. */
  partitions(shard: number, now: number): string[] {
    const state = this.#state.get(shard);
    if (!state) throw new Error(`shard ${shard} is not held by this round`);
    return partitionsToRead(shard, state.polledUntil, now);
  }

  /** Records one shard's entries read at `now` (from `partitions(shard, now)`); returns its due rows not yet taken. */
  observe(shard: number, entries: readonly IndexEntry[], now: number): DueRow[] {
    const state = this.#state.get(shard);
    if (!state) throw new Error(`shard ${shard} is not held by this round`);
    state.queriedAt = now;
    this.lastQueriedAt = Math.max(this.lastQueriedAt, now);
    state.due = [];
    for (const entry of entries) {
      const { slot, problem } = readSlot(entry.dueSlot, now);
      // A slot in a bucket it does not fall due in is read only when it is not due: served now.
      const misplaced = parsePartition(entry.dueShard)?.bucket !== undefined && entry.dueShard !== duePartition(basePartition(shard), slot);
      if (problem) this.#onProblem(entry.chatId, problem);
      else if (misplaced) this.#onProblem(entry.chatId, `dueSlot ${JSON.stringify(entry.dueSlot)} does not fall due in partition ${String(entry.dueShard)}`);
      if (misplaced) this.#misplaced.set(entry.chatId, { dueShard: entry.dueShard, dueSlot: entry.dueSlot });
      const at = misplaced ? now : dueInstant(slot, state.polledUntil, now);
      this.#shardOf.set(entry.chatId, shard);
      if (at !== null && !this.#taken.has(entry.chatId)) {
        state.due.push({ chatId: entry.chatId, dueAt: at, periodic: slot !== null && slot.periodMs > 0 });
      }
    }
    return state.due.map(({ chatId, dueAt }) => ({ chatId, dueAt }));
  }

  /**
   * Whether `chatId` is due for this round, as of its latest read, given the slot its row holds
   * now (and its partition, `dueShard`) and when it was last checked: a periodic occurrence its
   * last check already covers is not served twice (a mark held back for another row's failed
   * write hands it on again). A row the read found misplaced is due while it still holds that
   * entry; one another writer has placed since (refresh-now, a delivery) follows its slot.
   */
  stillDue(chatId: string, dueSlot: unknown, checkedAt?: unknown, dueShard?: unknown): boolean {
    const now = this.lastQueriedAt;
    const shard = this.#shardOf.get(chatId);
    const state = shard === undefined ? undefined : this.#state.get(shard);
    if (state === undefined) return false;
    const misplaced = this.#misplaced.get(chatId);
    if (misplaced && misplaced.dueShard === dueShard && misplaced.dueSlot === dueSlot) return true;
    const { slot } = readSlot(dueSlot, now);
    const at = dueInstant(slot, state.polledUntil, now);
    return at !== null && !(slot !== null && slot.periodMs > 0 && typeof checkedAt === 'number' && checkedAt >= at);
  }

  /**
   * What the round's claim read of `chatId` (at `now`) gives its tick: the row, or null when it
   * is gone, no longer due (`stillDue`) or held by another live claim (`heldByAnother`: a
   * delivery is refreshing it). A held occurrence is not served (`notServed`): should the
   * holder die without writing, the rounds after its lease lapses find the row still due.
   */
  admit(chatId: string, row: DiffStatusRow | undefined, now: number): DiffStatusRow | null {
    if (!row || !this.stillDue(chatId, row.dueSlot, row.checkedAt, row.dueShard)) return null;
    if (!heldByAnother(row, this.lease.id, now)) return row;
    this.notServed(chatId);
    return null;
  }

  /**
   * The due rows of `shard` this round's read found and has not taken yet, or undefined when
   * the round has not read it: a round reads each shard once, and its later batches (and the
   * backlog check) take from that read instead of reading the index again. A row falling due
   * meanwhile is read by the next round: the served mark stays at this read.
   */
  remaining(shard: number): DueRow[] | undefined {
    const state = this.#state.get(shard);
    if (state?.queriedAt === undefined) return undefined;
    return state.due.filter((d) => !this.#taken.has(d.chatId)).map(({ chatId, dueAt }) => ({ chatId, dueAt }));
  }

  take(chatId: string): void {
    this.#taken.add(chatId);
  }

  /**
   * A taken row was not refreshed and written (its claim read or its write-back failed, or
   * another claim held it): its periodic occurrence keeps the shard's mark below it, so the
   * next round that holds the shard finds it due again. This round does not take it again.
   */
  notServed(chatId: string): void {
    const shard = this.#shardOf.get(chatId);
    const found = shard === undefined ? undefined : this.#state.get(shard)?.due.find((d) => d.chatId === chatId);
    if (shard !== undefined && found?.periodic) this.#unserved.set(chatId, { shard, dueAt: found.dueAt });
  }

  /**
   * How far each shard is served once the round ends: up to its last read, except that a
   * periodic slot found due but not taken (no time left) or not served (`notServed`) keeps the
   * mark below it; never less than it was.
   */
  servedUntil(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [shard, s] of this.#state) {
      if (s.queriedAt === undefined) continue;
      const left = s.due.filter((d) => d.periodic && !this.#taken.has(d.chatId)).map((d) => d.dueAt);
      for (const u of this.#unserved.values()) if (u.shard === shard) left.push(u.dueAt);
      const served = left.length ? Math.min(s.queriedAt, Math.min(...left) - 1) : s.queriedAt;
      // Never back: a container whose clock runs behind the last holder's would otherwise hand
      // the occurrences that holder served to the next round again (clock skew, issue 19 case 12).
      out.set(shard, Math.max(s.polledUntil, served));
    }
    return out;
  }
}

/** Oldest first across shards, at most `limit`. */
export function oldestFirst(due: DueRow[], limit: number): DueRow[] {
  return due.sort((a, b) => a.dueAt - b.dueAt || (a.chatId < b.chatId ? -1 : 1)).slice(0, limit);
}

export function asSlotRound(round: Round): SlotRound {
  if (!(round instanceof SlotRound)) throw new Error('this round was not begun by a slot-design store');
  return round;
}
