import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import type { AddressInfo } from 'node:net';
import { LOCAL_AWS } from '../../src/dev/dynamodb-local/local-aws.ts';
import { DEFAULT_CADENCE } from '../../src/cadence/policy.ts';
import { runTick } from '../../src/refresh/tick.ts';
import { createDocumentClient } from '../../src/store/document-client.ts';
import { DynamoStore } from '../../src/store/dynamo-store.ts';
import { DynamoHttpCacheStore } from '../../src/store/dynamo-http-cache-store.ts';
import { ManualClock } from '../support/fakes.ts';

test('a DynamoDB endpoint that accepts connections but never answers ends the tick instead of hanging it', async () => {
  // A black hole: what a network partition looks like from the client.
  const sockets = new Set<Socket>();
  const blackHole = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  try {
    const doc = createDocumentClient({
      endpoint: `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`,
      ...LOCAL_AWS,
      requestTimeoutMs: 100,
    });
    const store = new DynamoStore({ doc, tableName: 'diff-status', indexName: 'byStaleAt', shardCount: 1 });
    const lines: string[] = [];
    const log = { info() {}, warn() {}, error: (message: string) => void lines.push(message) };
    const refresher = { refresh: () => Promise.reject(new Error('never reached')) };
    const httpCache = new DynamoHttpCacheStore({ doc, tableName: 'http-cache' });
    const summary = await runTick(
      { store, refresher, httpCache, clock: new ManualClock(), policy: DEFAULT_CADENCE, random: Math.random, log },
      { batchSize: 10, tickBudgetMs: 30_000, safetyMarginMs: 0 },
    );
    assert.equal(summary.claimed, 0);
    assert.deepEqual(lines, ['tick ended early: the store failed']);
    assert.ok(sockets.size > 0, 'the requests did reach the endpoint');
    doc.destroy();
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  }
});
