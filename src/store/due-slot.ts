/**
 * A row's place in the due index: `dueSlot` = `"<periodMs>/<anchorMs>"`.
 * - period > 0: the row falls due at anchor + k * period (k >= 1), for as long as the period
 *   holds. A refresh that keeps the period leaves the slot alone, so the index entry is not
 *   rewritten: most refreshes cost the base-table item only.
 * - period 0: due once, at anchor (a push, a backoff, a rate-limit reset).
 * The exact next refresh time is written to `staleAt` as well (a plain attribute, for readers).
 */
export interface Slot {
  periodMs: number;
  anchor: number;
}

/** When a row should next be refreshed, as the write-back plan decides it. */
export type Schedule = { kind: 'every'; periodMs: number; from: number } | { kind: 'once'; at: number };

export function formatSlot(slot: Slot): string {
  return `${slot.periodMs}/${slot.anchor}`;
}

/** The slot of a row due once, at `at` (what a service inserting a row may write). */
export function onceSlot(at: number): string {
  return formatSlot({ periodMs: 0, anchor: at });
}

/** The slot an attribute holds, or null when it is absent or malformed (then the row is due now). */
export function parseSlot(text: unknown): Slot | null {
  if (typeof text !== 'string') return null;
  const match = /^(\d{1,12})\/(-?\d{1,16})$/.exec(text);
  if (!match) return null;
  return { periodMs: Number(match[1]), anchor: Number(match[2]) };
}

/**
 * How far ahead a slot may reach: gitsync's own furthest (a 6-hour period, a one-hour
 * rate-limit reset) is well inside it. A slot beyond it is no schedule gitsync or the table
 * contract writes (an anchor in microseconds, a period in microseconds): it is not obeyed.
 */
export const SLOT_HORIZON_MS = 24 * 3_600_000;

/**
 * The slot a row's `dueSlot` holds as of `now`, or null (due now) with the reason when it
 * cannot be used as written: malformed, or reaching further than `SLOT_HORIZON_MS`. The next
 * write-back replaces it with gitsync's own.
 */
export function readSlot(text: unknown, now: number): { slot: Slot | null; problem?: string } {
  const slot = parseSlot(text);
  if (!slot) return text === undefined ? { slot } : { slot, problem: `dueSlot ${JSON.stringify(text)} is not "<periodMs>/<anchorMs>"` };
  if (slot.anchor - now > SLOT_HORIZON_MS || slot.periodMs > SLOT_HORIZON_MS) {
    return { slot: null, problem: `dueSlot ${JSON.stringify(text)} reaches more than ${SLOT_HORIZON_MS / 3_600_000} h ahead (microseconds?)` };
  }
  return { slot };
}

/**
 * The instant a row fell due that a tick must serve, or null when it is not due. A periodic
 * slot counts when it fell in (polledUntil, now]: earlier ones were served by earlier ticks.
 * A one-off slot stays due until a write-back moves it, so a write the index shows late is
 * never skipped. A row without a readable slot is due now.
 */
export function dueInstant(slot: Slot | null, polledUntil: number, now: number): number | null {
  if (!slot) return now;
  if (slot.periodMs === 0) return slot.anchor <= now ? slot.anchor : null;
  const k = Math.floor((now - slot.anchor) / slot.periodMs);
  if (k < 1) return null;
  const at = slot.anchor + k * slot.periodMs;
  return at > polledUntil ? at : null;
}

/**
 * Where a write puts the row: the slot to store and the exact next refresh time. `moved` says
 * whether the stored slot changes (an index write); keeping the period keeps the slot.
 */
export function placeSchedule(current: Slot | null, schedule: Schedule): { slot: Slot; staleAt: number; moved: boolean } {
  if (schedule.kind === 'once') {
    const slot = { periodMs: 0, anchor: schedule.at };
    return { slot, staleAt: schedule.at, moved: !(current && current.periodMs === 0 && current.anchor === schedule.at) };
  }
  const p = schedule.periodMs;
  const now = schedule.from;
  if (current && current.periodMs === p && current.anchor <= now) {
    const next = current.anchor + (Math.floor((now - current.anchor) / p) + 1) * p;
    return { slot: current, staleAt: next, moved: false };
  }
  return { slot: { periodMs: p, anchor: now }, staleAt: now + p, moved: true };
}

/** The exact instant a schedule names: the row's `staleAt`. */
export function scheduledAt(schedule: Schedule): number {
  return schedule.kind === 'once' ? schedule.at : schedule.from + schedule.periodMs;
}
