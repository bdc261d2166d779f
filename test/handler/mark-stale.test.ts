import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { LOCAL_AWS } from '../../src/dev/dynamodb-local/local-aws.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { isBookkeepingItem } from '../../src/store/bookkeeping.ts';
import { captureJsonLines } from '../support/capture-output.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';

let t: TestTables;
let handler: typeof import('../../src/handler/mark-stale.ts').handler;
const context = { functionName: 'MarkStaleFunction', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 } as Context;
const sample = JSON.parse(readFileSync('events/mark-stale.json', 'utf8')) as { detail: Record<string, unknown> };

before(async () => {
  t = await createTestTables();
  Object.assign(process.env, {
    TABLE_NAME: t.tableName,
    STALE_INDEX_NAME: t.indexName,
    SHARD_COUNT: '4',
    DYNAMODB_ENDPOINT: t.endpoint,
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: 'gitsync',
  });
  ({ handler } = await import('../../src/handler/mark-stale.ts'));
});
after(() => t.close());

async function rows(): Promise<DiffStatusRow[]> {
  const out = await t.doc.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }));
  return ((out.Items ?? []) as DiffStatusRow[]).filter((row) => !isBookkeepingItem(row.chatId));
}

async function invoke(event: unknown) {
  const { result, lines } = await captureJsonLines('{"level"', () => handler(event, context));
  return { result, logs: lines };
}

test('malformed events are rejected with a logged reason and write nothing', async () => {
  for (const detail of [{ chatIds: ['c1'], branch: 'main' }, { chatId: 'c1', branch: 'main', origin: 'o', extra: 1 }]) {
    const { result, logs } = await invoke({ ...sample, detail });
    assert.equal(result.status, 'rejected');
    const logged = logs.find((l) => l.message === 'mark-stale event rejected');
    assert.ok(logged, 'the rejection is logged');
    assert.equal(logged.level, 'WARN');
    assert.equal(logged.reason, result.status === 'rejected' ? result.reason : undefined);
  }
  assert.deepEqual(await rows(), []);
});

test('the sample event marks both chats stale: branch and origin stored, due now, in its shard', async () => {
  const before = Date.now();
  const { result } = await invoke(sample);
  assert.deepEqual(result, { status: 'marked', marked: 2 });
  const marked = (await rows()).sort((a, b) => a.chatId.localeCompare(b.chatId));
  assert.deepEqual(marked.map((r) => r.chatId), ['chat-1', 'chat-2']);
  for (const row of marked) {
    assert.equal(row.gitBranch, sample.detail.branch);
    assert.equal(row.gitRemoteOrigin, sample.detail.origin);
    assert.ok((row.staleAt ?? Infinity) < Date.now(), 'due at once');
    assert.ok((row.updatedAt ?? 0) >= before);
    assert.match(row.dueShard ?? '', /^due#[0-3]$/, 'sharded with the SHARD_COUNT the template sets');
  }
});
