import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Dispatcher } from 'undici';
import type { Clock } from '../src/domain/clock.ts';
import { createProviderRegistry } from '../src/providers/registry.ts';
import { parseProviderConfigs } from '../src/providers/config.ts';
import { DEFAULT_CADENCE } from '../src/cadence/policy.ts';
import { Refresher } from '../src/refresh/refresher.ts';
import { runTick, type TickDeps, type TickOptions } from '../src/refresh/tick.ts';
import type { TickSummary } from '../src/refresh/tick-summary.ts';
import { DynamoStore } from '../src/store/dynamo-store.ts';
import type { DueRow, Store } from '../src/store/store.ts';
import { DynamoTokenResolver } from '../src/tokens/dynamo-token-resolver.ts';
import type { VirtualClock } from './virtual-clock.ts';
import { INDEX_NAME, localDocClient, type WorldConfig } from './world.ts';

/** The settings a deployment chooses (CONCURRENCY, PER_TOKEN_CONCURRENCY, BATCH_SIZE, TICK_BUDGET_MS). */
export interface WorkerSettings {
  concurrency: number;
  perTokenConcurrency: number;
  batchSize: number;
  tickBudgetMs: number;
  safetyMarginMs: number;
}

export const DEFAULT_SETTINGS: WorkerSettings = {
  concurrency: 10,
  perTokenConcurrency: 4,
  batchSize: 50,
  tickBudgetMs: 30_000,
  safetyMarginMs: 5_000,
};

/** A refresh as the store saw it: the staleAt the due index reported and when it was refreshed. */
export interface RefreshRecord {
  chatId: string;
  staleAt: number;
  refreshedAt: number;
}

export interface Worker {
  deps: TickDeps;
  options: TickOptions;
  refreshes: RefreshRecord[];
  close(): void;
}

/**
 * The product's parts, wired as the Lambda wires them: DynamoStore, DynamoTokenResolver, the
 * GitHub provider from GIT_PROVIDERS, the Refresher and runTick. `dispatcher` unset = the
 * container's shared undici agent, as in production.
 */
export function createWorker(
  world: WorldConfig,
  settings: WorkerSettings,
  clock: Clock,
  extras: { dispatcher?: Dispatcher; setupClient?: (client: DynamoDBClient) => void } = {},
): Worker {
  const doc = localDocClient(world.endpoint, extras.setupClient);
  const refreshes: RefreshRecord[] = [];
  const store = recordingStore(
    new DynamoStore({ doc, tableName: world.tableName, indexName: INDEX_NAME, shardCount: world.shardCount }),
    refreshes,
  );
  const registry = createProviderRegistry(parseProviderConfigs(world.gitProviders), {
    clock,
    ...(extras.dispatcher ? { dispatcher: extras.dispatcher } : {}),
  });
  const refresher = new Refresher({
    registry,
    tokens: new DynamoTokenResolver(doc, world.tokensTableName, clock),
    clock,
    concurrency: settings.concurrency,
    perTokenConcurrency: settings.perTokenConcurrency,
  });
  return {
    deps: { store, refresher, clock, policy: DEFAULT_CADENCE },
    options: { batchSize: settings.batchSize, tickBudgetMs: settings.tickBudgetMs, safetyMarginMs: settings.safetyMarginMs },
    refreshes,
    close: () => doc.destroy(),
  };
}

/**
 * Observes the store without changing it: remembers the staleAt each due row had when the
 * index returned it, and records a refresh when a successful write-back lands.
 */
function recordingStore(inner: Store, into: RefreshRecord[]): Store {
  const dueAt = new Map<string, number>();
  return {
    async queryDue(now, limit) {
      const due: DueRow[] = await inner.queryDue(now, limit);
      for (const d of due) dueAt.set(d.chatId, d.staleAt);
      return due;
    },
    claim: (chatId, lease) => inner.claim(chatId, lease),
    claimNow: (chatId, lease) => inner.claimNow(chatId, lease),
    async writeBack(chatId, leaseId, update) {
      const written = await inner.writeBack(chatId, leaseId, update);
      const staleAt = dueAt.get(chatId);
      const refreshedAt = update.set.refreshedAt;
      if (written && staleAt !== undefined && refreshedAt !== undefined) into.push({ chatId, staleAt, refreshedAt });
      return written;
    },
    getRow: (chatId) => inner.getRow(chatId),
    markStale: (chatId, mark) => inner.markStale(chatId, mark),
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
export async function runLoop(worker: Worker, clock: VirtualClock, until: number, intervalMs = 10_000): Promise<LoopRun> {
  const ticks: TickSummary[] = [];
  let scheduled = clock.now();
  for (;;) {
    clock.skipTo(scheduled);
    if (clock.now() >= until) break;
    const summary = await runTick(worker.deps, worker.options);
    ticks.push(summary);
    const now = clock.now();
    scheduled += intervalMs;
    if (summary.backlog || scheduled < now) scheduled = now;
  }
  return { ticks, endedAt: clock.now() };
}
