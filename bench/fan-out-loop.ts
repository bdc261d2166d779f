import { SLOT_INTERVAL_MS } from '../src/loop/rhythm.ts';
import type { FanOutSettings } from '../src/loop/fan-out.ts';
import { runSlotInProcess, slotParts } from '../src/loop/slot.ts';
import type { TickSummary } from '../src/refresh/tick-summary.ts';
import type { VirtualClock } from './virtual-clock.ts';
import type { Worker } from './worker.ts';

export interface FanOutRun {
  slots: number;
  /** Workers each slot started (1 when the lead ticked itself). */
  workersPerSlot: number[];
  ticks: TickSummary[];
  endedAt: number;
}

/**
 * The loop of infra/refresh-loop.asl.json with its fan-out, on a virtual clock: per slot the
 * handler's own dispatch (`runSlotInProcess`): the lead ticks itself or answers shard groups,
 * and one worker per group ticks its shards, all at once, each with its own refresher (a
 * Lambda of its own). The next slot comes at start + k * interval, or at once when any worker
 * reported a backlog. No slot starts at or after `until`; with `endTicks`, ticks also stop
 * refreshing at `until`, as at the end of a loop execution (`loopEndsAt`), instead of running
 * out their budget: a throughput window then lasts its length and no longer.
 */
export async function runFanOutLoop(
  workers: readonly Worker[],
  clock: VirtualClock,
  until: number,
  fanOut: FanOutSettings,
  options: { endTicks?: boolean } = {},
): Promise<FanOutRun> {
  const lead = workers[0]!.system;
  // The tick's deadline is the loop's end less the safety margin: that lands on `until`.
  const end = options.endTicks ? { loopEndsAt: until + lead.settings.safetyMarginMs } : {};
  if (!lead.census) throw new Error('the fan-out loop needs a store with a due census (the slot design)');
  const leader = { ...slotParts(lead, end), fanOut: { ...fanOut, maxWorkers: Math.min(fanOut.maxWorkers, workers.length) } };
  const run: FanOutRun = { slots: 0, workersPerSlot: [], ticks: [], endedAt: 0 };
  let scheduled = clock.now();
  for (;;) {
    clock.skipTo(scheduled);
    if (clock.now() >= until) break;
    const slotAt = clock.now();
    const slot = await runSlotInProcess(leader, (i) => slotParts(workers[i]!.system, end), Math.floor(slotAt / SLOT_INTERVAL_MS), slotAt);
    run.slots += 1;
    run.workersPerSlot.push(Math.max(1, slot.lead.groups.length));
    run.ticks.push(...slot.ticks);
    const now = clock.now();
    scheduled += SLOT_INTERVAL_MS;
    if (slot.ticks.some((t) => t.backlog) || scheduled < now) scheduled = now;
  }
  run.endedAt = clock.now();
  return run;
}
