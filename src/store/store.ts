import type { DiffStatusRow } from '../domain/row.ts';
import type { Schedule } from './due-slot.ts';

/** A due row as the due index returns it: when it fell due (the lateness is measured from it). */
export interface DueRow {
  chatId: string;
  dueAt: number;
}

/** One tick's claim window: nobody else polls what it holds until it expires. */
export interface Lease {
  id: string;
  /** When the lease was taken (epoch ms). */
  takenAt: number;
  /** When it lapses if its holder dies. */
  expiresAt: number;
}

/**
 * What a tick holds for one claim window: the due-index shards it polls (a shard lease each,
 * in the slot design) and, kept by the store, what it has taken from them so far.
 */
export interface Round {
  readonly lease: Lease;
  /** The shard numbers this round holds (empty: other workers hold them all). */
  readonly shards: readonly number[];
  /** A row this round took was not refreshed and written (claim read or write-back failed): it stays due. */
  notServed(chatId: string): void;
}

/** Attributes to set and remove in one write, and when the row is next due. */
export interface RowUpdate {
  set: Partial<DiffStatusRow>;
  remove: (keyof DiffStatusRow)[];
  /** Where the row goes in the due index; absent: it stays where it is (refresh-now's end). */
  schedule?: Schedule;
}

/** What a mark-stale call writes to each chat. */
export interface StaleMark {
  gitBranch: string;
  gitRemoteOrigin: string;
  now: number;
}

/**
 * The diff-status table as the refresh pipeline sees it. A round is one tick's claim window;
 * every write-back is fenced (`DynamoStore`: by the row's version; the bench's row-lease
 * design: by a per-row lease), so a slow or dead tick can never overwrite newer data.
 */
export interface Store {
  /** Takes the due-index shards for one tick (`only`: a subset, for a worker that owns some). */
  beginRound(lease: Lease, only?: readonly number[]): Promise<Round>;
  /** Due rows of the round's shards not yet taken in this round, oldest first, at most `limit`. */
  queryDue(round: Round, now: number, limit: number): Promise<DueRow[]>;
  /** The row to refresh, or null when it is gone, no longer due or held by someone else. */
  claim(round: Round, chatId: string): Promise<DiffStatusRow | null>;
  /** Ends the round: gives the shards back and records how far they were served. */
  endRound(round: Round, now: number): Promise<void>;
  /** The row for refresh-now, due or not; null when another live claim holds it. */
  claimNow(chatId: string, lease: Lease): Promise<DiffStatusRow | null>;
  /**
   * Applies `update` to the row as it was claimed; false when the row changed meanwhile (a
   * push, another writer) or the claim was lost: nothing is written then.
   */
  writeBack(claimed: DiffStatusRow, lease: Lease, update: RowUpdate): Promise<boolean>;
  getRow(chatId: string): Promise<DiffStatusRow | null>;
  /** Records a push: stores branch and origin, makes the row due now, fences off refreshes in flight. */
  markStale(chatId: string, mark: StaleMark): Promise<void>;
}

/** `store` with its write-back replaced (to observe, time or fail it); every other call passes through. */
export function withWriteBack(store: Store, writeBack: Store['writeBack']): Store {
  return {
    beginRound: (lease, only) => store.beginRound(lease, only),
    queryDue: (round, now, limit) => store.queryDue(round, now, limit),
    claim: (round, chatId) => store.claim(round, chatId),
    endRound: (round, now) => store.endRound(round, now),
    claimNow: (chatId, lease) => store.claimNow(chatId, lease),
    getRow: (chatId) => store.getRow(chatId),
    markStale: (chatId, mark) => store.markStale(chatId, mark),
    writeBack,
  };
}
