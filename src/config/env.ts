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

/** What every function that writes the diff-status table needs. */
export type TableConfig = Pick<
  RefreshConfig,
  'tableName' | 'indexName' | 'shardCount' | 'dynamodbEndpoint' | 'changeEventBus'
>;

export function readTableConfig(env: Env): TableConfig {
  return {
    tableName: required(env, 'TABLE_NAME'),
    indexName: optional(env, 'STALE_INDEX_NAME') ?? 'byStaleAt',
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
  };
}

export interface WebhookConfig
  extends TableConfig,
    Pick<RefreshConfig, 'tokensTableName' | 'concurrency' | 'perTokenConcurrency' | 'gitProviders'> {
  deliveriesTableName: string;
  /** Local runs: the secrets JSON itself. On AWS it is blank and `secretArn` names the secret. */
  secretsJson: string | undefined;
  secretArn: string | undefined;
  budgetMs: number;
  refreshRows: number;
  writeConcurrency: number;
}

/** The webhook function's settings; one of `WEBHOOK_SECRETS` and `WEBHOOK_SECRET_ARN` is required. */
export function readWebhookConfig(env: Env): WebhookConfig {
  const secretsJson = optional(env, 'WEBHOOK_SECRETS');
  const secretArn = optional(env, 'WEBHOOK_SECRET_ARN');
  if (!secretsJson && !secretArn) throw new ConfigError('WEBHOOK_SECRET_ARN', 'or WEBHOOK_SECRETS is required but neither is set');
  return {
    ...readTableConfig(env),
    tokensTableName: required(env, 'TOKENS_TABLE_NAME'),
    deliveriesTableName: required(env, 'DELIVERIES_TABLE_NAME'),
    concurrency: integer(env, 'CONCURRENCY', 10, 1, 256),
    perTokenConcurrency: integer(env, 'PER_TOKEN_CONCURRENCY', 4, 1, 256),
    gitProviders: optional(env, 'GIT_PROVIDERS'),
    secretsJson,
    secretArn,
    budgetMs: integer(env, 'WEBHOOK_BUDGET_MS', 6_000, 500, 60_000),
    refreshRows: integer(env, 'WEBHOOK_REFRESH_ROWS', 50, 0, 1_000),
    writeConcurrency: integer(env, 'WEBHOOK_WRITE_CONCURRENCY', 25, 1, 256),
  };
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
