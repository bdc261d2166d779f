import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { pushDelivery } from '../../src/dev/git-host-sim/webhook-json.ts';
import { githubDeliveryEvent } from '../../src/dev/webhook-request.ts';
import { repoBranchKey } from '../../src/store/repo-branch-key.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import { CONTINUATION_FIELD } from '../../src/webhooks/receive.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { GITHUB_SECRET, webhookWorld, type WebhookWorld } from './support.ts';

let t: TestTables;
let w: WebhookWorld;
before(async () => {
  t = await createTestTables();
  // A clock that runs 50 ms per reading: the delivery's 500 ms budget is spent within its first page.
  let now = Date.now();
  w = await webhookWorld(t, { WEBHOOK_BUDGET_MS: '500' }, { clock: { now: () => (now += 50) } });
});
after(async () => {
  await w.close();
  await t.close();
});

test('rows a delivery does not reach by its deadline are handed on, and every one is stamped and made due', async () => {
  const repo = w.sim.world.addRepo('acme', 'big');
  w.sim.world.addBranch(repo, 'main', 'alice');
  const origin = `${w.sim.url}/acme/big`;
  const ids = Array.from({ length: 1_200 }, (_, i) => `big-${i}`);
  for (let i = 0; i < ids.length; i += 25) {
    const items = ids.slice(i, i + 25).map((chatId) => ({
      PutRequest: { Item: { chatId, ownerId: 'alice', gitRemoteOrigin: origin, gitBranch: 'main', staleAt: 1, dueShard: dueShardFor(chatId, 1), repoBranchKey: repoBranchKey(origin, 'main') } },
    }));
    await t.doc.send(new BatchWriteCommand({ RequestItems: { [t.tableName]: items } }));
  }
  const report = await w.runtime.receive(
    githubDeliveryEvent({ event: 'push', payload: pushDelivery(repo, 'main', 'd'.repeat(40), { web: w.sim.url, api: w.sim.apiUrl }), secret: GITHUB_SECRET }),
  );
  assert.equal(report.response.statusCode, 200);
  assert.ok(report.applied?.next, 'the first invocation stopped at its deadline with pages left');
  assert.ok(report.applied.matched < 1_200);
  assert.equal(JSON.parse(report.response.body).handedOn, true);
  // The continuation runs in this process after the answer (on AWS: an asynchronous invoke).
  let stamped = 0;
  for (let i = 0; i < 200 && stamped < 1_200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    stamped = (await w.scan()).filter((r) => r.chatId.startsWith('big-') && r.webhookAt !== undefined).length;
  }
  assert.equal(stamped, 1_200, 'every row was reached');
});

test('a continuation event is checked: malformed or disagreeing with the configuration, it is refused', async () => {
  await assert.rejects(w.runtime.continue({ [CONTINUATION_FIELD]: { change: { host: 'x' } } }), /malformed/);
  const change = { host: w.host, repo: { host: w.host, path: 'acme/big' }, branch: 'main', key: 'evil.example/acme/big main', receivedAt: 1 };
  await assert.rejects(w.runtime.continue({ [CONTINUATION_FIELD]: { change, after: { chatId: 'big-1' } } }), /do not agree/);
});
