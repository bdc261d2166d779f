import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { start, type GitHostSim } from '../../src/dev/git-host-sim/server.ts';
import type { Clock } from '../../src/domain/clock.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { parseProviderConfigs } from '../../src/providers/config.ts';
import type { TickSummary } from '../../src/refresh/tick-summary.ts';
import { onceSlot } from '../../src/store/due-slot.ts';
import { DynamoDeliveryLog, DynamoWebhookStore } from '../../src/store/dynamo-webhook-store.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import { withWriteBack, type Store } from '../../src/store/store.ts';
import { composeSystem } from '../../src/system/compose.ts';
import { settingsWith } from '../../src/system/settings.ts';
import { composeWebhookReceiver, DEFAULT_WEBHOOK_SETTINGS, type WebhookReceiver } from '../../src/system/webhook-receiver.ts';
import { staticSecretSource } from '../../src/webhooks/secrets.ts';
import { DynamoFaults } from '../reliability/support/dynamo-faults.ts';
import { localDocClient, type TestTables } from '../support/dynamodb.ts';
import { insertedRow } from './support.ts';

export const SECRET = 'tick-and-hook-secret';

/** Runs before a write-back of one side; it may wait (to order a race) or throw. */
export type BeforeWriteBack = (row: DiffStatusRow) => Promise<void>;

/**
 * The real refresh tick and the real webhook receiver over one DynamoDB Local table and one
 * simulated GitHub, each with its own store (as the two functions have), so a test can hold
 * either side's write-back to order a race, and inject DynamoDB faults into the receiver's client.
 */
export interface TickAndHook {
  sim: GitHostSim;
  /** `127.0.0.1:PORT`: the configured host. */
  host: string;
  receiver: WebhookReceiver;
  /** Faults in the webhook function's DynamoDB client (inside the SDK's single attempt). */
  hookFaults: DynamoFaults;
  before: { tick?: BeforeWriteBack | undefined; hook?: BeforeWriteBack | undefined };
  tick(): Promise<TickSummary>;
  /** A row as another service inserts it, due now; `repoBranchKey` left to gitsync. */
  put(row: Partial<DiffStatusRow> & { chatId: string }): Promise<DiffStatusRow>;
  remove(chatId: string): Promise<void>;
  /** Puts a row back in its shard's base partition, due now (as a service may write it). */
  makeDue(chatId: string): Promise<void>;
  row(chatId: string): Promise<DiffStatusRow | undefined>;
  close(): Promise<void>;
}

/** `clock`: the time of the host, the tick and the receiver (default: the system clock). */
export async function tickAndHook(t: TestTables, { clock }: { clock?: Clock } = {}): Promise<TickAndHook> {
  const now = () => clock?.now() ?? Date.now();
  const sim = await start({
    seed: 'tick-and-hook',
    latency: 0,
    rates: { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0, ciFinish: 0 },
    tokens: { 'tok-alice': 'alice' },
    ...(clock ? { clock } : {}),
  });
  const host = new URL(sim.url).host;
  await t.doc.send(new PutCommand({ TableName: t.tokensTableName, Item: { ownerId: 'alice', providerHost: host, accessToken: 'tok-alice' } }));
  const settings = settingsWith({
    tableName: t.tableName,
    tokensTableName: t.tokensTableName,
    httpCacheTableName: t.httpCacheTableName,
    indexName: t.indexName,
    deliveriesTableName: t.deliveriesTableName,
    shardCount: 1,
    safetyMarginMs: 0,
    gitProviders: parseProviderConfigs(JSON.stringify([{ type: 'github', webUrl: sim.url, apiUrl: sim.apiUrl }])),
  });
  const before: TickAndHook['before'] = {};
  const gated = (side: 'tick' | 'hook') => (store: Store) =>
    withWriteBack(store, async (row, lease, update) => {
      await before[side]?.(row);
      return store.writeBack(row, lease, update);
    });
  const tickSystem = composeSystem({ settings, doc: t.doc, observeStore: gated('tick'), ...(clock ? { clock } : {}) });

  let faults: DynamoFaults | undefined;
  const hookDoc: DynamoDBDocumentClient = localDocClient(t.endpoint, {
    maxAttempts: 1,
    instrument: (client) => {
      faults = new DynamoFaults(client);
      return client;
    },
  });
  const hookSystem = composeSystem({ settings, doc: hookDoc, observeStore: gated('hook'), ...(clock ? { clock } : {}) });
  const receiver = composeWebhookReceiver(hookSystem, {
    settings: DEFAULT_WEBHOOK_SETTINGS,
    secrets: staticSecretSource(JSON.stringify({ [host]: SECRET })),
    rows: new DynamoWebhookStore({ doc: hookDoc, tableName: t.tableName, shardCount: 1 }),
    deliveries: new DynamoDeliveryLog({ doc: hookDoc, tableName: t.deliveriesTableName }),
  });

  return {
    sim,
    host,
    receiver,
    hookFaults: faults!,
    before,
    tick: () => tickSystem.tick({ batchSize: 10, tickBudgetMs: 20_000 }),
    async put(row) {
      const at = now();
      const full = insertedRow({ dueSlot: onceSlot(at - 1_000), ...row }, at, at - 1_000);
      await t.doc.send(new PutCommand({ TableName: t.tableName, Item: full }));
      return full;
    },
    async remove(chatId) {
      await t.doc.send(new DeleteCommand({ TableName: t.tableName, Key: { chatId } }));
    },
    async makeDue(chatId) {
      await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: { chatId },
          UpdateExpression: 'SET dueSlot = :slot, dueShard = :shard',
          ExpressionAttributeValues: { ':slot': onceSlot(now() - 1_000), ':shard': dueShardFor(chatId, 1) },
        }),
      );
    },
    async row(chatId) {
      const out = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { chatId }, ConsistentRead: true }));
      return out.Item as DiffStatusRow | undefined;
    },
    async close() {
      hookDoc.destroy();
      await sim.close();
    },
  };
}

/**
 * Holds `side`'s write-backs until `release()`: `reached` resolves when the first one gets
 * there (the side has fetched and holds its answer), so a test can order a race.
 */
export function holdWriteBack(w: TickAndHook, side: 'tick' | 'hook'): { reached: Promise<void>; release(): void } {
  let reach!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const go = new Promise<void>((resolve) => (release = resolve));
  w.before[side] = async () => {
    reach();
    await go;
  };
  return { reached, release };
}
