/**
 * DynamoDB's ceiling per partition, base table or index (AWS developer guide): beyond it the
 * partition throttles, and a throttled index throttles the base table's writes too.
 */
export const PARTITION_WRITE_UNITS_PER_SECOND = 1_000;
export const PARTITION_READ_UNITS_PER_SECOND = 3_000;
/** The rule aims at half the ceiling: a burst (a mass push, the catch-up after an outage) has room. */
export const PARTITION_HEADROOM = 0.5;
/** Inline Map runs at most 40 iterations at once (Step Functions quota). */
export const INLINE_MAP_MAX_CONCURRENCY = 40;
