import type { DiffStatusRow } from './row.ts';

/**
 * Attributes gitsync writes (or shares with other writers) that an outside writer may store
 * with the wrong type, and how each is replaced: a time given as a date string is read as
 * that instant, anything else unusable is dropped (as if unknown). Owned attributes (owner,
 * origin, branch) are not guessed at: a wrong one is `invalid_row` (see `rowProblem`).
 */
const REPLACEABLE = { updatedAt: 'time', changedAt: 'time', errorCount: 'count', url: 'text' } as const;

export interface RowRepair {
  /** The row as the refresh reads it: every unusable value replaced. */
  row: DiffStatusRow;
  /** What the write-back must store so the table holds the same (empty: nothing to repair). */
  set: Partial<DiffStatusRow>;
  remove: (keyof DiffStatusRow)[];
  /** Why, one line per replaced attribute (for the log). */
  problems: string[];
}

/** The row with the unusable values of `REPLACEABLE` attributes replaced. Pure. */
export function repairRow(row: DiffStatusRow): RowRepair {
  const out: RowRepair = { row, set: {}, remove: [], problems: [] };
  for (const [name, kind] of Object.entries(REPLACEABLE) as [keyof typeof REPLACEABLE, (typeof REPLACEABLE)[keyof typeof REPLACEABLE]][]) {
    const value: unknown = row[name];
    if (value === undefined || usable(kind, value)) continue;
    const instant = kind === 'time' && typeof value === 'string' ? Date.parse(value) : NaN;
    if (Number.isFinite(instant)) out.set[name] = instant as never;
    else out.remove.push(name);
    out.problems.push(`${name} ${JSON.stringify(value)} is not a ${kind === 'text' ? 'string' : 'number'}; ${Number.isFinite(instant) ? `read as ${instant}` : 'dropped'}`);
  }
  if (out.problems.length === 0) return out;
  const repaired: Record<string, unknown> = { ...row, ...out.set };
  for (const name of out.remove) delete repaired[name];
  out.row = repaired as unknown as DiffStatusRow;
  return out;
}

function usable(kind: 'time' | 'count' | 'text', value: unknown): boolean {
  return kind === 'text' ? typeof value === 'string' : typeof value === 'number' && Number.isFinite(value);
}
