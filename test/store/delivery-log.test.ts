import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDeliveryLog } from '../../src/store/dynamo-webhook-store.ts';
import { hostDeliveryKey } from '../../src/store/dynamo-last-deliveries.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';

let t: TestTables;
before(async () => {
  t = await createTestTables();
});
after(() => t.close());

/** The deliveries table's client with its calls counted. */
function counted() {
  let calls = 0;
  const doc = new Proxy(t.doc, {
    get: (target, name, receiver) =>
      name === 'send' ? (command: Parameters<typeof t.doc.send>[0]) => ((calls += 1), target.send(command)) : Reflect.get(target, name, receiver),
  });
  return { log: new DynamoDeliveryLog({ doc, tableName: t.deliveriesTableName }), calls: () => calls };
}

async function recordedAt(host: string): Promise<unknown> {
  const out = await t.doc.send(new GetCommand({ TableName: t.deliveriesTableName, Key: { deliveryKey: hostDeliveryKey(host) }, ConsistentRead: true }));
  return out.Item?.['lastDeliveryAt'];
}

test("a host's last delivery is written at most once a minute, and a container that knows it is fresh sends nothing", async () => {
  const now = Date.UTC(2026, 11, 2, 12);
  const a = counted();
  await a.log.recordHostDelivery('github.com', now);
  assert.equal(await recordedAt('github.com'), now);
  await a.log.recordHostDelivery('github.com', now + 59_999);
  assert.equal(a.calls(), 1, 'within the minute: no write, not even a refused one (billed all the same)');
  // Another container, whose condition fails: it learns the record is fresh and stops asking.
  const b = counted();
  await b.log.recordHostDelivery('github.com', now + 30_000);
  await b.log.recordHostDelivery('github.com', now + 40_000);
  assert.equal(b.calls(), 1);
  assert.equal(await recordedAt('github.com'), now, 'the refused write left the record');
  await a.log.recordHostDelivery('github.com', now + 60_001);
  assert.equal(await recordedAt('github.com'), now + 60_001, 'over a minute on: written again');
  await a.log.recordHostDelivery('gitlab.com', now + 60_001);
  assert.equal(await recordedAt('gitlab.com'), now + 60_001, 'each host on its own');
});
