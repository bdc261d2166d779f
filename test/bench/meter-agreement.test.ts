import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_CADENCE } from '../../src/cadence/policy.ts';
import type { RefreshResult } from '../../src/domain/refresh-result.ts';
import type { DiffStatusRow, PullRequestStatus } from '../../src/domain/row.ts';
import { markStale } from '../../src/ops/mark-stale.ts';
import { refreshNow } from '../../src/ops/refresh-now.ts';
import type { RowRefresher } from '../../src/refresh/pipeline.ts';
import { runTick } from '../../src/refresh/tick.ts';
import { leadTask, workerTask, type SlotParts } from '../../src/loop/slot.ts';
import { onceSlot } from '../../src/store/due-slot.ts';
import { DynamoStore } from '../../src/store/dynamo-store.ts';
import { DynamoHttpCacheStore } from '../../src/store/dynamo-http-cache-store.ts';
import type { HttpCacheStore } from '../../src/store/http-cache-store.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import type { Store } from '../../src/store/store.ts';
import type { DueCensus } from '../../src/store/due-census.ts';
import { CapacityMeter } from '../../bench/capacity-meter.ts';
import { templateDefaults } from '../../bench/bill.ts';
import { MemoryStore, type CapacityCharge } from '../../bench/stores/memory-store.ts';
import { MemoryHttpCache } from '../../bench/stores/memory-http-cache.ts';
import { createTestTables, localDocClient, type TestTables } from '../support/dynamodb.ts';
import { ManualClock } from '../support/fakes.ts';

const opened: TestTables[] = [];
after(() => Promise.all(opened.map((t) => t.close())));

const DEFAULTS = templateDefaults();
const ROWS = 48;
const SLOTS = 60;

function status(i: number, additions: number): PullRequestStatus {
  return {
    url: `https://github.com/acme/api/pull/${i}`,
    pullRequestState: i % 3 === 0 ? 'merged' : 'open',
    pullRequestTitle: `Work on chat ${i}: a title of ordinary length`,
    pullRequestDraft: false,
    changesRequested: false,
    additions,
    deletions: 10,
    changedFiles: 3,
    authorLogin: 'some-developer',
    authorAvatarUrl: 'https://avatars.githubusercontent.com/u/1234567?v=4',
    baseBranch: 'main',
    headBranch: `feature/chat-${i}`,
    prNumber: i,
    commits: 3,
    approved: false,
    reviewerCount: 1,
  };
}

function seed(i: number, t0: number): DiffStatusRow {
  const chatId = `chat-${String(i).padStart(3, '0')}`;
  const due = t0 + ((i * 7_919) % 120_000);
  const base: DiffStatusRow = {
    chatId,
    ownerId: `owner-${i % 5}`,
    gitRemoteOrigin: 'https://github.com/acme/api',
    gitBranch: `feature/${chatId}`,
    createdAt: t0 - 86_400_000,
    updatedAt: t0 - 3_600_000,
    changedAt: t0 - 3_600_000,
    staleAt: due,
    dueSlot: onceSlot(due),
    dueShard: dueShardFor(chatId, DEFAULTS.shardCount),
  };
  if (i % 6 === 0) return base; // a branch without a PR yet
  return { ...base, ...status(i, 100), refreshedAt: t0 - 60_000 };
}

/** The same answers for both stores: every fifth open PR grows by one line per refresh, the rest are unchanged. */
function refresher(): RowRefresher {
  return {
    async refresh(batch, _run, onResult) {
      return batch.map((row, i) => {
        const n = Number(row.chatId.slice(5));
        let answer: RefreshResult;
        if (n % 6 === 0) answer = { kind: 'no_pr', httpCache: {} };
        else {
          const grows = n % 5 === 0 && row.pullRequestState === 'open';
          answer = {
            kind: 'refreshed',
            httpCache: { pull: { etag: `"${row.chatId}-${row.additions ?? 0}"`, value: { number: n } } },
            status: status(n, (row.additions ?? 0) + (grows ? 1 : 0)),
          };
        }
        onResult?.(i, answer);
        return answer;
      });
    },
  };
}

/** Ten minutes of slots at the template's defaults: the slot lead (census, tick), pushes and a refresh-now in between. */
async function run(store: Store & DueCensus, httpCache: HttpCacheStore, clock: ManualClock): Promise<number> {
  let refreshed = 0;
  const deps = { store, httpCache, refresher: refresher(), clock, policy: DEFAULT_CADENCE, random: () => 0.5 };
  const parts: SlotParts = {
    census: store,
    fanOut: DEFAULTS.fanOut,
    tick: (run) => runTick(deps, { batchSize: DEFAULTS.batchSize, tickBudgetMs: DEFAULTS.tickBudgetMs, safetyMarginMs: DEFAULTS.safetyMarginMs, ...run }),
  };
  const t0 = clock.now();
  for (let slot = 0; slot < SLOTS; slot++) {
    clock.current = t0 + slot * 10_000;
    if (slot % 7 === 3) await markStale(store, clock, { chatIds: [`chat-${String(slot % ROWS).padStart(3, '0')}`], branch: 'x', origin: 'https://github.com/acme/api' }, {});
    if (slot % 11 === 5) await refreshNow(deps, `chat-${String((slot * 3) % ROWS).padStart(3, '0')}`).catch(() => null);
    const lead = await leadTask(parts, slot, clock.now());
    for (const group of lead.groups) refreshed += (await workerTask(parts, group)).refreshed;
    refreshed += lead.refreshed;
  }
  return refreshed;
}

test('the bill\'s units (MemoryStore\'s and MemoryHttpCache\'s charges) agree with what DynamoDB Local reports for the same calls, each table apart', async () => {
  const t = await createTestTables();
  opened.push(t);
  const t0 = Date.UTC(2026, 10, 30, 12);
  const rows = Array.from({ length: ROWS }, (_, i) => seed(i, t0));

  const meter = new CapacityMeter((name) => (name === t.tableName ? 'diff-status' : name === t.httpCacheTableName ? 'http-cache' : name));
  const metered = localDocClient(t.endpoint, { instrument: (c) => (meter.attach(c), c) });
  for (const row of rows) await t.doc.send(new PutCommand({ TableName: t.tableName, Item: row }));
  const dynamoClock = new ManualClock(t0);
  const dynamo = new DynamoStore({ doc: metered, tableName: t.tableName, indexName: t.indexName, shardCount: DEFAULTS.shardCount, clock: dynamoClock });
  const dynamoCache = new DynamoHttpCacheStore({ doc: metered, tableName: t.httpCacheTableName, clock: dynamoClock });

  const charged = { rows: { read: 0, write: 0 }, cache: { read: 0, write: 0 } };
  const byOperation: Record<string, { read: number; write: number; calls: number }> = {};
  const onCharge = (c: CapacityCharge) => {
    const into = c.operation === 'cacheRead' || c.operation === 'cacheWrite' ? charged.cache : charged.rows;
    into.read += c.read;
    into.write += c.write;
    const o = (byOperation[c.operation] ??= { read: 0, write: 0, calls: 0 });
    o.read += c.read;
    o.write += c.write;
    o.calls += 1;
  };
  const memoryClock = new ManualClock(t0);
  const memory = new MemoryStore({ shardCount: DEFAULTS.shardCount, clock: memoryClock, onCharge });
  const memoryCache = new MemoryHttpCache({ clock: memoryClock, onCharge });
  for (const row of rows) memory.put(row);

  try {
    const refreshedOnDynamo = await run(dynamo, dynamoCache, dynamoClock);
    const refreshedInMemory = await run(memory, memoryCache, memoryClock);
    assert.equal(refreshedInMemory, refreshedOnDynamo, 'the same run on both stores');
    assert.ok(refreshedOnDynamo > ROWS, 'rows were refreshed, some more than once');

    const measured = (table: string) => {
      let read = 0;
      let write = 0;
      for (const [label, units] of Object.entries(meter.totals())) {
        if (!label.includes(table)) continue;
        read += units.read;
        write += units.write;
      }
      return { read, write };
    };
    const near = (model: number, reported: number, what: string) =>
      assert.ok(Math.abs(model - reported) <= Math.max(1, 0.015 * reported), `${what}: the bill charged ${model}, DynamoDB Local reported ${reported}\n${JSON.stringify(meter.totals())}\n${JSON.stringify(byOperation)}`);
    const rowsTable = measured('diff-status');
    near(charged.rows.write, rowsTable.write, 'write units');
    near(charged.rows.read, rowsTable.read, 'read units');
    // Reads of chats without an item yet (their first refresh) are in it: DynamoDB Local bills them nothing.
    const cacheTable = measured('http-cache');
    assert.ok(byOperation['cacheWrite']!.calls > 0 && byOperation['cacheRead']!.calls > 0, 'the cache table was read and written');
    assert.ok(byOperation['cacheWrite']!.calls < refreshedOnDynamo, 'not at every refresh: only when the entries changed');
    near(charged.cache.write, cacheTable.write, 'HTTP cache table write units');
    near(charged.cache.read, cacheTable.read, 'HTTP cache table read units');
  } finally {
    metered.destroy();
  }
});
