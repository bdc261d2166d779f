import { isPollable, rowProblem, type DiffStatusRow } from '../domain/row.ts';
import { parseSlot, type Slot } from '../store/due-slot.ts';
import type { RowFacts } from '../store/row-inspector.ts';
import { SLOT_INTERVAL_MS } from '../loop/rhythm.ts';

/** The one-line answer to "why is this row not fresh?". */
export type WhyVerdict =
  | 'not_found'
  | 'not_polled'
  | 'damaged'
  | 'waiting_for_token'
  | 'backing_off'
  | 'due_now'
  | 'overdue'
  | 'fine';

export interface WhyAnswer {
  verdict: WhyVerdict;
  /** The verdict in words, first line of the report. */
  summary: string;
  /** The facts behind it, one per line. */
  details: string[];
}

/** A due row the next ticks would have taken by now is overdue beyond this (two slots of lateness). */
const LATE_MS = 2 * SLOT_INTERVAL_MS;

/**
 * Why a row is (not) fresh, from what the table holds: pure, so every verdict is a table test.
 * The order is the order of causes: a row that is not polled or holds a value gitsync cannot
 * use says so before its schedule does.
 */
export function explainRow(facts: RowFacts, now: number): WhyAnswer {
  const row = facts.row;
  if (!row) return { verdict: 'not_found', summary: 'no such row in the table', details: [] };
  const details = describe(facts, now);
  if (!isPollable(row)) {
    const why = row.archived === true ? 'the chat is archived' : 'the row names no git origin or no branch (a push sets them)';
    return { verdict: 'not_polled', summary: `not polled: ${why}`, details };
  }
  const damage = damaged(row);
  if (damage) return { verdict: 'damaged', summary: `stuck on a damaged value: ${damage}`, details };
  const next = typeof row.staleAt === 'number' ? row.staleAt : undefined;
  if (row.lastErrorKind === 'no_token' || row.checkOutcome === 'no_token') {
    const owner = typeof row.ownerId === 'string' ? `owner ${JSON.stringify(row.ownerId)}` : 'the row has no owner, so';
    return {
      verdict: 'waiting_for_token',
      summary: `waiting for a git token: ${owner} has none usable on the row's host; linking one (event gitsync.TokenLinked) makes it due at once${next ? `, else checked again ${at(next, now)}` : ''}`,
      details,
    };
  }
  if (next !== undefined && next <= now) {
    const late = now - next;
    if (late <= LATE_MS) return { verdict: 'due_now', summary: `due now (since ${ago(late)}): the next tick takes it`, details };
    return { verdict: 'overdue', summary: `overdue by ${span(late)}: ${overdueCause(facts, now)}`, details };
  }
  if (typeof row.lastErrorKind === 'string') {
    const count = typeof row.errorCount === 'number' ? `, failure ${row.errorCount} in a row` : '';
    return {
      verdict: 'backing_off',
      summary: `backing off after ${row.lastErrorKind}${count} until ${at(next, now)}: ${row.lastErrorMessage ?? 'no message stored'}`,
      details,
    };
  }
  return { verdict: 'fine', summary: `fine, just not due: next refresh ${at(next, now)}`, details };
}

/** A value gitsync cannot use, or null: an attribute of the wrong type, or a schedule it cannot read. */
function damaged(row: DiffStatusRow): string | null {
  const problem = rowProblem(row);
  if (problem) return `${problem} (each refresh records invalid_row and backs off; correct the attribute, the next refresh then heals the row)`;
  if (row.dueShard !== undefined && row.dueSlot !== undefined && parseSlot(row.dueSlot) === null) {
    return `dueSlot ${JSON.stringify(row.dueSlot)} is not "<periodMs>/<anchorMs>" (the row is treated as due at every tick)`;
  }
  if (row.lastErrorKind === 'invalid_row' || row.lastErrorKind === 'item_too_large') {
    return `its last refresh ended in ${row.lastErrorKind}: ${row.lastErrorMessage ?? 'no message stored'}`;
  }
  return null;
}

function overdueCause(facts: RowFacts, now: number): string {
  const shard = facts.shard;
  if (!shard) return `its dueShard ${JSON.stringify(facts.row?.dueShard)} names no due-index partition, so no tick reads it (a push or a write-back puts it back)`;
  if (shard.leaseId !== undefined && shard.leaseExpiresAt !== undefined && shard.leaseExpiresAt > now) {
    return `shard ${shard.shard} is leased by ${shard.leaseId} until ${at(shard.leaseExpiresAt, now)}: a tick is on it, or died holding it`;
  }
  if (shard.polledUntil === undefined) return `shard ${shard.shard} has never been served: is the refresh loop running (LoopState, the state machine's executions)?`;
  if (shard.polledUntil < now - LATE_MS) return `shard ${shard.shard} was last served ${ago(now - shard.polledUntil)}: the loop is stopped or falling behind (see the slowest-ticks query)`;
  return `shard ${shard.shard} is served (until ${ago(now - shard.polledUntil)}) but the row was not taken: a full backlog, or its claims fail (see the chat-history query)`;
}

function describe(facts: RowFacts, now: number): string[] {
  const row = facts.row!;
  const lines: string[] = [];
  lines.push(`row: origin ${show(row.gitRemoteOrigin)}, branch ${show(row.gitBranch)}, owner ${show(row.ownerId)}${row.archived === true ? ', archived' : ''}`);
  lines.push(`pull request: ${typeof row.url === 'string' ? `${row.url} (${show(row.pullRequestState)})` : 'none stored'}`);
  lines.push(`next refresh: ${typeof row.staleAt === 'number' ? at(row.staleAt, now) : `none (${show(row.staleAt)})`}; ${slotText(row.dueSlot)}`);
  lines.push(
    `last check: ${typeof row.checkedAt === 'number' ? `${at(row.checkedAt, now)}, outcome ${show(row.checkOutcome)}` : 'not recorded (before checks were recorded, or never checked)'}`,
  );
  lines.push(`last successful refresh: ${typeof row.refreshedAt === 'number' ? at(row.refreshedAt, now) : 'never'}; last change: ${typeof row.changedAt === 'number' ? at(row.changedAt, now) : 'unknown'}`);
  lines.push(
    typeof row.lastErrorKind === 'string'
      ? `backoff: ${row.lastErrorKind}${typeof row.errorCount === 'number' ? ` (failure ${row.errorCount} in a row)` : ''} since ${typeof row.lastErrorAt === 'number' ? at(row.lastErrorAt, now) : '?'}, until ${typeof row.staleAt === 'number' ? at(row.staleAt, now) : '?'}: ${row.lastErrorMessage ?? ''}`
      : 'backoff: none',
  );
  const shard = facts.shard;
  lines.push(
    shard
      ? `shard: ${shard.shard}${shard.bucket !== undefined ? ` (bucket ${shard.bucket})` : ''}; lease: ${shard.leaseId !== undefined && (shard.leaseExpiresAt ?? 0) > now ? `held by ${shard.leaseId} until ${at(shard.leaseExpiresAt!, now)}` : 'free'}; served until ${shard.polledUntil !== undefined ? at(shard.polledUntil, now) : 'never'}`
      : `shard: none (dueShard ${show(row.dueShard)})`,
  );
  lines.push(
    `webhooks: ${typeof row.webhookAt === 'number' ? `last delivery matching this row received ${at(row.webhookAt, now)}` : 'no delivery matching this row recorded'}; ` +
      (facts.hostDelivery ? `its host ${facts.hostDelivery.host} last delivered ${at(facts.hostDelivery.at, now)}` : 'no delivery recorded from its host') +
      ' (the store keeps the latest match per row, not a list of deliveries)',
  );
  const legacy = row.httpCache !== undefined ? '; a legacy httpCache attribute on the row (its next refresh moves it to the cache table)' : '';
  if (facts.httpCache !== undefined || legacy) {
    const item = facts.httpCache === undefined ? 'cache table not named' : facts.httpCache ? `an item of ${facts.httpCache.entries} entries` : 'no item (the next refresh makes its requests in full)';
    lines.push(`HTTP cache: ${item}${legacy}`);
  }
  return lines;
}

function slotText(text: unknown): string {
  const slot: Slot | null = parseSlot(text);
  if (!slot) return `slot ${show(text)} unreadable`;
  return slot.periodMs === 0 ? `due once (slot ${String(text)})` : `every ${span(slot.periodMs)} (slot ${String(text)})`;
}

/** An instant, absolute and relative to now. */
function at(instant: number | undefined, now: number): string {
  if (instant === undefined) return 'unknown';
  const iso = new Date(instant).toISOString();
  return instant >= now ? `${iso} (in ${span(instant - now)})` : `${iso} (${ago(now - instant)})`;
}

function ago(ms: number): string {
  return `${span(ms)} ago`;
}

/** A duration in its two largest units: "2 h 5 min", "40 s". */
export function span(ms: number): string {
  let rest = Math.round(Math.max(0, ms) / 1_000);
  const parts: string[] = [];
  for (const [name, size] of [['d', 86_400], ['h', 3_600], ['min', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${name}`);
  }
  return parts.slice(0, 2).join(' ') || '0 s';
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? 'absent';
}
