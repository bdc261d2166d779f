import type { DiffStatusRow } from '../domain/row.ts';

/** A due row as the keys-only index returns it. */
export interface DueRow {
  chatId: string;
  staleAt: number;
}

/** A claim on a row by one tick: nobody else refreshes it until it expires. */
export interface Lease {
  id: string;
  /** When the lease was taken (epoch ms): the row must be due at this instant. */
  takenAt: number;
  /** When the claim lapses if its holder dies: the row's new `staleAt`. */
  expiresAt: number;
}

/** Attributes to set and remove in one write. */
export interface RowUpdate {
  set: Partial<DiffStatusRow>;
  remove: (keyof DiffStatusRow)[];
}

/** What a mark-stale call writes to each chat. */
export interface StaleMark {
  gitBranch: string;
  gitRemoteOrigin: string;
  now: number;
}

/**
 * The diff-status table as the refresh pipeline sees it. Every write that follows a claim is
 * conditional on the lease, so a slow or dead tick can never overwrite newer data.
 */
export interface Store {
  /** Due rows (`staleAt <= now`) across all shards, oldest first, at most `limit`. */
  queryDue(now: number, limit: number): Promise<DueRow[]>;
  /** Claims a due, unleased row; null when another worker has it or it is no longer due. */
  claim(chatId: string, lease: Lease): Promise<DiffStatusRow | null>;
  /** Claims a row whether due or not (refresh-now), unless another live lease holds it. */
  claimNow(chatId: string, lease: Lease): Promise<DiffStatusRow | null>;
  /** Applies `update` and ends the lease; false when the lease was lost (nothing written). */
  writeBack(chatId: string, leaseId: string, update: RowUpdate): Promise<boolean>;
  getRow(chatId: string): Promise<DiffStatusRow | null>;
  /** Records a push: stores branch and origin, makes the row due now, ends any lease. */
  markStale(chatId: string, mark: StaleMark): Promise<void>;
}
