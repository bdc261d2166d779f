import type { Clock } from '../../src/domain/clock.ts';
import { systemClock } from '../../src/domain/clock.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { shardsToPoll } from '../../src/store/bookkeeping.ts';
import { formatSlot, onceSlot } from '../../src/store/due-slot.ts';
import { heldByAnother } from '../../src/store/held-row.ts';
import { itemSize } from '../../src/store/item-size.ts';
import { createTableInput } from '../../src/dev/template.ts';
import { sameValue } from '../../src/domain/same-value.ts';
import { BUCKET_MS, checkedShardCount, dueShardFor, SWEEP_SEGMENTS } from '../../src/store/shard.ts';
import { asSlotRound, oldestFirst, SlotRound } from '../../src/store/slot-round.ts';
import { hasIdentity, slotWrite } from '../../src/store/slot-write.ts';
import type { DueCensus } from '../../src/store/due-census.ts';
import type { TokenWaits } from '../../src/store/token-waits.ts';
import type { DueRow, Lease, Round, RowUpdate, StaleMark, Store } from '../../src/store/store.ts';

/** Request units one operation would cost on DynamoDB on-demand (see `capacity` below). */
export interface CapacityCharge {
  operation: 'lease' | 'release' | 'query' | 'census' | 'sweep' | 'read' | 'write' | 'failedWrite' | 'markStale' | 'tokenWaits' | 'cacheRead' | 'cacheWrite';
  read: number;
  write: number;
  /** Of `write`, the secondary indexes' share. */
  indexWrite: number;
  /** A due-index query's bytes read (what its read units are rounded up from). */
  bytes?: number;
}

export interface MemoryTable {
  rows: Map<string, DiffStatusRow>;
  /** The due index: per `dueShard` value, its rows' `dueSlot` (kept by every write, so a query reads one shard, not the table). */
  dueIndex: Map<string, Map<string, unknown>>;
  shards: Map<number, ShardLeaseItem>;
  highWater: number;
}

interface ShardLeaseItem {
  leaseId?: string;
  leaseExpiresAt?: number;
  polledUntil?: number;
}

const KB = 1024;

/**
 * The slot design in memory, for simulations too long for DynamoDB Local (a week of virtual
 * time). It passes the same store contract tests as `DynamoStore` and charges each operation
 * what DynamoDB bills for it: writes on the larger item image rounded up to 1 KB; each of the
 * table's secondary indexes (template.yaml's) only when its key or a projected attribute
 * changes (key move 2 writes, entering, leaving or a projected change 1, each by its entry's
 * size); reads by size rounded up to 4 KB, eventually consistent at half price, an empty
 * answer the minimum. test/bench/meter-agreement.test.ts holds it to what DynamoDB Local
 * reports for the same calls.
 */
export class MemoryStore implements Store, DueCensus, TokenWaits {
  /** The table: rows, the shard lease items and the shard high-water mark (shareable by two stores). */
  readonly table: MemoryTable;
  readonly #shardCount: number;
  readonly #clock: Clock;
  readonly #charge: ((c: CapacityCharge) => void) | undefined;
  /** The loop slot this store last swept (DynamoStore sweeps once per slot). */
  #sweptSlot: number | undefined;

  constructor(options: { shardCount: number; clock?: Clock; onCharge?: (c: CapacityCharge) => void; table?: MemoryTable }) {
    this.#shardCount = checkedShardCount(options.shardCount);
    this.#clock = options.clock ?? systemClock;
    this.#charge = options.onCharge;
    this.table = options.table ?? { rows: new Map(), dueIndex: new Map(), shards: new Map(), highWater: 0 };
    this.table.highWater = Math.max(this.table.highWater, options.shardCount);
  }

  get rows(): Map<string, DiffStatusRow> {
    return this.table.rows;
  }

  /** Inserts a row as another service would (no capacity charged). */
  put(row: DiffStatusRow): void {
    this.#index(this.rows.get(row.chatId), row);
    this.rows.set(row.chatId, structuredClone(row));
  }

  async beginRound(lease: Lease, only?: readonly number[]): Promise<Round> {
    const held = new Map<number, number>();
    // Reading the shard high-water mark (DynamoStore's GetItem, eventually consistent), and the slot's sweep segment.
    if (!only) {
      this.#charge?.({ operation: 'lease', read: 0.5, write: 0, indexWrite: 0 });
      this.#sweep();
    }
    for (const shard of only ?? shardsToPoll(this.#shardCount, this.table.highWater)) {
      const item = this.table.shards.get(shard) ?? {};
      this.#charge?.({ operation: 'lease', read: 0, write: 1, indexWrite: 0 });
      if (item.leaseExpiresAt !== undefined && item.leaseExpiresAt > lease.takenAt && item.leaseId !== lease.id) continue;
      this.table.shards.set(shard, { ...item, leaseId: lease.id, leaseExpiresAt: lease.expiresAt });
      held.set(shard, item.polledUntil ?? -Infinity);
    }
    return new SlotRound(lease, held);
  }

  async queryDue(round: Round, now: number, limit: number): Promise<DueRow[]> {
    const slots = asSlotRound(round);
    const due: DueRow[] = [];
    for (const shard of slots.shards) due.push(...(slots.remaining(shard) ?? slots.observe(shard, this.#entries(slots.partitions(shard, now)), now)));
    return oldestFirst(due, limit);
  }

  async shardsInUse(): Promise<number[]> {
    // DynamoStore reads the shard high-water mark (an eventually consistent GetItem) and the slot's sweep segment.
    this.#charge?.({ operation: 'census', read: 0.5, write: 0, indexWrite: 0 });
    this.#sweep();
    return shardsToPoll(this.#shardCount, this.table.highWater);
  }

  async countDue(shard: number, now: number): Promise<number> {
    // DynamoStore reads the shard's lease item, then its partitions, as a round would.
    this.#charge?.({ operation: 'census', read: 0.5, write: 0, indexWrite: 0 });
    const look = new SlotRound({ id: 'census', takenAt: now, expiresAt: now }, new Map([[shard, this.table.shards.get(shard)?.polledUntil ?? -Infinity]]));
    return look.observe(shard, this.#entries(look.partitions(shard, now), 'census'), now).length;
  }

  /** The entries of due-index partitions, each partition's query charged by the bytes it reads. */
  #entries(partitions: readonly string[], operation: 'query' | 'census' = 'query'): { chatId: string; dueSlot: unknown }[] {
    const out: { chatId: string; dueSlot: unknown }[] = [];
    for (const partition of partitions) {
      const entries = [...(this.table.dueIndex.get(partition) ?? [])].map(([chatId, dueSlot]) => ({ chatId, dueSlot }));
      if (this.#charge) {
        const bytes = entries.reduce((sum, e) => sum + itemSize({ ...e, dueShard: partition }), 0);
        this.#charge({ operation, read: 0.5 * Math.max(1, Math.ceil(bytes / (4 * KB))), write: 0, indexWrite: 0, bytes });
      }
      out.push(...entries);
    }
    return out;
  }

  /**
   * DynamoStore scans one of `SWEEP_SEGMENTS` segments of the due index per slot (and store):
   * charged as the index's bytes over the segments, since which entries a segment holds is
   * DynamoDB's hash.
   */
  #sweep(): void {
    if (!this.#charge) return;
    const slot = Math.floor(this.#clock.now() / BUCKET_MS);
    if (this.#sweptSlot === slot) return;
    this.#sweptSlot = slot;
    let bytes = 0;
    for (const [partition, entries] of this.table.dueIndex) for (const [chatId, dueSlot] of entries) bytes += itemSize({ chatId, dueShard: partition, dueSlot });
    this.#charge({ operation: 'sweep', read: 0.5 * Math.max(1, Math.ceil(bytes / SWEEP_SEGMENTS / (4 * KB))), write: 0, indexWrite: 0 });
  }

  #index(before: DiffStatusRow | undefined, after: DiffStatusRow): void {
    if (before?.dueShard !== undefined) this.table.dueIndex.get(before.dueShard)?.delete(before.chatId);
    if (after.dueShard === undefined) return;
    let shard = this.table.dueIndex.get(after.dueShard);
    if (!shard) this.table.dueIndex.set(after.dueShard, (shard = new Map()));
    shard.set(after.chatId, after.dueSlot);
  }

  async claim(round: Round, chatId: string): Promise<DiffStatusRow | null> {
    const slots = asSlotRound(round);
    slots.take(chatId);
    const row = this.rows.get(chatId);
    this.#charge?.({ operation: 'read', read: 0.5 * Math.max(1, Math.ceil(itemSize(row ?? {}) / (4 * KB))), write: 0, indexWrite: 0 });
    const admitted = slots.admit(chatId, row, this.#clock.now());
    return admitted && structuredClone(admitted);
  }

  async endRound(round: Round): Promise<void> {
    const slots = asSlotRound(round);
    const served = slots.servedUntil();
    for (const shard of slots.shards) {
      const item = this.table.shards.get(shard);
      this.#charge?.({ operation: 'release', read: 0, write: 1, indexWrite: 0 });
      if (item?.leaseId !== round.lease.id) continue;
      const until = served.get(shard);
      this.table.shards.set(shard, until === undefined ? { polledUntil: item.polledUntil } : { polledUntil: until });
    }
  }

  async claimNow(chatId: string, lease: Lease): Promise<DiffStatusRow | null> {
    const row = await this.getRow(chatId);
    return row && !heldByAnother(row, lease.id, this.#clock.now()) ? row : null;
  }

  async writeBack(claimed: DiffStatusRow, lease: Lease, update: RowUpdate): Promise<boolean> {
    if (this.#clock.now() >= lease.expiresAt) return false;
    const before = this.rows.get(claimed.chatId);
    const write = slotWrite(claimed, update, this.#shardCount);
    if (!before || before.version !== write.expectedVersion || !hasIdentity(before, write.identity)) {
      this.#charge?.({ operation: 'failedWrite', read: 0, write: writeUnits(before ?? {}, before ?? {}), indexWrite: 0 });
      return false;
    }
    const after: Record<string, unknown> = { ...before, ...write.set };
    for (const name of write.remove) if (!Object.hasOwn(write.set, name)) delete after[name];
    this.#store(before, after as unknown as DiffStatusRow, 'write');
    return true;
  }

  async getRow(chatId: string): Promise<DiffStatusRow | null> {
    const row = this.rows.get(chatId);
    this.#charge?.({ operation: 'read', read: Math.max(1, Math.ceil(itemSize(row ?? {}) / (4 * KB))), write: 0, indexWrite: 0 });
    return row ? structuredClone(row) : null;
  }

  /** `byAwaitingToken` (keys only): the owner's waiting rows in one query, charged by the entries' bytes. */
  async waiting(ownerId: string, _after: Record<string, unknown> | undefined): Promise<{ chatIds: string[] }> {
    const chatIds = [...this.rows.values()].filter((r) => r.awaitingToken === ownerId).map((r) => r.chatId);
    const bytes = chatIds.reduce((sum, chatId) => sum + itemSize({ chatId, awaitingToken: ownerId }), 0);
    this.#charge?.({ operation: 'tokenWaits', read: 0.5 * Math.max(1, Math.ceil(bytes / (4 * KB))), write: 0, indexWrite: 0 });
    return { chatIds };
  }

  /** A waiting row's origin (DynamoTokenWaits' GetItem, eventually consistent, projected: charged by the whole item, as DynamoDB does). */
  async origin(chatId: string): Promise<string | undefined> {
    const row = this.rows.get(chatId);
    this.#charge?.({ operation: 'tokenWaits', read: 0.5 * Math.max(1, Math.ceil(itemSize(row ?? {}) / (4 * KB))), write: 0, indexWrite: 0 });
    return typeof row?.gitRemoteOrigin === 'string' ? row.gitRemoteOrigin : undefined;
  }

  /** As DynamoTokenWaits: due now in the base partition, a new version, the wait removed; only while the row still waits for that owner. */
  async makeDue(chatId: string, ownerId: string, now: number): Promise<boolean> {
    const before = this.rows.get(chatId);
    if (!before || before.awaitingToken !== ownerId || before.dueShard === undefined) {
      this.#charge?.({ operation: 'tokenWaits', read: 0, write: writeUnits(before ?? {}, before ?? {}), indexWrite: 0 });
      return false;
    }
    const after: DiffStatusRow = {
      ...before,
      staleAt: now,
      dueSlot: onceSlot(now),
      dueShard: dueShardFor(chatId, this.#shardCount),
      version: (typeof before.version === 'number' ? before.version : 0) + 1,
    };
    delete after.awaitingToken;
    this.#store(before, after, 'tokenWaits');
    return true;
  }

  async markStale(chatId: string, mark: StaleMark): Promise<void> {
    const before = this.rows.get(chatId);
    const due = mark.now - 1_000;
    const after: DiffStatusRow = {
      ...(before ?? { chatId }),
      gitBranch: mark.gitBranch,
      gitRemoteOrigin: mark.gitRemoteOrigin,
      updatedAt: mark.now,
      changedAt: mark.now,
      createdAt: before?.createdAt ?? mark.now,
      version: (typeof before?.version === 'number' ? before.version : 0) + 1,
    };
    delete after.errorCount;
    if (after.archived === true) {
      delete after.dueShard;
      delete after.dueSlot;
    } else {
      Object.assign(after, { staleAt: due, dueSlot: formatSlot({ periodMs: 0, anchor: due }), dueShard: dueShardFor(chatId, this.#shardCount) });
    }
    this.#store(before, after, 'markStale');
  }

  #store(before: DiffStatusRow | undefined, after: DiffStatusRow, operation: 'write' | 'markStale' | 'tokenWaits'): void {
    this.#index(before, after);
    this.rows.set(after.chatId, structuredClone(after));
    const index = indexUnits(before, after);
    this.#charge?.({ operation, read: 0, write: writeUnits(before ?? {}, after) + index, indexWrite: index });
  }
}

export function writeUnits(before: object, after: object): number {
  return Math.max(1, Math.ceil(Math.max(itemSize(before), itemSize(after)) / KB));
}

interface IndexShape {
  key: string;
  /** Attributes an entry holds besides the keys (all of them: `ALL`). */
  projected: readonly string[] | 'ALL';
}

/** The diff-status table's secondary indexes, as template.yaml defines them. */
const INDEXES: readonly IndexShape[] = (createTableInput('DiffStatusTable', 'diff-status').GlobalSecondaryIndexes ?? []).map((gsi) => ({
  key: gsi.KeySchema!.find((k) => k.KeyType === 'HASH')!.AttributeName!,
  projected: gsi.Projection?.ProjectionType === 'ALL' ? 'ALL' : (gsi.Projection?.NonKeyAttributes ?? []),
}));

/** An index entry: the table's key, the index's key and its projected attributes. */
function entryOf(row: DiffStatusRow, index: IndexShape): object {
  if (index.projected === 'ALL') return row;
  const entry: Record<string, unknown> = { chatId: row.chatId };
  for (const name of [index.key, ...index.projected]) {
    const value = (row as unknown as Record<string, unknown>)[name];
    if (value !== undefined) entry[name] = value;
  }
  return entry;
}

/**
 * The secondary indexes' share of a write, each by DynamoDB's rules: nothing when the item is
 * in neither image or its key and projected attributes are unchanged; entering, leaving or a
 * projected change 1 write of the entry; a key change 2 (the old entry deleted, the new put).
 */
function indexUnits(before: DiffStatusRow | undefined, after: DiffStatusRow): number {
  let units = 0;
  for (const index of INDEXES) {
    const was = before ? entryOf(before, index) : undefined;
    const is = entryOf(after, index);
    const keyOf = (entry: object | undefined) => (entry as Record<string, unknown> | undefined)?.[index.key];
    const inBefore = keyOf(was) !== undefined;
    const inAfter = keyOf(is) !== undefined;
    const size = (entry: object | undefined) => Math.max(1, Math.ceil(itemSize(entry ?? {}) / KB));
    if (!inBefore && !inAfter) continue;
    if (inBefore !== inAfter) units += size(inAfter ? is : was);
    else if (!sameValue(keyOf(was), keyOf(is))) units += size(was) + size(is);
    else if (!sameValue(was, is)) units += Math.max(size(was), size(is));
  }
  return units;
}
