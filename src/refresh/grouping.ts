import type { DiffStatusRow } from '../domain/row.ts';

export interface RowGroup {
  ownerId: string | undefined;
  origin: string;
  /** Positions of the group's rows in the input. */
  indices: number[];
}

/**
 * Groups rows by (owner, origin), keeping first-seen order, so the provider and the token
 * are resolved once per group.
 */
export function groupByOwnerAndOrigin(rows: readonly Pick<DiffStatusRow, 'ownerId' | 'gitRemoteOrigin'>[]): RowGroup[] {
  const groups = new Map<string, RowGroup>();
  rows.forEach((row, index) => {
    const origin = row.gitRemoteOrigin ?? '';
    const key = JSON.stringify([row.ownerId ?? null, origin]);
    let group = groups.get(key);
    if (!group) {
      group = { ownerId: row.ownerId, origin, indices: [] };
      groups.set(key, group);
    }
    group.indices.push(index);
  });
  return [...groups.values()];
}
