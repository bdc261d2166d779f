import { versionAfterWrite, type DiffStatusRow } from '../domain/row.ts';
import { formatSlot, parseSlot, placeSchedule } from './due-slot.ts';
import { duePartition, dueShardFor } from './shard.ts';
import type { RowUpdate } from './store.ts';

/** Per-row lease attributes of gitsync's first design, cleared from a row it left behind. */
const ROW_LEASE_ATTRIBUTES = ['leaseId', 'leaseExpiresAt'] as const;

/**
 * What a write-back is about: the origin and branch the refresh read, and whether the row was
 * archived. A write is fenced on them as well as on the version: a row deleted and inserted
 * again under the same id (neither copy with a version) never gets the first one's answer.
 */
export interface RowIdentity {
  /** Undefined: the row had none (its write must find none); null: a value of another type, not compared. */
  gitRemoteOrigin: string | null | undefined;
  gitBranch: string | null | undefined;
  archived: boolean;
}

export function identityOf(row: DiffStatusRow): RowIdentity {
  // A value of the wrong type is user data a condition cannot compare safely; the version
  // still fences such a row.
  const text = (value: unknown) => (value === undefined ? undefined : typeof value === 'string' ? value : null);
  return { gitRemoteOrigin: text(row.gitRemoteOrigin), gitBranch: text(row.gitBranch), archived: row.archived === true };
}

/** Whether `row` is still the row `identity` was read from (the in-memory form of the fence). */
export function hasIdentity(row: DiffStatusRow, identity: RowIdentity): boolean {
  const same = (field: 'gitRemoteOrigin' | 'gitBranch') => identity[field] === null || row[field] === identity[field];
  return same('gitRemoteOrigin') && same('gitBranch') && (row.archived === true) === identity.archived;
}

export interface SlotWrite {
  set: Record<string, unknown>;
  remove: string[];
  /**
   * The version the row must still have, as stored (undefined: it must have none). An
   * outside writer's unusable one (a string) fences the write as well, and is replaced.
   */
  expectedVersion: unknown;
  /** Why the stored version is replaced rather than counted on (it is not a number). */
  versionProblem?: string;
  /** The origin, branch and archived flag the row must still have. */
  identity: RowIdentity;
}

/**
 * What a slot-design write-back writes, shared by the DynamoDB and in-memory stores: the
 * plan's attributes, the next version, the exact next refresh time, and the slot and its
 * partition only when they change (the only writes that touch the due index). Every check is
 * written, even one that found nothing new: the row's `staleAt` (the instant its slot next
 * falls due) and `checkedAt` must tell the truth.
 */
export function slotWrite(claimed: DiffStatusRow, update: RowUpdate, shardCount: number): SlotWrite {
  const expectedVersion: unknown = claimed.version;
  const counted = typeof expectedVersion === 'number' && Number.isFinite(expectedVersion);
  const set: Record<string, unknown> = { ...update.set, version: versionAfterWrite(claimed) };
  const remove: string[] = [...update.remove, ...ROW_LEASE_ATTRIBUTES.filter((a) => claimed[a] !== undefined)];
  if (update.schedule && !update.remove.includes('dueShard')) {
    const placed = placeSchedule(parseSlot(claimed.dueSlot), update.schedule);
    set['staleAt'] = placed.staleAt;
    const slot = formatSlot(placed.slot);
    if (slot !== claimed.dueSlot) set['dueSlot'] = slot;
    // A row written under another shard count, or whose slot moved bucket, changes partition.
    const partition = duePartition(dueShardFor(claimed.chatId, shardCount), placed.slot);
    if (claimed.dueShard !== partition) set['dueShard'] = partition;
  }
  const versionProblem = counted || expectedVersion === undefined ? undefined : `version ${JSON.stringify(expectedVersion)} is not a number`;
  return { set, remove, expectedVersion, identity: identityOf(claimed), ...(versionProblem ? { versionProblem } : {}) };
}
