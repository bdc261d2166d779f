/**
 * A read-only look at the due index for the lead of a slot, who decides how many workers to
 * start: no lease is taken and nothing is marked served.
 */
export interface DueCensus {
  /** Every shard a row may carry (the SHARD_COUNT setting, or more while rows still sit on a higher old count). */
  shardsInUse(): Promise<number[]>;
  /** Rows of `shard` a round beginning at `now` would find due (one shard read plus its lease item). */
  countDue(shard: number, now: number): Promise<number>;
}
