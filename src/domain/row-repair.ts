import { isHeadSha, isMergeability, readChecks } from './checks.ts';
import { sameValue } from './same-value.ts';
import type { DiffStatusRow } from './row.ts';

/** What a repair makes of one stored value: the value to use (may be the same), or undefined to drop it. */
type Reader = (value: unknown) => unknown;

const time: Reader = (value) => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const instant = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(instant) ? instant : undefined;
};
const count: Reader = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const text: Reader = (value) => (typeof value === 'string' ? value : undefined);

/**
 * Attributes gitsync writes (or shares with other writers) that an outside writer may store
 * with the wrong type or shape, and how each is read: a time given as a date string is read
 * as that instant, checks with an over-long list of names are cut, anything else unusable is
 * dropped (as if unknown; a refresh writes it again). Owned attributes (owner, origin, branch)
 * are not guessed at: a wrong one is `invalid_row` (see `rowProblem`).
 */
const REPLACEABLE: Partial<Record<keyof DiffStatusRow, { reader: Reader; expected: string }>> = {
  updatedAt: { reader: time, expected: 'a number' },
  changedAt: { reader: time, expected: 'a number' },
  mergeableUnknownSince: { reader: time, expected: 'a number' },
  errorCount: { reader: count, expected: 'a number' },
  url: { reader: text, expected: 'a string' },
  checks: { reader: readChecks, expected: 'a checks summary' },
  mergeable: { reader: (v) => (isMergeability(v) ? v : undefined), expected: 'a mergeability' },
  headSha: { reader: (v) => (isHeadSha(v) ? v : undefined), expected: 'a commit id' },
};

export interface RowRepair {
  /** The row as the refresh reads it: every unusable value replaced. */
  row: DiffStatusRow;
  /** What the write-back must store so the table holds the same (empty: nothing to repair). */
  set: Partial<DiffStatusRow>;
  remove: (keyof DiffStatusRow)[];
  /** Why, one line per replaced attribute (for the log). */
  problems: string[];
}

/** The row with the unusable values of `REPLACEABLE` attributes replaced. Pure; never throws. */
export function repairRow(row: DiffStatusRow): RowRepair {
  const out: RowRepair = { row, set: {}, remove: [], problems: [] };
  for (const [name, { reader, expected }] of Object.entries(REPLACEABLE) as [keyof DiffStatusRow, { reader: Reader; expected: string }][]) {
    const value: unknown = row[name];
    if (value === undefined) continue;
    const read = reader(value);
    if (sameValue(read, value)) continue;
    if (read === undefined) out.remove.push(name);
    else out.set[name] = read as never;
    out.problems.push(`${name} ${shown(value)} is not ${expected}; ${read === undefined ? 'dropped' : `read as ${shown(read)}`}`);
  }
  if (out.problems.length === 0) return out;
  const repaired: Record<string, unknown> = { ...row, ...out.set };
  for (const name of out.remove) delete repaired[name];
  out.row = repaired as unknown as DiffStatusRow;
  return out;
}

/** A value for the log, cut: another writer's value may be large. */
function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 200 ? `${json.slice(0, 199)}…` : json;
}
