import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HttpAgent } from '../src/providers/http/agent.ts';
import type { Clock } from '../src/domain/clock.ts';
import { SLOT_INTERVAL_MS } from '../src/loop/rhythm.ts';
import { parseProviderConfigs } from '../src/providers/config.ts';
import type { ProviderRegistry } from '../src/providers/provider.ts';
import type { TokenResolver } from '../src/tokens/token-resolver.ts';
import type { HttpCacheStore } from '../src/store/http-cache-store.ts';
import type { TickSummary } from '../src/refresh/tick-summary.ts';
import type { DiffStatusRow } from '../src/domain/row.ts';
import { withWriteBack, type DueRow, type RowUpdate, type Store } from '../src/store/store.ts';
import { composeSystem, type System } from '../src/system/compose.ts';
import { settingsWith, type Settings } from '../src/system/settings.ts';
import type { VirtualClock } from './virtual-clock.ts';
import { RowLeaseStore } from './stores/row-lease-store.ts';
import { INDEX_NAME, localDocClient, type WorldConfig } from './world.ts';

/** The settings a deployment chooses that the bench varies (defaults: `DEFAULT_SETTINGS` of src/system/settings.ts). */
export type WorkerSettings = Pick<Settings, 'concurrency' | 'perTokenConcurrency' | 'batchSize' | 'tickBudgetMs' | 'safetyMarginMs'>;

/** Told of each write-back that landed: the row as claimed and what was written. */
export type WriteObserver = (claimed: DiffStatusRow, update: RowUpdate) => void;

/** A refresh as the store saw it: the staleAt the due index reported and when it was refreshed. */
export interface RefreshRecord {
  chatId: string;
  staleAt: number;
  refreshedAt: number;
}

export interface Worker {
  system: System;
  refreshes: RefreshRecord[];
  close(): void;
}

/**
 * The product's parts, wired by the composition root as the Lambda's are: the functions'
 * DynamoDB client, DynamoStore, DynamoTokenResolver, the GitHub provider of the world's
 * GIT_PROVIDERS, the Refresher and runTick. `dispatcher` unset = the container's shared HTTP
 * agent, as in production.
 */
export function createWorker(
  world: WorldConfig,
  settings: WorkerSettings,
  clock: Clock,
  extras: {
    dispatcher?: HttpAgent;
    setupClient?: (client: DynamoDBClient) => void;
    cadence?: Settings['cadence'];
    store?: Store;
    httpCache?: HttpCacheStore;
    registry?: ProviderRegistry;
    tokens?: TokenResolver;
    onWrite?: WriteObserver;
  } = {},
): Worker {
  const doc = localDocClient(world.endpoint, extras.setupClient);
  const refreshes: RefreshRecord[] = [];
  // The row-lease design is the bench's own store; the slot design's is the product's default.
  const store =
    extras.store ??
    (world.design === 'row-lease'
      ? new RowLeaseStore({ doc, tableName: world.tableName, indexName: INDEX_NAME['row-lease'], shardCount: world.shardCount })
      : undefined);
  const system = composeSystem({
    settings: settingsWith({
      ...settings,
      tableName: world.tableName,
      tokensTableName: world.tokensTableName,
      httpCacheTableName: world.httpCacheTableName,
      indexName: INDEX_NAME[world.design],
      cadence: extras.cadence,
      shardCount: world.shardCount,
      gitProviders: parseProviderConfigs(world.gitProviders),
    }),
    doc,
    ...(store ? { store } : {}),
    ...(extras.httpCache ? { httpCache: extras.httpCache } : {}),
    ...(extras.registry ? { registry: extras.registry } : {}),
    ...(extras.tokens ? { tokens: extras.tokens } : {}),
    observeStore: (inner) => recordingStore(inner, refreshes, extras.onWrite),
    clock,
    ...(extras.dispatcher ? { dispatcher: extras.dispatcher } : {}),
  });
  return { system, refreshes, close: () => doc.destroy() };
}

/**
 * Observes the store without changing it: remembers the staleAt each due row had when the
 * index returned it, and records a refresh when a successful write-back lands.
 */
export function recordingStore(inner: Store, into: RefreshRecord[], onWrite?: WriteObserver): Store {
  const dueAt = new Map<string, number>();
  const observed = withWriteBack(inner, async (claimed, lease, update) => {
    const written = await inner.writeBack(claimed, lease, update);
    if (written) onWrite?.(claimed, update);
    const staleAt = dueAt.get(claimed.chatId);
    const refreshedAt = update.set.refreshedAt;
    if (written && staleAt !== undefined && refreshedAt !== undefined) into.push({ chatId: claimed.chatId, staleAt, refreshedAt });
    return written;
  });
  return {
    ...observed,
    async queryDue(round, now, limit) {
      const due: DueRow[] = await inner.queryDue(round, now, limit);
      for (const d of due) dueAt.set(d.chatId, d.dueAt);
      return due;
    },
  };
}

export interface LoopRun {
  ticks: TickSummary[];
  /** Virtual instant the loop stopped (after its last tick). */
  endedAt: number;
}

/**
 * The state machine's loop on a virtual clock: a tick at start + k * interval (waits are
 * skipped, not slept), the next one at once when a tick reports a backlog or overran its slot.
 * No tick starts at or after `until`.
 */
export async function runLoop(worker: Worker, clock: VirtualClock, until: number, intervalMs = SLOT_INTERVAL_MS): Promise<LoopRun> {
  const ticks: TickSummary[] = [];
  let scheduled = clock.now();
  for (;;) {
    clock.skipTo(scheduled);
    if (clock.now() >= until) break;
    const summary = await worker.system.tick();
    ticks.push(summary);
    const now = clock.now();
    scheduled += intervalMs;
    if (summary.backlog || scheduled < now) scheduled = now;
  }
  return { ticks, endedAt: clock.now() };
}
