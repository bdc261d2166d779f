import type { Clock } from '../../../src/domain/clock.ts';
import type { DiffStatusRow } from '../../../src/domain/row.ts';
import type { DueRow, Lease, Round, RowUpdate, StaleMark, Store } from '../../../src/store/store.ts';

/** One write-back as the pipeline attempted it. */
export interface WriteRecord {
  chatId: string;
  leaseId: string;
  /**
   * When the claim that this write ends came back (the refresh started after it): the row's
   * read under a shard lease in the slot design, its own lease in the row-lease design.
   */
  claimedAt: number | undefined;
  update: RowUpdate;
  /** The row the write was planned from: a write that lands finds exactly this row (it is fenced on it). */
  base: DiffStatusRow;
  /** applied: the store said so; rejected: the lease was gone; threw: unknown, it may have landed. */
  result: 'applied' | 'rejected' | 'threw';
}

/**
 * A store decorator that keeps the history the invariants need: when each claim came back
 * and what each write-back tried to write. Thread-safe enough for concurrent ticks: every
 * record is appended once its call settled.
 */
export class RecordingStore implements Store {
  readonly #inner: Store;
  readonly #clock: Clock;
  readonly #claimedAt = new Map<string, number>();
  readonly writes: WriteRecord[] = [];
  claims = 0;

  constructor(inner: Store, clock: Clock) {
    this.#inner = inner;
    this.#clock = clock;
  }

  beginRound(lease: Lease, only?: readonly number[]): Promise<Round> {
    return this.#inner.beginRound(lease, only);
  }

  queryDue(round: Round, now: number, limit: number): Promise<DueRow[]> {
    return this.#inner.queryDue(round, now, limit);
  }

  claim(round: Round, chatId: string): Promise<DiffStatusRow | null> {
    return this.#recordClaim(chatId, round.lease, this.#inner.claim(round, chatId));
  }

  endRound(round: Round, now: number): Promise<void> {
    return this.#inner.endRound(round, now);
  }

  claimNow(chatId: string, lease: Lease): Promise<DiffStatusRow | null> {
    return this.#recordClaim(chatId, lease, this.#inner.claimNow(chatId, lease));
  }

  async writeBack(claimed: DiffStatusRow, lease: Lease, update: RowUpdate): Promise<boolean> {
    const chatId = claimed.chatId;
    const leaseId = lease.id;
    const claimedAt = this.#claimedAt.get(key(chatId, leaseId));
    try {
      const written = await this.#inner.writeBack(claimed, lease, update);
      this.writes.push({ chatId, leaseId, claimedAt, update, base: claimed, result: written ? 'applied' : 'rejected' });
      return written;
    } catch (err) {
      this.writes.push({ chatId, leaseId, claimedAt, update, base: claimed, result: 'threw' });
      throw err;
    }
  }

  getRow(chatId: string): Promise<DiffStatusRow | null> {
    return this.#inner.getRow(chatId);
  }

  markStale(chatId: string, mark: StaleMark): Promise<void> {
    return this.#inner.markStale(chatId, mark);
  }

  /** A claim made past this store (a webhook delivery's): its write-back comes through here. */
  noteClaim(chatId: string, lease: Lease): void {
    this.claims += 1;
    this.#claimedAt.set(key(chatId, lease.id), this.#clock.now());
  }

  async #recordClaim(chatId: string, lease: Lease, claim: Promise<DiffStatusRow | null>): Promise<DiffStatusRow | null> {
    const row = await claim;
    if (row) this.noteClaim(chatId, lease);
    return row;
  }
}

function key(chatId: string, leaseId: string): string {
  return `${chatId}\u0000${leaseId}`;
}
