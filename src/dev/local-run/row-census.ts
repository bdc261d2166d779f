import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isBookkeepingItem, shardLeaseKey } from '../../store/bookkeeping.ts';
import { dueInstant, parseSlot } from '../../store/due-slot.ts';
import { parsePartition } from '../../store/shard.ts';
import type { DiffStatusRow } from '../../domain/row.ts';
import type { FeedRow } from './change-feed.ts';

/** The attributes a census reads. */
export type CensusRow = Pick<
  DiffStatusRow,
  'chatId' | 'ownerId' | 'staleAt' | 'leaseExpiresAt' | 'refreshedAt' | 'lastErrorKind' | 'lastErrorAt' | 'dueShard'
>;

/** Where every row of the table stands at one instant. */
export interface Census {
  at: number;
  total: number;
  /** Refreshed, not yet due again. */
  fresh: number;
  /** Checked, no PR for the branch yet, not yet due again. */
  waitingForPr: number;
  /** Due and not claimed. */
  due: number;
  /** Claimed by a running tick. */
  leased: number;
  /** Not due yet after a failure, per `lastErrorKind` (no_token, rate_limited, provider_error, ...). */
  backingOff: Record<string, number>;
  /** Out of the due index (archived, no origin or branch). */
  unpollable: number;
  /** How long the longest-waiting due row has been due, or null when none is. */
  oldestLatenessMs: number | null;
}

export type RowState = { kind: 'fresh' | 'waitingForPr' | 'due' | 'leased' | 'unpollable' } | { kind: 'backingOff'; reason: string };

/** Pure: where one row stands at `now`. */
export function rowState(row: CensusRow, now: number): RowState {
  if (row.dueShard === undefined) return { kind: 'unpollable' };
  if (row.leaseExpiresAt !== undefined && row.leaseExpiresAt > now) return { kind: 'leased' };
  if (row.staleAt === undefined || row.staleAt <= now) return { kind: 'due' };
  if (row.lastErrorKind) return { kind: 'backingOff', reason: row.lastErrorKind };
  return { kind: row.refreshedAt === undefined ? 'waitingForPr' : 'fresh' };
}

export function takeCensus(rows: readonly CensusRow[], now: number): Census {
  const census: Census = { at: now, total: rows.length, fresh: 0, waitingForPr: 0, due: 0, leased: 0, backingOff: {}, unpollable: 0, oldestLatenessMs: null };
  for (const row of rows) {
    const state = rowState(row, now);
    if (state.kind === 'backingOff') census.backingOff[state.reason] = (census.backingOff[state.reason] ?? 0) + 1;
    else census[state.kind] += 1;
    if (state.kind === 'due' && row.staleAt !== undefined) {
      census.oldestLatenessMs = Math.max(census.oldestLatenessMs ?? 0, now - row.staleAt);
    }
  }
  return census;
}

const ATTRIBUTES = [
  'chatId',
  'ownerId',
  'staleAt',
  'leaseExpiresAt',
  'refreshedAt',
  'lastErrorKind',
  'lastErrorAt',
  'dueShard',
  'dueSlot',
  // On the shard lease items: how far each shard was served.
  'polledUntil',
  // For the change feed.
  'gitRemoteOrigin',
  'gitBranch',
  'webhookAt',
  'pullRequestState',
  'pullRequestDraft',
  'pullRequestTitle',
  'approved',
  'changesRequested',
  'additions',
  'deletions',
  'checks',
  'mergeable',
] as const;

/**
 * Every row of the table, consistently read, with the census and change-feed attributes only.
 * A row on a periodic slot gets the `staleAt` its schedule gives at `now` (see `scheduledDue`).
 */
export async function scanRows(doc: DynamoDBDocumentClient, tableName: string, now = Date.now()): Promise<(CensusRow & FeedRow)[]> {
  const rows: (CensusRow & FeedRow & Pick<DiffStatusRow, 'dueSlot'>)[] = [];
  const polledUntil = new Map<string, number>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        ProjectionExpression: ATTRIBUTES.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(ATTRIBUTES.map((name, i) => [`#a${i}`, name])),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      if (!isBookkeepingItem(item['chatId'])) rows.push(item as (typeof rows)[number]);
      else if (typeof item['polledUntil'] === 'number') polledUntil.set(item['chatId'], item['polledUntil']);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return rows.map(({ dueSlot, ...row }) => {
    const shard = parsePartition(row.dueShard)?.shard;
    const served = shard === undefined ? undefined : polledUntil.get(shardLeaseKey(shard));
    const staleAt = scheduledDue({ dueSlot, staleAt: row.staleAt }, served, now);
    return staleAt === undefined ? row : { ...row, staleAt };
  });
}

/**
 * When a row is (or was last) due by its schedule: its slot, and how far its shard was served.
 * The slot design's `staleAt` can lag a periodic row (a refresh with nothing to write leaves
 * it), so it only counts for one-off slots, rows without a slot and shards never served.
 */
export function scheduledDue(row: Pick<DiffStatusRow, 'dueSlot' | 'staleAt'>, polledUntil: number | undefined, now: number): number | undefined {
  const slot = parseSlot(row.dueSlot);
  if (!slot || slot.periodMs === 0 || polledUntil === undefined) return row.staleAt;
  const due = dueInstant(slot, polledUntil, now);
  if (due !== null) return due;
  const from = Math.max(now, polledUntil);
  return slot.anchor + Math.max(1, Math.floor((from - slot.anchor) / slot.periodMs) + 1) * slot.periodMs;
}
