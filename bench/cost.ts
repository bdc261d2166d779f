/**
 * DynamoDB on-demand prices used for the projection: us-east-1, per million request units,
 * as published after AWS's 1 Nov 2024 on-demand price cut (figures supplied with the task,
 * not re-checked online from this machine).
 */
export const ON_DEMAND_PRICES = {
  region: 'us-east-1',
  asOf: '2024-11-01',
  usdPerMillionWriteUnits: 0.625,
  usdPerMillionReadUnits: 0.125,
} as const;

export const SECONDS_PER_MONTH = 30 * 24 * 3600;

/**
 * Every price the all-in projection uses (bench section `cost`): us-east-1, on-demand / pay per
 * use, as supplied with the task's platform facts (read 2026-11-30; DynamoDB after the 1 Nov
 * 2024 cut; not re-checked online from this machine).
 */
export const PRICES = {
  region: 'us-east-1',
  readOn: '2026-11-30',
  dynamodb: { usdPerMillionWriteUnits: 0.625, usdPerMillionReadUnits: 0.125, usdPerGbMonth: 0.25 },
  lambdaArm64: { usdPerGbSecond: 0.0000133334, usdPerMillionRequests: 0.2 },
  stepFunctionsExpress: { usdPerMillionRequests: 1.0, usdPerGbSecond: 0.00001667, billedMemoryGb: 0.064 },
  eventBridge: { usdPerMillionEvents: 1.0 },
} as const;

export interface CostInput {
  rows: number;
  ttlSeconds: number;
  /** Write / read request units per refreshed row (table + GSI; tokens table included). */
  wruPerRefresh: number;
  rruPerRefresh: number;
  /** Read units of one tick that finds its batch (the due-index queries). */
  rruPerTick: number;
  ticksPerMonth: number;
}

export interface MonthlyCost {
  refreshesPerMonth: number;
  writeUsd: number;
  readUsd: number;
  tickUsd: number;
  totalUsd: number;
}

/**
 * refreshes/month = rows * (seconds per month / TTL);
 * USD = refreshes * (WRU * write price + RRU * read price) / 1e6 + ticks * tick RRU * read price / 1e6.
 */
export function monthlyCost(c: CostInput, prices = ON_DEMAND_PRICES): MonthlyCost {
  const refreshesPerMonth = c.rows * (SECONDS_PER_MONTH / c.ttlSeconds);
  const writeUsd = (refreshesPerMonth * c.wruPerRefresh * prices.usdPerMillionWriteUnits) / 1e6;
  const readUsd = (refreshesPerMonth * c.rruPerRefresh * prices.usdPerMillionReadUnits) / 1e6;
  const tickUsd = (c.ticksPerMonth * c.rruPerTick * prices.usdPerMillionReadUnits) / 1e6;
  return { refreshesPerMonth, writeUsd, readUsd, tickUsd, totalUsd: writeUsd + readUsd + tickUsd };
}
