import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AwsAccess } from '../../src/aws/json-call.ts';
import { LOCAL_AWS } from '../../src/dev/dynamodb-local/local-aws.ts';
import { SECRETS_CACHE_MS, secretsManagerSource } from '../../src/webhooks/secrets-manager.ts';
import { WebhookSecretsError } from '../../src/webhooks/secrets.ts';
import { startLocalServer, sendJson, type LocalServer } from '../providers/support/local-server.ts';

/** A loopback Secrets Manager answering `answer` (a 400 when it is undefined); counts the reads. */
let server: LocalServer;
let aws: AwsAccess;
let reads = 0;
let answer: Record<string, unknown> | undefined;

before(async () => {
  server = await startLocalServer(async (req, res) => {
    for await (const _ of req);
    reads++;
    if (answer) sendJson(res, 200, answer, { 'content-type': 'application/x-amz-json-1.1' });
    else sendJson(res, 400, { __type: 'ResourceNotFoundException', message: 'no such secret' });
  });
  aws = { region: async () => LOCAL_AWS.region, credentials: async () => LOCAL_AWS.credentials, endpoint: server.url };
});
after(() => server.close());

test('the secrets are read once, reused for the cache time, then read again (a rotation shows)', async () => {
  let now = 1_000_000;
  const source = secretsManagerSource('arn:secret', aws, { now: () => now });
  answer = { SecretString: '{"github.com": "one"}' };
  reads = 0;
  assert.deepEqual((await source.get()).get('github.com'), ['one']);
  answer = { SecretString: '{"github.com": ["two", "one"]}' };
  now += SECRETS_CACHE_MS - 1;
  assert.deepEqual((await source.get()).get('github.com'), ['one']);
  assert.equal(reads, 1);
  now += 1;
  assert.deepEqual((await source.get()).get('github.com'), ['two', 'one']);
  assert.equal(reads, 2);
});

test('a failed read is not kept: the next delivery reads again', async () => {
  const source = secretsManagerSource('arn:secret', aws, { now: () => 0 });
  answer = undefined;
  reads = 0;
  await assert.rejects(source.get(), (err) => err instanceof Error && err.name === 'ResourceNotFoundException');
  answer = { SecretBinary: 'AAEC' };
  await assert.rejects(source.get(), (err) => err instanceof WebhookSecretsError && /no string value/.test(err.message));
  answer = { SecretString: '{"*": "s"}' };
  assert.deepEqual((await source.get()).get('*'), ['s']);
  assert.equal(reads, 3);
});
