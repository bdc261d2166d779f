import { emptySummary, type TickSummary } from '../refresh/tick-summary.ts';
import type { DueCensus } from '../store/due-census.ts';
import { planFanOut, workerCap, type FanOutSettings } from './fan-out.ts';

/**
 * What the loop's first Task of a slot answers: its own tick's summary when it did the work
 * itself, and the shard groups the loop's Map hands to workers when one worker is not enough
 * (then it ticked nothing). `groups` is empty or has at least two entries.
 */
export type LeadAnswer = TickSummary & { groups: number[][]; dueEstimate: number | null };

export interface SlotLeadDeps {
  /** The store's view of the due index; without one (a store of another design) the lead ticks every shard itself. */
  census: DueCensus | undefined;
  /** One tick over `shards` (all shards when absent). */
  tick(shards?: readonly number[]): Promise<TickSummary>;
  /** Told when the census failed and the lead ticked alone instead. */
  onCensusError?: (err: unknown) => void;
}

/**
 * The lead of a slot. A store without a census, or a table that one worker serves (one shard, or a cap of one) costs one
 * invocation and no census. Otherwise it counts the due rows of one shard, rotating by slot so
 * every shard is sampled in turn (rows spread over shards by a hash, so one shard times the
 * shard count estimates the whole), and splits the shards into groups for the workers.
 */
export async function leadSlot(deps: SlotLeadDeps, settings: FanOutSettings, now: number, slotIndex: number): Promise<LeadAnswer> {
  const alone = async (): Promise<LeadAnswer> => ({ ...(await deps.tick()), groups: [], dueEstimate: null });
  const { census } = deps;
  if (!census || workerCap(settings) === 1) return alone();
  let shards: number[];
  let due: number;
  try {
    shards = await census.shardsInUse();
    if (shards.length === 1) return alone();
    const sample = shards[Math.floor(Math.abs(slotIndex)) % shards.length]!;
    due = (await census.countDue(sample, now)) * shards.length;
  } catch (err) {
    // No census (DynamoDB failing or throttled): the lead ticks every shard itself, and the
    // tick copes with the store as it always does. The slot is never lost to planning.
    deps.onCensusError?.(err);
    return alone();
  }
  const plan = planFanOut(shards, due, settings);
  if (plan.groups.length === 1) return { ...(await deps.tick(shards)), groups: [], dueEstimate: due };
  return { ...emptySummary(), groups: plan.groups, dueEstimate: due };
}
