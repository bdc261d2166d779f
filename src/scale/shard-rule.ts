import { PARTITION_HEADROOM, PARTITION_READ_UNITS_PER_SECOND, PARTITION_WRITE_UNITS_PER_SECOND } from './partition-limits.ts';

/** What the rule needs to know about a deployment; figures from the bench (`scale`) or the README. */
export interface Deployment {
  rows: number;
  /** The shortest refresh interval a row gets (adaptive cadence floor / fixed 120 s). */
  minPeriodMs: number;
  /** Rows one worker refreshes per second (bench `scale.workers[0].refreshesPerSecond`). */
  workerRefreshesPerSecond: number;
  /** Due-index write units one refresh costs at most (a moved slot: 1; a shard move: 2). */
  indexWritesPerRefresh: number;
  /** Bytes one due-index entry returns to a query (keys + `dueSlot`). */
  indexEntryBytes: number;
  /** BATCH_SIZE: rows a worker takes per shard read. */
  batchSize: number;
}

export interface ShardPlan {
  /** Refreshes per second the table needs when every row is at its shortest interval. */
  refreshesPerSecond: number;
  shards: number;
  workers: number;
  /** Worst-case due-index write units per second on one partition. */
  indexWritesPerPartitionPerSecond: number;
  /** Worst-case due-index read units per second on one partition (each batch reads its shards whole). */
  indexReadsPerPartitionPerSecond: number;
}

/**
 * Row count to shard and worker count. R = rows / minPeriod refreshes/s; W = ceil(R / per-worker
 * rate); S = smallest count, at least W (a worker holds whole shards), with
 *   writes per partition = R * indexWritesPerRefresh / S            <= 1,000 * headroom
 *   reads per partition  = (rows / S) * entryBytes / 8 KiB          (one eventually consistent query)
 *                          * R / (W * batchSize)                     (queries per second of its owner)
 *                                                                   <= 3,000 * headroom
 */
export function planShards(d: Deployment): ShardPlan {
  const refreshesPerSecond = d.rows / (d.minPeriodMs / 1_000);
  const workers = Math.max(1, Math.ceil(refreshesPerSecond / d.workerRefreshesPerSecond));
  const writes = (s: number) => (refreshesPerSecond * d.indexWritesPerRefresh) / s;
  const reads = (s: number) => (((d.rows / s) * d.indexEntryBytes) / 8_192) * (refreshesPerSecond / (workers * d.batchSize));
  let shards = workers;
  while (writes(shards) > PARTITION_WRITE_UNITS_PER_SECOND * PARTITION_HEADROOM || reads(shards) > PARTITION_READ_UNITS_PER_SECOND * PARTITION_HEADROOM) {
    shards += 1;
  }
  return {
    refreshesPerSecond,
    shards,
    workers,
    indexWritesPerPartitionPerSecond: writes(shards),
    indexReadsPerPartitionPerSecond: reads(shards),
  };
}
