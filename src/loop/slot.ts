import type { TickOptions } from '../refresh/tick.ts';
import type { TickSummary } from '../refresh/tick-summary.ts';
import type { FanOutSettings } from './fan-out.ts';
import { leadSlot, type LeadAnswer, type SlotLeadDeps } from './lead.ts';
import type { LoopRole } from './task.ts';

/** What one Task of the loop runs on: a system's census, its fan-out settings and its tick. */
export interface SlotParts {
  census: SlotLeadDeps['census'];
  fanOut: FanOutSettings;
  /** One tick over `shards` (all when absent); a fan-out worker's refreshes for one slot at most. */
  tick(run: { shards?: readonly number[]; fanOutWorker?: boolean }): Promise<TickSummary>;
  /** Told when the census failed and the lead ticked alone instead. */
  onCensusError?: (err: unknown) => void;
}

/** A composed system, as far as a slot needs it (`System` of `src/system/compose.ts`). */
export interface SlotSystem {
  readonly census: SlotParts['census'];
  readonly settings: { fanOut: FanOutSettings };
  tick(run?: Partial<TickOptions>): Promise<TickSummary>;
}

/** A system's slot parts, every tick run with `run` (the Lambda's time left, the loop minute's end). */
export function slotParts(system: SlotSystem, run: Partial<TickOptions> = {}, extra: Pick<SlotParts, 'onCensusError'> = {}): SlotParts {
  return { census: system.census, fanOut: system.settings.fanOut, tick: (task) => system.tick({ ...run, ...task }), ...extra };
}

/** What a Task answers the state machine: the lead its plan (and its own tick), a worker its tick. */
export type SlotAnswer = TickSummary | LeadAnswer;

/**
 * One Task of a slot of the refresh loop, the one dispatch of lead and worker: the lead
 * (`leadSlot`: its own tick, or the shard groups for the loop's Map) or a worker ticking the
 * group the lead gave it. The Lambda handler runs one per invocation (the local run drives
 * that handler through the state machine); `runSlotInProcess` replays the Map for the bench
 * and the soak.
 */
export function runSlot(parts: SlotParts, role: LoopRole, now: number): Promise<SlotAnswer> {
  return role.role === 'worker' ? workerTask(parts, role.shards) : leadTask(parts, role.slotIndex, now);
}

/** The lead's Task of a slot (see `leadSlot`). */
export function leadTask(parts: SlotParts, slotIndex: number, now: number): Promise<LeadAnswer> {
  const tick = (shards?: readonly number[]) => parts.tick(shards ? { shards } : {});
  return leadSlot({ census: parts.census, tick, ...(parts.onCensusError ? { onCensusError: parts.onCensusError } : {}) }, parts.fanOut, now, slotIndex);
}

/** A worker's Task: one tick over the shard group the lead gave it. */
export function workerTask(parts: SlotParts, shards: readonly number[]): Promise<TickSummary> {
  return parts.tick({ shards, fanOutWorker: true });
}

/** A whole slot in one process. */
export interface SlotRun {
  lead: LeadAnswer;
  /** Every tick the slot ran: the lead's own, or one per worker. */
  ticks: TickSummary[];
}

/**
 * A whole slot in this process, as the state machine runs it: the lead's Task, then one
 * worker Task per shard group, all at once (`worker(i)` gives the i-th worker's parts: a
 * Lambda of its own, or the lead's again).
 */
export async function runSlotInProcess(leader: SlotParts, worker: (i: number) => SlotParts, slotIndex: number, now: number): Promise<SlotRun> {
  const answer = await leadTask(leader, slotIndex, now);
  if (answer.groups.length === 0) return { lead: answer, ticks: [answer] };
  const ticks = await Promise.all(answer.groups.map((shards, i) => workerTask(worker(i), shards)));
  return { lead: answer, ticks };
}
