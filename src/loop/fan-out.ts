import { INLINE_MAP_MAX_CONCURRENCY } from '../scale/partition-limits.ts';

/** How the lead of a slot splits the work (see README "Scale-out"). */
export interface FanOutSettings {
  /** `MAX_WORKERS`: most workers one slot starts. Default 8, at most 40 (the inline Map's limit). */
  maxWorkers: number;
  /**
   * `RESERVED_CONCURRENCY`: the function's reserved concurrency; a slot starts at most this
   * less one (kept for a manual invoke or an overlapping execution). Default 0: none, no cap.
   */
  reservedConcurrency: number;
  /** `ROWS_PER_WORKER`: due rows one worker serves in one slot. Default 300 (bench `scale` measures the rate). */
  rowsPerWorker: number;
}

export const DEFAULT_FAN_OUT: FanOutSettings = { maxWorkers: 8, reservedConcurrency: 0, rowsPerWorker: 300 };

export interface FanOutPlan {
  /** Due rows the census estimates for the slot. */
  dueEstimate: number;
  /** Shard groups, one per worker; every shard a row may carry is in exactly one group. */
  groups: number[][];
}

/** Most workers a slot may start: the setting, the inline Map's 40, and the reserved concurrency less one. */
export function workerCap(s: FanOutSettings): number {
  const reserved = s.reservedConcurrency > 0 ? s.reservedConcurrency - 1 : Infinity;
  return Math.max(1, Math.min(s.maxWorkers, INLINE_MAP_MAX_CONCURRENCY, reserved));
}

/**
 * Workers for `due` rows: enough that each serves at most `rowsPerWorker`, capped, and never
 * more than there are shards (a worker holds whole shards). Shards go round-robin, so groups
 * differ by at most one shard.
 */
export function planFanOut(shards: readonly number[], due: number, s: FanOutSettings): FanOutPlan {
  if (shards.length === 0) throw new Error('planFanOut: no shards to split');
  const wanted = Math.max(1, Math.ceil(due / Math.max(1, s.rowsPerWorker)));
  const workers = Math.min(wanted, workerCap(s), shards.length);
  const groups: number[][] = Array.from({ length: workers }, () => []);
  shards.forEach((shard, i) => groups[i % workers]!.push(shard));
  return { dueEstimate: due, groups };
}
