import { DEFAULT_CADENCE, type CadencePolicy } from '../cadence/policy.ts';
import { DEFAULT_PROVIDERS } from '../providers/config.ts';
import type { ProviderConfig } from '../providers/provider-config.ts';
import { DEFAULT_ROW_TIME_SHARE_MS } from '../refresh/refresher.ts';
import { DEFAULT_FAN_OUT, type FanOutSettings } from '../loop/fan-out.ts';
import { DEFAULT_TOKEN_MEMORY_MS } from '../tokens/remembered-tokens.ts';

/**
 * What a deployment chooses: the one place their defaults live. `from-env.ts` reads them from
 * the environment (the variable is named on each), the bench and the tests set them directly.
 */
export interface Settings {
  /** `TABLE_NAME`: the diff-status table. Required. */
  tableName: string;
  /** `TOKENS_TABLE_NAME`: the tokens table. Required to refresh; marking rows stale does without. */
  tokensTableName: string | undefined;
  /** `STALE_INDEX_NAME`: the due GSI. Default `byDueShard`. */
  indexName: string;
  /** `SHARD_COUNT`: due-index shards `due#0..N-1`. Default 1. */
  shardCount: number;
  /** `BATCH_SIZE`: rows acquired per batch. Default 50. */
  batchSize: number;
  /** `CONCURRENCY`: refreshes in flight at once. Default 10. */
  concurrency: number;
  /** `PER_TOKEN_CONCURRENCY`: refreshes in flight at once per token (GitHub asks for serial requests). Default 4. */
  perTokenConcurrency: number;
  /** `TICK_BUDGET_MS`: the tick's own time budget, independent of the 10 s slot. Default 30 s. */
  tickBudgetMs: number;
  /** `SAFETY_MARGIN_MS`: Lambda time (and loop-minute time) kept back for write-backs. Default 5 s. */
  safetyMarginMs: number;
  /** Conditional writes (claims, write-backs) in flight at once. Default 10. */
  writeConcurrency: number;
  /**
   * Longest one row's requests may take from their start; a slower host fails the row as
   * `slow_host` instead of holding a slot until the deadline. Default 10 s (not read from the
   * environment).
   */
  rowTimeShareMs: number;
  /** `GIT_PROVIDERS`: the git hosts a token may be sent to. Default github.com, gitlab.com, bitbucket.org and dev.azure.com. */
  gitProviders: readonly ProviderConfig[];
  /** When rows are next due, per outcome. Default `DEFAULT_CADENCE`. */
  cadence: CadencePolicy;
  /** How a slot's lead splits the work over workers (`MAX_WORKERS`, `RESERVED_CONCURRENCY`, `ROWS_PER_WORKER`). */
  fanOut: FanOutSettings;
  /**
   * `DELIVERIES_TABLE_NAME`: where the webhook function records each host's last delivery, so
   * open PRs on hosts that deliver poll at the safety cadence. Default unset: only hosts
   * configured with `"webhooks": true` relax.
   */
  deliveriesTableName: string | undefined;
  /**
   * `HTTP_CACHE_TABLE_NAME`: the HTTP cache table, each row's conditional-request validators
   * (gitsync's own). Required to refresh; marking rows stale does without.
   */
  httpCacheTableName: string | undefined;
  /** `TOKEN_MEMORY_MS`: how long a container uses a personal token it read (0: read it for every batch). Default 5 min. */
  tokenMemoryMs: number;
}

export const DEFAULT_SETTINGS: Omit<Settings, 'tableName'> = {
  tokensTableName: undefined,
  indexName: 'byDueShard',
  shardCount: 1,
  batchSize: 50,
  concurrency: 10,
  perTokenConcurrency: 4,
  tickBudgetMs: 30_000,
  safetyMarginMs: 5_000,
  writeConcurrency: 10,
  rowTimeShareMs: DEFAULT_ROW_TIME_SHARE_MS,
  gitProviders: DEFAULT_PROVIDERS,
  cadence: DEFAULT_CADENCE,
  fanOut: DEFAULT_FAN_OUT,
  deliveriesTableName: undefined,
  httpCacheTableName: undefined,
  tokenMemoryMs: DEFAULT_TOKEN_MEMORY_MS,
};

/** The table name and whatever differs from the defaults; an `undefined` field keeps its default. */
export type SettingsInput = Pick<Settings, 'tableName'> & { [K in keyof Settings]?: Settings[K] | undefined };

export function settingsWith(input: SettingsInput): Settings {
  const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  return { ...DEFAULT_SETTINGS, ...given } as Settings;
}
