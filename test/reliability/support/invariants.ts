import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isPollable, PULL_REQUEST_FIELDS, type DiffStatusRow } from '../../../src/domain/row.ts';
// Map attributes come back from DynamoDB in any key order: compared as data, not as text.
import { sameValue } from '../../../src/domain/same-value.ts';
import type { RefreshErrorKind } from '../../../src/domain/errors.ts';
import { ERROR_FREE_OUTCOMES, OUTCOME_OF_ERROR, OUTCOMES } from '../../../src/cadence/outcomes.ts';
import type { CadencePolicy } from '../../../src/cadence/policy.ts';
import { isBookkeepingItem } from '../../../src/store/bookkeeping.ts';
import { parseSlot, placeSchedule, readSlot } from '../../../src/store/due-slot.ts';
import { parsePartition } from '../../../src/store/shard.ts';
import type { WriteRecord } from './recording-store.ts';

/** Attributes other services own: a tick never changes them; mark-stale sets branch and origin. */
export const OWNED_FIELDS = ['ownerId', 'workspaceId', 'gitRemoteOrigin', 'gitBranch', 'archived', 'createdAt'] as const;
export type OwnedFields = Pick<DiffStatusRow, (typeof OWNED_FIELDS)[number]>;

export interface InvariantInput {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** The clock's instant when the check runs. */
  now: number;
  policy: CadencePolicy;
  shardCount: number;
  /** What each row's owned attributes must be (seeded, then as mark-stale set them). */
  owned: ReadonlyMap<string, OwnedFields>;
  /** Every write-back attempted so far. */
  writes: readonly WriteRecord[];
  /** Per row, when something outside the loop last made it due (a push, a delivery, a move). */
  touchedAt?: ReadonlyMap<string, number>;
}

export interface InvariantReport {
  rowsChecked: number;
  violations: string[];
}

/**
 * The invariants over the real table plus the write history:
 * - no row lost or added, owned attributes untouched;
 * - every pollable row is in the due index and due, or fresh within its outcome's longest
 *   backoff; a lease never outlives its claim and the row is due when it lapses;
 * - no refreshed field goes backwards: acknowledged refreshes of a row ran in disjoint
 *   [claim, answer] windows, and the row holds the newest acknowledged one (or a newer write
 *   whose acknowledgement was lost), field for field;
 * - the loop asks the host for a row no sooner than its schedule (`checkCadence`), and no claim
 *   takes a row another live claim holds (`checkHeldClaims`);
 * - every check leaves a truthful `staleAt` and a `checkedAt` (`checkChecks`).
 */
export async function checkInvariants(input: InvariantInput): Promise<InvariantReport> {
  const rows = await scanAll(input.doc, input.tableName);
  const violations: string[] = [];
  const seen = new Set<string>();
  const byRow = groupWrites(input.writes);
  for (const row of rows) {
    if (isBookkeepingItem(row.chatId)) {
      violations.push(...checkShardLease(row as ShardLeaseItem, input));
      continue;
    }
    seen.add(row.chatId);
    const owned = input.owned.get(row.chatId);
    if (!owned) {
      violations.push(`${row.chatId}: a row appeared that nobody created`);
      continue;
    }
    for (const field of OWNED_FIELDS) {
      if (!sameValue(row[field], owned[field])) {
        violations.push(`${row.chatId}: owned field ${field} is ${show(row[field])}, expected ${show(owned[field])}`);
      }
    }
    const writes = byRow.get(row.chatId) ?? [];
    violations.push(
      ...checkSchedule(row, input),
      ...checkHistory(row, writes),
      ...checkCadence(row.chatId, writes, input.touchedAt?.get(row.chatId)),
      ...checkHeldClaims(row.chatId, writes),
      ...checkChecks(row, writes, input.now, input.touchedAt?.get(row.chatId)),
    );
  }
  for (const chatId of input.owned.keys()) {
    if (!seen.has(chatId)) violations.push(`${chatId}: the row is gone`);
  }
  return { rowsChecked: seen.size, violations };
}

/** The longest a row may wait after its last write, by what that write recorded. */
export function longestWait(row: DiffStatusRow, policy: CadencePolicy): number {
  const byOutcome = outcomeWait(row, policy);
  // A tick's claim moves staleAt to the claim's end; refresh-now's claim leaves it alone.
  return row.leaseId !== undefined ? Math.max(policy.claimTtlMs, byOutcome) : byOutcome;
}

/** By the outcomes table: a stored error kind names its outcome; no kind, an error-free one. */
function outcomeWait(row: DiffStatusRow, policy: CadencePolicy): number {
  const kind = row.lastErrorKind as RefreshErrorKind | undefined;
  const outcomes = kind === undefined ? ERROR_FREE_OUTCOMES : [OUTCOME_OF_ERROR[kind] ?? 'error'];
  return Math.max(...outcomes.map((o) => OUTCOMES[o].longestWaitMs?.(policy) ?? 0));
}

function checkSchedule(row: DiffStatusRow, input: InvariantInput): string[] {
  if (!isPollable(row)) return [];
  const out: string[] = [];
  // Its shard's base partition, or the bucket its slot falls due in (never another bucket: it would not be read then).
  // Any shard's partition: an outside writer may use another shard count, and a slot in the
  // wrong bucket is served when that bucket is read (the sweep and the round see to both).
  if (parsePartition(row.dueShard) === null) out.push(`${row.chatId}: pollable but out of the due index (dueShard ${show(row.dueShard)})`);
  if (typeof row.staleAt !== 'number' || !Number.isFinite(row.staleAt)) {
    out.push(`${row.chatId}: pollable without a numeric staleAt (${show(row.staleAt)})`);
    return out;
  }
  const wait = row.staleAt - input.now;
  if (wait > longestWait(row, input.policy)) {
    out.push(`${row.chatId}: due in ${wait} ms, longer than its outcome allows (${row.lastErrorKind ?? 'ok'})`);
  }
  if (row.dueSlot !== undefined && readSlot(row.dueSlot, input.now).slot !== null) {
    // Slot design: the index entry itself must bring the row back within the same bound (an
    // unusable slot is due at once).
    const slot = parseSlot(row.dueSlot);
    const slotWait = slot === null ? Infinity : slot.periodMs > 0 ? slot.periodMs : slot.anchor - input.now;
    if (slotWait > longestWait(row, input.policy)) out.push(`${row.chatId}: its due slot ${show(row.dueSlot)} waits longer than its outcome allows`);
  }
  if (row.leaseId !== undefined) {
    // A dead holder's claim lapses by itself: the row is claimable again at its expiry.
    if (typeof row.leaseExpiresAt !== 'number') out.push(`${row.chatId}: lease without an expiry`);
    else if (row.leaseExpiresAt - input.now > input.policy.claimTtlMs) out.push(`${row.chatId}: lease longer than a claim`);
  } else if (row.leaseExpiresAt !== undefined) {
    out.push(`${row.chatId}: half a lease (expiry without id)`);
  }
  return out;
}

/**
 * Every check writes back when it happened and the row's next refresh: a write-back that puts
 * the row on a period (a refresh, no PR, no token: the outcomes of a check) carries
 * `checkedAt`, and the row's `staleAt` is the instant its slot next falls due, never an
 * instant the row has already passed while the slot says otherwise.
 */
function checkChecks(row: DiffStatusRow, writes: readonly WriteRecord[], now: number, touchedAt: number | undefined): string[] {
  const out: string[] = [];
  for (const w of writes) {
    if (w.update.schedule?.kind === 'every' && typeof w.update.set.checkedAt !== 'number') {
      out.push(`${row.chatId}: a check under lease ${w.leaseId} was written without checkedAt`);
    }
  }
  if (!isPollable(row) || row.checkedAt === undefined) return out;
  // Something outside the loop wrote the row's slot since its check (another service, a
  // slightly wrong outside writer): the slot is theirs until the row's next write-back.
  if (touchedAt !== undefined && touchedAt >= row.checkedAt) return out;
  if (typeof row.checkedAt !== 'number' || row.checkedAt > now) out.push(`${row.chatId}: checkedAt ${show(row.checkedAt)} is not a past instant`);
  // An unusable slot (an outside writer's microseconds) is due at once and replaced at the row's next write.
  const { slot } = readSlot(row.dueSlot, now);
  // Slot design only (the row-lease design keeps staleAt alone); a claim in progress may move staleAt.
  if (!slot || row.leaseId !== undefined || typeof row.staleAt !== 'number') return out;
  if (slot.periodMs === 0) {
    if (row.staleAt !== slot.anchor) out.push(`${row.chatId}: staleAt ${row.staleAt} is not its one-off slot's instant ${slot.anchor}`);
    return out;
  }
  // A period is written only by a check: the slot's next instant after that check.
  const next = slot.anchor + (Math.floor((row.checkedAt - slot.anchor) / slot.periodMs) + 1) * slot.periodMs;
  if (row.staleAt !== next) out.push(`${row.chatId}: staleAt ${row.staleAt} is not the instant its slot next falls due after its check (${next})`);
  return out;
}

interface ShardLeaseItem {
  chatId: string;
  leaseId?: string;
  leaseExpiresAt?: number;
}

/** Slot design: a shard lease, like a row's claim, never outlives a claim window and is never half. */
function checkShardLease(item: ShardLeaseItem, input: InvariantInput): string[] {
  if (item.leaseId === undefined) return item.leaseExpiresAt === undefined ? [] : [`${item.chatId}: half a lease (expiry without id)`];
  if (typeof item.leaseExpiresAt !== 'number') return [`${item.chatId}: lease without an expiry`];
  return item.leaseExpiresAt - input.now > input.policy.claimTtlMs ? [`${item.chatId}: lease longer than a claim`] : [];
}

function checkHistory(row: DiffStatusRow, writes: readonly WriteRecord[]): string[] {
  const out: string[] = [];
  const refreshes = writes.filter((w) => w.update.set.refreshedAt !== undefined);
  const acknowledged = refreshes.filter((w) => w.result === 'applied');
  for (const w of acknowledged) {
    if (w.claimedAt === undefined || w.claimedAt > w.update.set.refreshedAt!) {
      out.push(`${row.chatId}: refresh under lease ${w.leaseId} was written without a recorded claim before it`);
    }
  }
  // Two acknowledged refreshes whose windows overlap: the later write may hold older data.
  const windows = acknowledged
    .filter((w) => w.claimedAt !== undefined)
    .map((w) => [w.claimedAt!, w.update.set.refreshedAt!] as const)
    .sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < windows.length; i++) {
    if (windows[i]![0] <= windows[i - 1]![1]) {
      out.push(`${row.chatId}: two refreshes overlapped (${windows[i - 1]!.join('..')} and ${windows[i]!.join('..')})`);
    }
  }
  const newestAcknowledged = Math.max(-Infinity, ...acknowledged.map((w) => w.update.set.refreshedAt!));
  if (row.refreshedAt === undefined) {
    if (acknowledged.length > 0) out.push(`${row.chatId}: an acknowledged refresh is not in the row`);
    return out;
  }
  if (row.refreshedAt < newestAcknowledged) {
    out.push(`${row.chatId}: went back in time: refreshedAt ${row.refreshedAt} < acknowledged ${newestAcknowledged}`);
  }
  // Any attempt may be the source: an SDK retry of a write whose answer was lost reports the
  // lease as gone although its first attempt landed.
  const source = refreshes.find((w) => w.update.set.refreshedAt === row.refreshedAt);
  if (!source) {
    out.push(`${row.chatId}: refreshedAt ${row.refreshedAt} matches no attempted write`);
    return out;
  }
  // A later "no PR for the new branch" write may have cleared the previous branch's PR.
  const cleared = PULL_REQUEST_FIELDS.every((f) => row[f] === undefined) && writes.some((w) => w.update.remove.includes('url'));
  // A write lands only on the row it was planned from (fenced), and writes just what changed.
  const expected = (field: (typeof PULL_REQUEST_FIELDS)[number]) =>
    Object.hasOwn(source.update.set, field) ? source.update.set[field] : source.update.remove.includes(field) ? undefined : source.base[field];
  for (const field of cleared ? [] : PULL_REQUEST_FIELDS) {
    if (!sameValue(row[field], expected(field))) {
      out.push(`${row.chatId}: ${field} is ${show(row[field])}, its refresh left ${show(expected(field))} (half-written)`);
    }
  }
  return out;
}

/**
 * A tick's claim (one ask of the host by the loop) comes no sooner than the schedule the
 * row's previous applied refresh placed it at, unless something outside the loop made the row
 * due since that refresh's claim (`touchedAt`). The previous refresh is the last one claimed
 * before, except an outside trigger's (refresh-now, a delivery) whose write was still on its
 * way when the tick's claim was sent: the tick read the row before that schedule existed
 * (refresh-now holds nothing, so both read the due row; the first write lands, the other is
 * fenced off). Two ticks are never both at a row: the shard lease keeps them apart. Claims
 * for an outside trigger are that trigger's own refresh, not polling: a delivery refreshes a
 * row a tick refreshed a moment earlier, since the tick may have asked before the change the
 * delivery announces.
 */
export function checkCadence(chatId: string, writes: readonly WriteRecord[], touchedAt: number | undefined): string[] {
  const landed = writes.filter((w) => w.result === 'applied' && w.update.schedule !== undefined && w.claimedAt !== undefined);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const w of writes) {
    if (w.claimedBy !== 'tick' || w.claimedAt === undefined || w.claimSentAt === undefined || seen.has(w.leaseId)) continue;
    seen.add(w.leaseId);
    const { claimedAt: at, claimSentAt: sentAt } = w;
    const seenBy = landed.filter((p) => p.claimedAt! < at && (p.claimedBy === 'tick' || p.answeredAt < sentAt));
    const previous = seenBy.sort((a, b) => a.claimedAt! - b.claimedAt!).at(-1);
    if (!previous || (touchedAt !== undefined && touchedAt >= previous.claimedAt!)) continue;
    const dueAt = placeSchedule(parseSlot(previous.base.dueSlot), previous.update.schedule!).staleAt;
    if (at < dueAt) out.push(`${chatId}: asked of its host at ${at}, before ${dueAt} its previous refresh (at ${previous.claimedAt}) scheduled`);
  }
  return out;
}

/**
 * No claim takes a row that another live claim holds (a delivery refreshing it in its
 * function leaves its lease on the row until its write-back): the host would be asked twice
 * for one change, and one of the two answers refused.
 */
export function checkHeldClaims(chatId: string, writes: readonly WriteRecord[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const w of writes) {
    const { leaseId: holder, leaseExpiresAt: until } = w.base;
    if (w.claimedAt === undefined || seen.has(w.leaseId)) continue;
    seen.add(w.leaseId);
    if (holder !== undefined && holder !== w.leaseId && typeof until === 'number' && until > w.claimedAt) {
      out.push(`${chatId}: claimed for ${w.claimedBy} at ${w.claimedAt} while lease ${holder} held it until ${until}`);
    }
  }
  return out;
}

function groupWrites(writes: readonly WriteRecord[]): Map<string, WriteRecord[]> {
  const out = new Map<string, WriteRecord[]>();
  for (const w of writes) {
    let list = out.get(w.chatId);
    if (!list) out.set(w.chatId, (list = []));
    list.push(w);
  }
  return out;
}

export async function scanAll(doc: DynamoDBDocumentClient, tableName: string): Promise<DiffStatusRow[]> {
  const rows: DiffStatusRow[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    rows.push(...((out.Items ?? []) as DiffStatusRow[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return rows;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
