import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoHttpCacheStore } from '../../src/store/dynamo-http-cache-store.ts';
import { HTTP_CACHE_RETENTION_DAYS } from '../../src/store/http-cache-store.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';

let t: TestTables;
before(async () => {
  t = await createTestTables();
});
after(() => t.close());

test('reads any number of chats in batches of 100 (duplicates once, missing ones absent); writes an item with its TTL', async () => {
  const now = Date.UTC(2026, 11, 2);
  const store = new DynamoHttpCacheStore({ doc: t.doc, tableName: t.httpCacheTableName, clock: { now: () => now } });
  const ids = Array.from({ length: 230 }, (_, i) => `chat-${i}`);
  await Promise.all(ids.slice(0, 210).map((id, i) => store.write(id, { p: { etag: `W/"${i}"`, value: { n: i } } })));
  const read = await store.read([...ids, 'chat-0', 'chat-5']);
  assert.equal(read.size, 210);
  assert.deepEqual(read.get('chat-7'), { p: { etag: 'W/"7"', value: { n: 7 } } });
  assert.equal(read.has('chat-220'), false);
  const item = (await t.doc.send(new GetCommand({ TableName: t.httpCacheTableName, Key: { chatId: 'chat-1' } }))).Item;
  assert.equal(item?.['expiresAt'], Math.ceil((now + HTTP_CACHE_RETENTION_DAYS * 86_400_000) / 1000), 'epoch seconds, 30 days on');
  assert.deepEqual(await store.read([]), new Map());
});
