import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Log } from '../../src/domain/log.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { DEFAULT_BACKOFF } from '../../src/refresh/backoff.ts';
import type { ChangePublisher, RowChange } from '../../src/refresh/change-publisher.ts';
import { Refresher } from '../../src/refresh/refresher.ts';
import { runTick, type TickDeps, type TickOptions } from '../../src/refresh/tick.ts';
import { DynamoStore } from '../../src/store/dynamo-store.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import type { Store } from '../../src/store/store.ts';
import type { TestTables } from './dynamodb.ts';
import { FakeProvider, FakeRegistry, FakeTokens, ManualClock } from './fakes.ts';

export class RecordingPublisher implements ChangePublisher {
  readonly changes: RowChange[] = [];
  async publish(change: RowChange): Promise<void> {
    this.changes.push(change);
  }
}

export class RecordingLog implements Log {
  readonly lines: { level: string; message: string; extra: object[] }[] = [];
  info(message: string, ...extra: object[]) {
    this.lines.push({ level: 'info', message, extra });
  }
  warn(message: string, ...extra: object[]) {
    this.lines.push({ level: 'warn', message, extra });
  }
  error(message: string, ...extra: object[]) {
    this.lines.push({ level: 'error', message, extra });
  }
}

export interface Pipeline {
  store: DynamoStore;
  provider: FakeProvider;
  tokens: FakeTokens;
  clock: ManualClock;
  publisher: RecordingPublisher;
  log: RecordingLog;
  deps(overrides?: Partial<TickDeps>): TickDeps;
  tick(options?: Partial<TickOptions>, overrides?: Partial<TickDeps>): ReturnType<typeof runTick>;
  put(row: Partial<DiffStatusRow> & { chatId: string }): Promise<DiffStatusRow>;
  get(chatId: string): Promise<DiffStatusRow>;
}

export const TICK_DEFAULTS: TickOptions = { batchSize: 50, tickBudgetMs: 30_000, safetyMarginMs: 5_000 };

/** The real store and tick over DynamoDB Local, with an in-process provider and tokens. */
export function pipeline(t: TestTables, options: { shardCount?: number; concurrency?: number } = {}): Pipeline {
  const shardCount = options.shardCount ?? 1;
  const store = new DynamoStore({ doc: t.doc, tableName: t.tableName, indexName: t.indexName, shardCount });
  const provider = new FakeProvider();
  const tokens = new FakeTokens();
  const clock = new ManualClock();
  const publisher = new RecordingPublisher();
  const log = new RecordingLog();
  const refresher = new Refresher({
    registry: new FakeRegistry(provider),
    tokens,
    clock,
    concurrency: options.concurrency ?? 10,
    perTokenConcurrency: 4,
    log,
  });
  const deps = (overrides: Partial<TickDeps> = {}): TickDeps => ({
    store,
    refresher,
    clock,
    policy: DEFAULT_BACKOFF,
    random: () => 0,
    publisher,
    log,
    ...overrides,
  });
  return {
    store,
    provider,
    tokens,
    clock,
    publisher,
    log,
    deps,
    tick: (opts = {}, overrides = {}) => runTick(deps(overrides), { ...TICK_DEFAULTS, ...opts }),
    async put(row) {
      const full: DiffStatusRow = {
        ownerId: 'alice',
        gitRemoteOrigin: 'https://git.test/o/r',
        gitBranch: `branch-${row.chatId}`,
        createdAt: clock.now() - 3_600_000,
        updatedAt: clock.now() - 3_600_000,
        staleAt: clock.now() - 1_000,
        dueShard: dueShardFor(row.chatId, shardCount),
        ...row,
      };
      await t.doc.send(new PutCommand({ TableName: t.tableName, Item: full }));
      return full;
    },
    async get(chatId) {
      const row = await store.getRow(chatId);
      if (!row) throw new Error(`row ${chatId} is gone`);
      return row;
    },
  };
}

/** A store whose chosen operations fail, to prove the tick survives its seam failing. */
export function failingStore(inner: Store, fail: Partial<Record<keyof Store, (chatId?: string) => boolean>>): Store {
  const guard = <A extends unknown[], R>(name: keyof Store, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (fail[name]?.(typeof args[0] === 'string' ? args[0] : undefined)) throw new Error(`injected ${name} failure`);
      return fn(...args);
    };
  return {
    queryDue: guard('queryDue', inner.queryDue.bind(inner)),
    claim: guard('claim', inner.claim.bind(inner)),
    claimNow: guard('claimNow', inner.claimNow.bind(inner)),
    writeBack: guard('writeBack', inner.writeBack.bind(inner)),
    getRow: guard('getRow', inner.getRow.bind(inner)),
    markStale: guard('markStale', inner.markStale.bind(inner)),
  };
}
