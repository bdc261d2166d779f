import type { DiffStatusRow } from '../domain/row.ts';
import { formatSlot, parseSlot, placeSchedule } from './due-slot.ts';
import { dueShardFor } from './shard.ts';
import type { RowUpdate } from './store.ts';

/** Attributes of the row-lease design that a slot-design write clears from a migrated row. */
const ROW_LEASE_ATTRIBUTES = ['leaseId', 'leaseExpiresAt'] as const;

export interface SlotWrite {
  set: Record<string, unknown>;
  remove: string[];
  /** The version the row must still have (undefined: it must have none). */
  expectedVersion: number | undefined;
}

/**
 * What a slot-design write-back writes, shared by the DynamoDB and in-memory stores: the
 * plan's attributes, the next version, the exact next refresh time, and the slot and shard
 * only when they change (the only writes that touch the due index).
 */
export function slotWrite(claimed: DiffStatusRow, update: RowUpdate, shardCount: number): SlotWrite {
  const expectedVersion = typeof claimed.version === 'number' ? claimed.version : undefined;
  const set: Record<string, unknown> = { ...update.set, version: (expectedVersion ?? 0) + 1 };
  const remove: string[] = [...update.remove, ...ROW_LEASE_ATTRIBUTES.filter((a) => claimed[a] !== undefined)];
  if (update.schedule && !update.remove.includes('dueShard')) {
    const placed = placeSchedule(parseSlot(claimed.dueSlot), update.schedule);
    set['staleAt'] = placed.staleAt;
    const slot = formatSlot(placed.slot);
    if (slot !== claimed.dueSlot) set['dueSlot'] = slot;
    // A row written under another shard count moves to its shard under this one.
    const shard = dueShardFor(claimed.chatId, shardCount);
    if (claimed.dueShard !== shard) set['dueShard'] = shard;
  }
  return { set, remove, expectedVersion };
}
