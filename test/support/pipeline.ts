import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Log } from '../../src/domain/log.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import type { ChangePublisher, RowChange } from '../../src/refresh/change-publisher.ts';
import type { runTick, TickDeps, TickOptions } from '../../src/refresh/tick.ts';
import { onceSlot } from '../../src/store/due-slot.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import type { Store } from '../../src/store/store.ts';
import { composeSystem, type System } from '../../src/system/compose.ts';
import { settingsWith } from '../../src/system/settings.ts';
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
  system: System;
  store: Store;
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

/** The real store and tick over DynamoDB Local, with an in-process provider and tokens, wired by the composition root. */
export function pipeline(t: TestTables, options: { shardCount?: number; concurrency?: number } = {}): Pipeline {
  const shardCount = options.shardCount ?? 1;
  const provider = new FakeProvider();
  const tokens = new FakeTokens();
  const clock = new ManualClock();
  const publisher = new RecordingPublisher();
  const log = new RecordingLog();
  const system = composeSystem({
    settings: settingsWith({ tableName: t.tableName, indexName: t.indexName, shardCount, concurrency: options.concurrency, httpCacheTableName: t.httpCacheTableName }),
    doc: t.doc,
    tokens,
    registry: new FakeRegistry(provider),
    clock,
    publisher,
    log,
    random: () => 0,
  });
  const store = system.store;
  return {
    system,
    store,
    provider,
    tokens,
    clock,
    publisher,
    log,
    deps: (overrides = {}) => system.tickDeps(overrides),
    tick: (opts = {}, overrides = {}) => system.tick(opts, overrides),
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
      // As a service inserting a row due at `staleAt` would write it.
      if (full.dueSlot === undefined && typeof full.staleAt === 'number' && full.dueShard !== undefined) full.dueSlot = onceSlot(full.staleAt);
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
  const chatIdOf = (args: unknown[]): string | undefined =>
    (args.find((a) => typeof a === 'string') as string | undefined) ?? (args[0] as { chatId?: string } | undefined)?.chatId;
  const guard = <A extends unknown[], R>(name: keyof Store, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (fail[name]?.(chatIdOf(args))) throw new Error(`injected ${name} failure`);
      return fn(...args);
    };
  return {
    beginRound: guard('beginRound', inner.beginRound.bind(inner)),
    endRound: guard('endRound', inner.endRound.bind(inner)),
    queryDue: guard('queryDue', inner.queryDue.bind(inner)),
    claim: guard('claim', inner.claim.bind(inner)),
    claimNow: guard('claimNow', inner.claimNow.bind(inner)),
    writeBack: guard('writeBack', inner.writeBack.bind(inner)),
    getRow: guard('getRow', inner.getRow.bind(inner)),
    markStale: guard('markStale', inner.markStale.bind(inner)),
  };
}
