import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_AWS } from '../../src/dev/dynamodb-local/local-aws.ts';
import { pullRequestDelivery } from '../../src/dev/git-host-sim/webhook-json.ts';
import { start, type GitHostSim } from '../../src/dev/git-host-sim/server.ts';
import { githubDeliveryEvent } from '../../src/dev/webhook-request.ts';
import { hostDeliveryKey } from '../../src/store/dynamo-last-deliveries.ts';
import { repoBranchKey } from '../../src/store/repo-branch-key.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import { readWebhookEnv, webhookReceiverFromEnv } from '../../src/system/webhook-from-env.ts';
import type { WebhookReceiver } from '../../src/system/webhook-receiver.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';

/**
 * Issue 19, case 11, through the real receiver on DynamoDB Local: `WEBHOOK_SECRETS` `{"*": ...}`
 * (the template's generated secret) with two GitHub hosts, github.com-like and an Enterprise
 * server. A delivery verifies for both; it belongs to the host its repository is on, and only
 * that host counts as delivering.
 */
const SHARED = 'one-secret-for-every-host';
let t: TestTables;
let first: GitHostSim;
let second: GitHostSim;
let receiver: WebhookReceiver;

before(async () => {
  t = await createTestTables();
  const rates = { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0, ciFinish: 0 };
  first = await start({ seed: 'first', latency: 0, rates, tokens: { 'tok-alice': 'alice' } });
  second = await start({ seed: 'second', latency: 0, rates, tokens: { 'tok-alice': 'alice' } });
  Object.assign(process.env, {
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
  });
  for (const sim of [first, second]) {
    await t.doc.send(new PutCommand({ TableName: t.tokensTableName, Item: { ownerId: 'alice', providerHost: new URL(sim.url).host, accessToken: 'tok-alice' } }));
  }
  receiver = webhookReceiverFromEnv(
    readWebhookEnv({
      TABLE_NAME: t.tableName,
      TOKENS_TABLE_NAME: t.tokensTableName,
      HTTP_CACHE_TABLE_NAME: t.httpCacheTableName,
      DELIVERIES_TABLE_NAME: t.deliveriesTableName,
      DYNAMODB_ENDPOINT: t.endpoint,
      GIT_PROVIDERS: JSON.stringify([first, second].map((sim) => ({ type: 'github', webUrl: sim.url, apiUrl: sim.apiUrl }))),
      WEBHOOK_SECRETS: JSON.stringify({ '*': SHARED }),
    }),
  );
});
after(async () => {
  await Promise.all([first.close(), second.close()]);
  await t.close();
});

async function lastDelivery(sim: GitHostSim): Promise<unknown> {
  const out = await t.doc.send(new GetCommand({ TableName: t.deliveriesTableName, Key: { deliveryKey: hostDeliveryKey(new URL(sim.url).host) }, ConsistentRead: true }));
  return out.Item?.['lastDeliveryAt'];
}

test('case 11: a ping that either host may have signed counts for neither', async () => {
  const ping = await receiver.receive(githubDeliveryEvent({ event: 'ping', payload: { zen: 'Design for failure.', hook_id: 2 }, secret: SHARED }));
  assert.equal(ping.response.statusCode, 200);
  assert.equal(await lastDelivery(first), undefined);
  assert.equal(await lastDelivery(second), undefined);
});

test('case 11: with {"*": secret} and two GitHub hosts, the second host\'s delivery is processed and only it counts as delivering', async () => {
  const world = second.world;
  const repo = world.addRepo('acme', 'enterprise');
  const branch = world.addBranch(repo, 'feature/ghe', 'alice');
  const pr = world.openPullRequest(repo, branch, { title: 'On the Enterprise server' }, world.time);
  const origin = `${second.url}/acme/enterprise.git`;
  await t.doc.send(
    new PutCommand({
      TableName: t.tableName,
      Item: { chatId: 'ghe-row', ownerId: 'alice', gitRemoteOrigin: origin, gitBranch: branch.name, staleAt: Date.now() + 3_600_000, dueShard: dueShardFor('ghe-row', 1), repoBranchKey: repoBranchKey(origin, branch.name) },
    }),
  );
  const report = await receiver.receive(
    githubDeliveryEvent({ event: 'pull_request', payload: pullRequestDelivery(repo, pr, { web: second.url, api: second.apiUrl }, 'opened'), secret: SHARED }),
  );
  assert.equal(report.response.statusCode, 200, report.response.body);
  assert.equal(report.host, new URL(second.url).host);
  assert.equal(report.applied?.matched, 1);
  const row = (await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { chatId: 'ghe-row' }, ConsistentRead: true }))).Item!;
  assert.equal(row['pullRequestTitle'], 'On the Enterprise server');
  assert.equal(await lastDelivery(first), undefined, 'the first host never delivered');
  assert.equal(typeof (await lastDelivery(second)), 'number', 'the second host did');
});
