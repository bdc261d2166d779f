/** A setting is missing or invalid; the message names the environment variable. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export interface RefreshConfig {
  tableName: string;
  tokensTableName: string;
  indexName: string;
  shardCount: number;
  /** `slots` (default): shard leases, a write-back per refresh; `row-lease`: gitsync's first design (bench baseline). */
  dueIndexDesign: DueIndexDesign;
  /** The adaptive cadence's bounds (see cadence/adaptive-interval.ts); `fixed` polls every 120 s. */
  cadence: 'adaptive' | 'fixed';
  activeWindowMs: number;
  openCapMs: number;
  closedCapMs: number;
  batchSize: number;
  concurrency: number;
  perTokenConcurrency: number;
  tickBudgetMs: number;
  safetyMarginMs: number;
  /** Raw `GIT_PROVIDERS` JSON (parsed by the providers' own config reader). */
  gitProviders: string | undefined;
  /** Local DynamoDB endpoint; unset on AWS. */
  dynamodbEndpoint: string | undefined;
  /** EventBridge bus that hears every row change; unset: no change events. */
  changeEventBus: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

export type DueIndexDesign = 'slots' | 'row-lease';

/** What every function that writes the diff-status table needs. */
export type TableConfig = Pick<
  RefreshConfig,
  'tableName' | 'indexName' | 'shardCount' | 'dueIndexDesign' | 'dynamodbEndpoint' | 'changeEventBus'
>;

export function readTableConfig(env: Env): TableConfig {
  const dueIndexDesign = oneOf(env, 'DUE_INDEX_DESIGN', ['slots', 'row-lease'] as const, 'slots');
  return {
    tableName: required(env, 'TABLE_NAME'),
    dueIndexDesign,
    indexName: optional(env, 'STALE_INDEX_NAME') ?? (dueIndexDesign === 'slots' ? 'byDueShard' : 'byStaleAt'),
    shardCount: integer(env, 'SHARD_COUNT', 1, 1, 1_000),
    dynamodbEndpoint: url(env, 'DYNAMODB_ENDPOINT'),
    changeEventBus: optional(env, 'CHANGE_EVENT_BUS'),
  };
}

export function readRefreshConfig(env: Env): RefreshConfig {
  return {
    ...readTableConfig(env),
    tokensTableName: required(env, 'TOKENS_TABLE_NAME'),
    batchSize: integer(env, 'BATCH_SIZE', 50, 1, 1_000),
    concurrency: integer(env, 'CONCURRENCY', 10, 1, 256),
    perTokenConcurrency: integer(env, 'PER_TOKEN_CONCURRENCY', 4, 1, 256),
    tickBudgetMs: integer(env, 'TICK_BUDGET_MS', 30_000, 1_000, 900_000),
    safetyMarginMs: integer(env, 'SAFETY_MARGIN_MS', 5_000, 0, 60_000),
    gitProviders: optional(env, 'GIT_PROVIDERS'),
    cadence: oneOf(env, 'CADENCE', ['adaptive', 'fixed'] as const, 'adaptive'),
    activeWindowMs: integer(env, 'CADENCE_ACTIVE_WINDOW_MS', 3_600_000, 0, 7 * 86_400_000),
    openCapMs: integer(env, 'CADENCE_OPEN_CAP_MS', 600_000, 120_000, 86_400_000),
    closedCapMs: integer(env, 'CADENCE_CLOSED_CAP_MS', 21_600_000, 120_000, 7 * 86_400_000),
  };
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

export function required(env: Env, name: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new ConfigError(name, 'is required but not set');
  return value;
}

export function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function url(env: Env, name: string): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw;
}
