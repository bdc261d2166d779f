/**
 * The real refresh-loop definition (infra/) run by aws-local-stepfunctions, its Task bound to
 * the real refresh handler against DynamoDB Local. Time is virtual: `Date` is mocked, so
 * `$$.Execution.StartTime` is the instant a test picks; a Wait is a real 0 ms pause after which
 * the Task sees the clock at the Wait's target (what Step Functions guarantees), and a tick
 * "takes" the virtual time a scenario gives it. `$$.State.EnteredTime`, which the library does
 * not provide, reads the same virtual clock.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, mock, test } from 'node:test';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import { stateMachineSource, substituteDefinition } from '../../src/dev/state-machine.ts';
import { loadTemplate } from '../../src/dev/template.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { isBookkeepingItem } from '../../src/store/bookkeeping.ts';
import type { TickSummary } from '../../src/refresh/tick-summary.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import { createTestTables, refreshFunctionEnv, type TestTables } from '../support/dynamodb.ts';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:gitsync-RefreshFunction-AbC123';
const definition = substituteDefinition(stateMachineSource(loadTemplate(), 'RefreshLoop').text, {
  RefreshFunctionArn: FUNCTION_ARN,
});
const scheduledEvent: unknown = JSON.parse(readFileSync('events/scheduled.json', 'utf8'));
const iterationEvent = JSON.parse(readFileSync('events/loop-iteration.json', 'utf8')) as Record<string, unknown>;

let t: TestTables;
let refresh: (event: unknown, context: Context) => Promise<TickSummary>;

before(async () => {
  t = await createTestTables();
  Object.assign(process.env, refreshFunctionEnv(t));
  ({ handler: refresh } = await import('../../src/handler/refresh.ts'));
});
after(async () => {
  mock.timers.reset();
  await t.close();
});

interface Call {
  at: string;
  payload: Record<string, unknown>;
  summary?: TickSummary;
  error?: string;
}

interface Scenario {
  startAt: string;
  /** Virtual milliseconds the n-th tick (0-based) takes. */
  tickMs?: (n: number) => number;
  /** Replaces the real tick's backlog flag (the loop's reaction is what is tested here). */
  backlog?: (n: number) => boolean;
  /** Makes the n-th attempt fail with this error name instead of running the handler. */
  failWith?: (n: number) => string | undefined;
}

/** Runs one execution of the loop; returns the Task attempts and the virtual end time. */
async function runLoop(scenario: Scenario): Promise<{ calls: Call[]; endedAt: string }> {
  mock.timers.enable({ apis: ['Date'], now: Date.parse(scenario.startAt) });
  const calls: Call[] = [];
  try {
    const context = { State: { get EnteredTime() { return new Date().toISOString(); } } };
    const execution = new StateMachine(definition as never).run(scheduledEvent as never, {
      context,
      overrides: {
        waitTimeOverrides: { WaitForSlot: 0 },
        retryIntervalOverrides: { Refresh: 0 },
        taskResourceLocalHandlers: {
          Refresh: async (raw) => {
            const input = raw as { FunctionName: string; Payload: Record<string, unknown> };
            assert.equal(input.FunctionName, FUNCTION_ARN);
            const slot = Date.parse(String(input.Payload.slot));
            assert.ok(slot <= Date.now() || calls.length > 0, 'the first tick runs at once');
            if (slot > Date.now()) mock.timers.setTime(slot); // the Wait ended at its target
            const n = calls.length;
            const call: Call = { at: new Date().toISOString(), payload: input.Payload };
            calls.push(call);
            const failure = scenario.failWith?.(n);
            if (failure) {
              call.error = failure;
              throw Object.assign(new Error(`tick ${n} failed`), { name: failure });
            }
            const summary = await refresh(input.Payload, lambdaContext());
            call.summary = summary;
            mock.timers.tick(scenario.tickMs?.(n) ?? 300);
            const backlog = scenario.backlog?.(n) ?? summary.backlog;
            return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: { ...summary, backlog } } as never;
          },
        },
      },
    });
    await execution.result;
    return { calls, endedAt: new Date().toISOString() };
  } finally {
    mock.timers.reset();
  }
}

function lambdaContext(): Context {
  const deadline = performance.now() + 40_000;
  return {
    functionName: 'RefreshFunction',
    awsRequestId: crypto.randomUUID(),
    getRemainingTimeInMillis: () => Math.max(0, deadline - performance.now()),
  } as Context;
}

const times = (calls: Call[]) => calls.map((c) => c.at.slice(14)); // "MM:SS.mmmZ"

test('six refresh calls at the 10-second slots of the execution\'s own minute, ending before the next', async () => {
  const owner = 'owner-without-token';
  const due = ['chat-a', 'chat-b', 'chat-c'];
  const start = Date.parse('2026-12-31T23:59:00.250Z');
  for (const chatId of due) {
    const row: DiffStatusRow = {
      chatId,
      ownerId: owner,
      gitRemoteOrigin: 'https://github.com/o/r.git',
      gitBranch: 'feature',
      staleAt: start - 5_000,
      dueShard: dueShardFor(chatId, 1),
      createdAt: start - 60_000,
      updatedAt: start - 60_000,
    };
    await t.doc.send(new PutCommand({ TableName: t.tableName, Item: row }));
  }

  const { calls, endedAt } = await runLoop({ startAt: '2026-12-31T23:59:00.250Z' });

  assert.deepEqual(times(calls), ['59:00.250Z', '59:10.000Z', '59:20.000Z', '59:30.000Z', '59:40.000Z', '59:50.000Z']);
  assert.ok(endedAt < '2027-01-01T00:00:00.000Z', `ended at ${endedAt}, before the next minute's execution`);
  assert.deepEqual(Object.keys(calls[0]!.payload).sort(), Object.keys(iterationEvent).sort(), 'events/ has the real Task input');
  assert.equal(calls[0]!.payload.executionStartTime, '2026-12-31T23:59:00.250Z');
  // The real handler ran against the table: the first tick took the due rows (their owner has
  // no token, so no HTTP), later ones found none.
  assert.equal(calls[0]!.summary?.claimed, due.length);
  assert.equal(calls[0]!.summary?.noToken, due.length);
  assert.ok(calls.slice(1).every((c) => c.summary?.claimed === 0));
  const rows = (await t.doc.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }))).Items as DiffStatusRow[];
  for (const row of rows.filter((r) => !isBookkeepingItem(r.chatId))) assert.ok((row.staleAt ?? 0) > start, `${row.chatId} is no longer due`);
});

test('a tick that reports backlog is followed at once; the slots then resume', async () => {
  const { calls, endedAt } = await runLoop({
    startAt: '2026-11-28T21:36:00.500Z',
    tickMs: () => 2_000,
    backlog: (n) => n < 3,
  });
  assert.deepEqual(times(calls), [
    '36:00.500Z',
    '36:02.500Z',
    '36:04.500Z',
    '36:06.500Z',
    '36:10.000Z',
    '36:20.000Z',
    '36:30.000Z',
    '36:40.000Z',
    '36:50.000Z',
  ]);
  assert.ok(endedAt < '2026-11-28T21:37:00.000Z');
});

test('a backlog late in the minute never runs past the last slot into the next execution', async () => {
  const { calls, endedAt } = await runLoop({ startAt: '2026-11-28T21:36:41.000Z', tickMs: () => 4_000, backlog: () => true });
  assert.deepEqual(times(calls), ['36:41.000Z', '36:45.000Z', '36:49.000Z']);
  assert.equal(endedAt, '2026-11-28T21:36:53.000Z');
});

test('a slow tick skips the slots it overran instead of bursting to catch up', async () => {
  const { calls } = await runLoop({ startAt: '2026-11-28T21:36:00.100Z', tickMs: (n) => (n === 1 ? 15_000 : 300) });
  assert.deepEqual(times(calls), ['36:00.100Z', '36:10.000Z', '36:30.000Z', '36:40.000Z', '36:50.000Z']);
});

test('a failing tick does not end the loop; only Lambda service errors are retried', async () => {
  const { calls, endedAt } = await runLoop({
    startAt: '2026-11-28T21:36:00.100Z',
    // Attempt 1: the function throws (not retried). Attempt 3: Lambda's service fails once, then the retry runs.
    failWith: (n) => (n === 1 ? 'Error' : n === 3 ? 'Lambda.ServiceException' : undefined),
  });
  assert.deepEqual(
    calls.map((c) => [c.at.slice(14), c.error ?? 'ok']),
    [
      ['36:00.100Z', 'ok'],
      ['36:10.000Z', 'Error'],
      ['36:20.000Z', 'ok'],
      ['36:30.000Z', 'Lambda.ServiceException'],
      ['36:30.000Z', 'ok'],
      ['36:40.000Z', 'ok'],
      ['36:50.000Z', 'ok'],
    ],
  );
  assert.ok(endedAt < '2026-11-28T21:37:00.000Z');
});
