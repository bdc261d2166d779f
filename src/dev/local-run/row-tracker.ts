import { nearestRank } from '../nearest-rank.ts';
import { rowState, type CensusRow } from './row-census.ts';

interface Seen {
  /** The row's `staleAt` the last time it was seen unclaimed: when it was (or will be) due. */
  dueAt: number | undefined;
  /** Seen due or claimed since its last completed refresh. */
  pending: boolean;
  refreshedAt: number | undefined;
  lastErrorAt: number | undefined;
}

/**
 * Follows each row from census to census to tell what the loop did to it: which rows were
 * refreshed at least once (a PR status stored, or "no PR yet" checked), and how late each
 * write-back that carries a timestamp (`refreshedAt`, `lastErrorAt`) came after the row was due
 * (or after the loop started, for rows already due then).
 * A census after every tick sees each step: a row is claimed for at least one tick, and after a
 * write-back it is not due again before the next census.
 */
export class RowTracker {
  readonly #seen = new Map<string, Seen>();
  readonly #refreshed = new Set<string>();
  readonly #lateness: number[] = [];
  readonly #since: number;

  /** `since`: the loop's start; refreshes stored before it do not count. */
  constructor(since: number) {
    this.#since = since;
  }

  observe(rows: readonly CensusRow[], now: number): void {
    for (const row of rows) {
      const state = rowState(row, now).kind;
      const before = this.#seen.get(row.chatId);
      const refreshed = row.refreshedAt !== undefined && row.refreshedAt >= this.#since && row.refreshedAt !== before?.refreshedAt;
      const failed = row.lastErrorAt !== undefined && row.lastErrorAt >= this.#since && row.lastErrorAt !== before?.lastErrorAt;
      // "No PR yet" leaves no timestamp: the row was pending and is now waiting without an error.
      const checkedNoPr = before?.pending === true && state === 'waitingForPr';
      if (refreshed || checkedNoPr) this.#refreshed.add(row.chatId);
      const dueAt = before?.dueAt;
      if (dueAt !== undefined) {
        // Rows due before the run count from its start: their wait before it is not the loop's.
        const from = Math.max(dueAt, this.#since);
        if (refreshed) this.#lateness.push(Math.max(0, row.refreshedAt! - from));
        else if (failed) this.#lateness.push(Math.max(0, row.lastErrorAt! - from));
      }
      this.#seen.set(row.chatId, {
        dueAt: state === 'leased' ? dueAt : row.staleAt,
        pending: state === 'leased' || state === 'due' || (before?.pending === true && !refreshed && !failed && !checkedNoPr),
        refreshedAt: row.refreshedAt,
        lastErrorAt: row.lastErrorAt,
      });
    }
  }

  /** Rows refreshed at least once since the start. */
  refreshedRows(): ReadonlySet<string> {
    return this.#refreshed;
  }

  /** Lateness of each observed write-back, in ms. */
  latenessSamples(): readonly number[] {
    return this.#lateness;
  }
}

/** The q-quantile (0..1) of the samples by nearest rank, or null when there are none. */
export function quantile(samples: readonly number[], q: number): number | null {
  return nearestRank([...samples].sort((a, b) => a - b), q) ?? null;
}
