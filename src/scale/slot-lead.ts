import type { TickSummary } from '../refresh/tick-summary.ts';
import type { DueCensus } from '../store/due-census.ts';
import { planFanOut, workerCap, type FanOutSettings } from './fan-out.ts';

/**
 * What the loop's first Task of a slot answers: its own tick's summary when it did the work
 * itself, and the shard groups the loop's Map hands to workers when one worker is not enough
 * (then it ticked nothing). `groups` is empty or has at least two entries.
 */
export type LeadAnswer = TickSummary & { groups: number[][]; dueEstimate: number | null };

export interface SlotLeadDeps {
  census: DueCensus;
  /** One tick over `shards` (all shards when absent). */
  tick(shards?: readonly number[]): Promise<TickSummary>;
  emptySummary(): TickSummary;
}

/**
 * The lead of a slot. A table that one worker serves (one shard, or a cap of one) costs one
 * invocation and no census. Otherwise it counts the due rows of one shard, rotating by slot so
 * every shard is sampled in turn (rows spread over shards by a hash, so one shard times the
 * shard count estimates the whole), and splits the shards into groups for the workers.
 */
export async function leadSlot(deps: SlotLeadDeps, settings: FanOutSettings, now: number, slotIndex: number): Promise<LeadAnswer> {
  const shards = await deps.census.shardsInUse();
  if (shards.length === 1 || workerCap(settings) === 1) return { ...(await deps.tick()), groups: [], dueEstimate: null };
  const sample = shards[Math.abs(slotIndex) % shards.length]!;
  const due = (await deps.census.countDue(sample, now)) * shards.length;
  const plan = planFanOut(shards, due, settings);
  if (plan.groups.length === 1) return { ...(await deps.tick(shards)), groups: [], dueEstimate: due };
  return { ...deps.emptySummary(), groups: plan.groups, dueEstimate: due };
}
