import type { Clock } from '../../../src/domain/clock.ts';
import type { DiffStatusRow } from '../../../src/domain/row.ts';
import type { DueRow, Lease, Round, RowUpdate, StaleMark, Store } from '../../../src/store/store.ts';

/** What a claim was for: a tick of the loop, a refresh-now call, a webhook delivery's in-function refresh. */
export type ClaimedBy = 'tick' | 'refreshNow' | 'delivery';

/** One write-back as the pipeline attempted it. */
export interface WriteRecord {
  chatId: string;
  leaseId: string;
  /**
   * When the claim that this write ends came back (the refresh started after it): the row's
   * read under a shard lease in the slot design, its own lease in the row-lease design.
   */
  claimedAt: number | undefined;
  /** When that claim was sent: its read saw every write answered before this instant. */
  claimSentAt: number | undefined;
  claimedBy: ClaimedBy | undefined;
  /** When the store answered this write: an applied write was on the row by then. */
  answeredAt: number;
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
  readonly #claims = new Map<string, { by: ClaimedBy; sentAt: number; at: number }>();
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
    return this.#recordClaim(chatId, round.lease, 'tick', () => this.#inner.claim(round, chatId));
  }

  endRound(round: Round, now: number): Promise<void> {
    return this.#inner.endRound(round, now);
  }

  claimNow(chatId: string, lease: Lease): Promise<DiffStatusRow | null> {
    return this.#recordClaim(chatId, lease, 'refreshNow', () => this.#inner.claimNow(chatId, lease));
  }

  async writeBack(claimed: DiffStatusRow, lease: Lease, update: RowUpdate): Promise<boolean> {
    const chatId = claimed.chatId;
    const leaseId = lease.id;
    const claim = this.#claims.get(key(chatId, leaseId));
    const record = (result: WriteRecord['result']) =>
      this.writes.push({
        chatId,
        leaseId,
        claimedAt: claim?.at,
        claimSentAt: claim?.sentAt,
        claimedBy: claim?.by,
        answeredAt: this.#clock.now(),
        update,
        base: claimed,
        result,
      });
    try {
      const written = await this.#inner.writeBack(claimed, lease, update);
      record(written ? 'applied' : 'rejected');
      return written;
    } catch (err) {
      record('threw');
      throw err;
    }
  }

  getRow(chatId: string): Promise<DiffStatusRow | null> {
    return this.#inner.getRow(chatId);
  }

  markStale(chatId: string, mark: StaleMark): Promise<void> {
    return this.#inner.markStale(chatId, mark);
  }

  /** A claim that came back now, sent at `sentAt`; one made past this store (a delivery's) has its write-back come through here. */
  noteClaim(chatId: string, lease: Lease, by: ClaimedBy, sentAt: number): void {
    this.claims += 1;
    this.#claims.set(key(chatId, lease.id), { by, sentAt, at: this.#clock.now() });
  }

  async #recordClaim(chatId: string, lease: Lease, by: ClaimedBy, claim: () => Promise<DiffStatusRow | null>): Promise<DiffStatusRow | null> {
    const sentAt = this.#clock.now();
    const row = await claim();
    if (row) this.noteClaim(chatId, lease, by, sentAt);
    return row;
  }
}

function key(chatId: string, leaseId: string): string {
  return `${chatId}\u0000${leaseId}`;
}
