/**
 * The refresh loop with fan-out: the real definition (infra/) run by aws-local-stepfunctions,
 * its lead and worker Tasks bound to the real refresh handler against DynamoDB Local, on a
 * virtual clock (see refresh-loop.test.ts). Four due-index shards, up to four workers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, mock, test } from 'node:test';
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import { stateMachineSource, substituteDefinition } from '../../src/dev/state-machine.ts';
import { loadTemplate } from '../../src/dev/template.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import type { LeadAnswer } from '../../src/loop/lead.ts';
import { isBookkeepingItem } from '../../src/store/bookkeeping.ts';
import { onceSlot } from '../../src/store/due-slot.ts';
import { DynamoStore } from '../../src/store/dynamo-store.ts';
import { dueShardFor, parsePartition } from '../../src/store/shard.ts';
import type { TickSummary } from '../../src/refresh/tick-summary.ts';
import { createTestTables, refreshFunctionEnv, type TestTables } from '../support/dynamodb.ts';

const SHARDS = 4;
const ROWS = 40;
const TICK_BUDGET_MS = 10_000;
const SAFETY_MARGIN_MS = 5_000;
const definition = substituteDefinition(stateMachineSource(loadTemplate(), 'RefreshLoop').text, { RefreshFunctionArn: 'arn:fn' });
const scheduledEvent: unknown = JSON.parse(readFileSync('events/scheduled.json', 'utf8'));

let t: TestTables;
let refresh: (event: unknown, context: Context) => Promise<TickSummary | LeadAnswer>;

before(async () => {
  t = await createTestTables();
  Object.assign(process.env, refreshFunctionEnv(t), {
    SHARD_COUNT: String(SHARDS),
    MAX_WORKERS: '4',
    ROWS_PER_WORKER: '3',
    TICK_BUDGET_MS: String(TICK_BUDGET_MS),
    SAFETY_MARGIN_MS: String(SAFETY_MARGIN_MS),
  });
  ({ handler: refresh } = await import('../../src/handler/refresh.ts'));
});
after(async () => {
  mock.timers.reset();
  await t.close();
});

interface Call {
  execution: number;
  state: 'Refresh' | 'Work';
  at: string;
  shards?: number[];
  answer?: TickSummary | LeadAnswer;
  killed?: boolean;
}

/** Rows of owners without a token: a refresh is a claim and a backed-off write-back, no HTTP. */
async function seedDueRows(start: number): Promise<void> {
  const old = (await t.doc.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }))).Items ?? [];
  for (const item of old) await t.doc.send(new DeleteCommand({ TableName: t.tableName, Key: { chatId: item['chatId'] } }));
  for (let i = 0; i < ROWS; i++) {
    const chatId = `fan-${i}`;
    const row: DiffStatusRow = {
      chatId,
      ownerId: 'owner-without-token',
      gitRemoteOrigin: 'https://github.com/o/r.git',
      gitBranch: 'feature',
      staleAt: start - 5_000,
      dueSlot: onceSlot(start - 5_000),
      dueShard: dueShardFor(chatId, SHARDS),
      createdAt: start - 60_000,
      updatedAt: start - 60_000,
    };
    await t.doc.send(new PutCommand({ TableName: t.tableName, Item: row }));
  }
}

const shardOf = (chatId: string) => parsePartition(dueShardFor(chatId, SHARDS))!.shard;

/**
 * Runs loop executions that start at the given instants, all at once on one virtual clock.
 * `kill(call)` true: that worker takes its shard leases as a real tick does, then dies.
 */
async function runLoops(starts: string[], kill?: (call: Call) => boolean): Promise<Call[]> {
  mock.timers.enable({ apis: ['Date'], now: Date.parse(starts[0]!) });
  const calls: Call[] = [];
  const context = { State: { get EnteredTime() { return new Date().toISOString(); } } };
  const task = (execution: number, state: Call['state']) => async (raw: unknown) => {
    const payload = (raw as { Payload: Record<string, unknown> }).Payload;
    const slot = Date.parse(String(payload['slot']));
    if (slot > Date.now()) mock.timers.setTime(slot); // the Wait ended at its target
    const call: Call = { execution, state, at: new Date().toISOString(), ...(Array.isArray(payload['shards']) ? { shards: payload['shards'] as number[] } : {}) };
    calls.push(call);
    if (kill?.(call)) {
      call.killed = true;
      await killedMidTick(call.shards!);
      throw Object.assign(new Error('Task timed out'), { name: 'States.Timeout' });
    }
    const answer = await refresh(payload, lambdaContext());
    call.answer = answer;
    return { StatusCode: 200, Payload: answer } as never;
  };
  try {
    await Promise.all(
      starts.map(async (startAt, execution) => {
        const at = Date.parse(startAt);
        while (Date.now() < at) await new Promise((r) => setImmediate(r));
        const machine = new StateMachine(definition as never);
        await machine.run(scheduledEvent as never, {
          context: { ...context, Execution: { StartTime: startAt } },
          overrides: {
            waitTimeOverrides: { WaitForSlot: 0 },
            retryIntervalOverrides: { Refresh: 0, Work: 0 },
            taskResourceLocalHandlers: { Refresh: task(execution, 'Refresh'), Work: task(execution, 'Work') },
          },
        }).result;
      }),
    );
    return calls;
  } finally {
    mock.timers.reset();
  }
}

/** What a worker leaves behind when Lambda kills it after it leased its shards: the leases, nothing else. */
async function killedMidTick(shards: number[]): Promise<void> {
  const store = new DynamoStore({ doc: t.doc, tableName: t.tableName, indexName: t.indexName, shardCount: SHARDS });
  const now = Date.now();
  // The lease a real tick takes: its deadline plus the safety margin plus the tick's grace.
  const round = await store.beginRound({ id: 'killed', takenAt: now, expiresAt: now + TICK_BUDGET_MS + SAFETY_MARGIN_MS + 5_000 }, shards);
  assert.deepEqual([...round.shards], shards, 'the victim held its shards');
  await store.queryDue(round, now, 50);
}

function lambdaContext(): Context {
  const deadline = performance.now() + 40_000;
  return { functionName: 'RefreshFunction', awsRequestId: crypto.randomUUID(), getRemainingTimeInMillis: () => Math.max(0, deadline - performance.now()) } as Context;
}

const claimed = (calls: Call[]) => calls.reduce((sum, c) => sum + (c.answer?.claimed ?? 0), 0);

beforeEach(() => mock.timers.reset());

test('the lead splits every shard into disjoint groups and each worker ticks its own', async () => {
  const start = Date.parse('2026-11-28T21:36:00.250Z');
  await seedDueRows(start);
  const calls = await runLoops(['2026-11-28T21:36:00.250Z']);

  const lead = calls[0]!;
  assert.equal(lead.state, 'Refresh');
  const groups = (lead.answer as LeadAnswer).groups;
  assert.ok(groups.length >= 2, `the lead fanned out: ${JSON.stringify(lead.answer)}`);
  assert.equal(lead.answer?.claimed, 0, 'a lead that fans out ticks nothing itself');
  assert.deepEqual(groups.flat().sort(), [0, 1, 2, 3], 'every shard in exactly one group');
  const workers = calls.filter((c) => c.state === 'Work' && c.at === lead.at);
  assert.deepEqual(workers.map((w) => w.shards).sort(), [...groups].sort());
  assert.equal(claimed(workers), ROWS, 'the workers of the first slot took every due row');
  // Later slots: nothing due, so one invocation (the lead) per slot.
  const later = calls.filter((c) => c.at !== lead.at);
  assert.equal(later.length, 5);
  assert.ok(later.every((c) => c.state === 'Refresh' && (c.answer as LeadAnswer).groups.length === 0), 'no fan-out once nothing is due');
});

test('two overlapping executions with fan-out never refresh one row twice within a claim window', async () => {
  const start = Date.parse('2026-11-28T21:40:00.250Z');
  await seedDueRows(start);
  // Step Functions may run one execution twice (at-least-once), and a late one overlaps the next.
  const calls = await runLoops(['2026-11-28T21:40:00.250Z', '2026-11-28T21:40:00.250Z']);
  const byExecution = [0, 1].map((e) => calls.filter((c) => c.execution === e && c.state === 'Work').length);
  assert.ok(byExecution.every((n) => n > 0), `both executions fanned out: ${byExecution}`);
  assert.equal(claimed(calls), ROWS, 'each due row claimed once over both executions');
  const rows = (await t.doc.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }))).Items as DiffStatusRow[];
  for (const row of rows.filter((r) => !isBookkeepingItem(r.chatId))) {
    assert.ok((row.staleAt ?? 0) > start + 60_000, `${row.chatId} was written back once, with its backoff`);
  }
});

test("a worker killed mid-tick leaves its shards to the first tick after its lease lapses", async () => {
  const startAt = '2026-11-28T21:44:00.250Z';
  const start = Date.parse(startAt);
  await seedDueRows(start);
  let victim: number[] | undefined;
  const calls = await runLoops([startAt], (call) => {
    if (call.state !== 'Work' || victim) return false;
    victim = call.shards!;
    return true;
  });
  assert.ok(victim, 'a worker was killed');
  const leaseEnd = start + TICK_BUDGET_MS + SAFETY_MARGIN_MS + 5_000;
  const victimRows = Array.from({ length: ROWS }, (_, i) => `fan-${i}`).filter((id) => victim!.includes(shardOf(id)));
  assert.ok(victimRows.length > 0);
  // While the lease holds, the victim's shards are nobody's; the first tick after it serves them.
  const holding = calls.filter((c) => Date.parse(c.at) < leaseEnd && c.at !== calls[0]!.at);
  assert.ok(holding.length > 0);
  for (const c of holding) assert.equal(c.answer?.claimed ?? 0, 0, `tick at ${c.at} found the victim's shards still leased`);
  const firstAfter = calls.filter((c) => Date.parse(c.at) >= leaseEnd);
  const slot = firstAfter[0]!.at;
  assert.equal(claimed(firstAfter.filter((c) => c.at === slot)), victimRows.length, `the ${slot} slot took the victim's ${victimRows.length} rows`);
  assert.equal(claimed(calls), ROWS, 'every row refreshed once');
});
