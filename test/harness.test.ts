import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../src/dev/dynamodb-local/start.ts';
import { createTestTables, type TestTables } from './support/dynamodb.ts';
import { REFUSE_DYNAMODB_LOCAL } from './support/tiers.ts';

let t: TestTables;
before(async () => {
  t = await createTestTables();
});
after(() => t.close());

test('tables are created from template.yaml, with the sparse due index, the webhook index and the rows waiting for a token', async () => {
  const out = await t.doc.send(new DescribeTableCommand({ TableName: t.tableName }));
  const indexes = out.Table?.GlobalSecondaryIndexes ?? [];
  assert.deepEqual(indexes.map((g) => g.IndexName).sort(), ['byAwaitingToken', 'byDueShard', 'byRepoBranch']);
  const byRepoBranch = indexes.find((g) => g.IndexName === 'byRepoBranch');
  assert.deepEqual(byRepoBranch?.KeySchema?.map((k) => k.AttributeName), ['repoBranchKey']);
  const gsi = indexes.find((g) => g.IndexName === 'byDueShard');
  assert.deepEqual(
    gsi?.KeySchema?.map((k) => k.AttributeName),
    ['dueShard'],
  );
  // Only the schedule is projected: a refresh that keeps its slot never writes the index.
  assert.equal(gsi?.Projection?.ProjectionType, 'INCLUDE');
  assert.deepEqual(gsi?.Projection?.NonKeyAttributes, ['dueSlot']);
});

test('DynamoDB Local listens on loopback only', () => {
  assert.match(t.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test("a table of the bench's row-lease design has its due index and keeps the others", async () => {
  const rowLease = await createTestTables('row-lease');
  try {
    const out = await rowLease.doc.send(new DescribeTableCommand({ TableName: rowLease.tableName }));
    const indexes = out.Table?.GlobalSecondaryIndexes ?? [];
    assert.deepEqual(indexes.map((g) => g.IndexName).sort(), ['byAwaitingToken', 'byRepoBranch', 'byStaleAt']);
    assert.deepEqual(indexes.find((g) => g.IndexName === 'byStaleAt')?.KeySchema?.map((k) => k.AttributeName), ['dueShard', 'staleAt']);
  } finally {
    await rowLease.close();
  }
});

test('in the unit test tier (its variable set) DynamoDB Local refuses to start, naming the reason', async () => {
  const before = process.env[REFUSE_DYNAMODB_LOCAL];
  process.env[REFUSE_DYNAMODB_LOCAL] = 'unit tier';
  try {
    await assert.rejects(startDynamoDbLocal(), /DynamoDB Local refused \(GITSYNC_REFUSE_DYNAMODB_LOCAL\): unit tier/);
  } finally {
    if (before === undefined) delete process.env[REFUSE_DYNAMODB_LOCAL];
    else process.env[REFUSE_DYNAMODB_LOCAL] = before;
  }
});
