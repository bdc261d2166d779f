import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AwsAccess } from '../../src/aws/json-call.ts';
import { secretString } from '../../src/aws/secret-value.ts';
import { LOCAL_AWS } from '../../src/dev/dynamodb-local/local-aws.ts';
import { startLocalServer, sendJson, type LocalServer } from '../providers/support/local-server.ts';

/** A loopback Secrets Manager: one string secret and one binary secret. */
let server: LocalServer;
let aws: AwsAccess;
const asked: { target: unknown; auth: unknown; body: unknown }[] = [];

before(async () => {
  server = await startLocalServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = JSON.parse(text) as { SecretId: string };
    asked.push({ target: req.headers['x-amz-target'], auth: req.headers['authorization'], body });
    const secret = body.SecretId === 'app-key' ? { SecretString: '-----BEGIN PRIVATE KEY-----' } : { SecretBinary: 'AAEC' };
    sendJson(res, 200, { Name: body.SecretId, ...secret }, { 'content-type': 'application/x-amz-json-1.1' });
  });
  aws = { region: async () => LOCAL_AWS.region, credentials: async () => LOCAL_AWS.credentials, endpoint: server.url };
});
after(() => server.close());

test('a secret\'s SecretString is read with one GetSecretValue call signed for Secrets Manager', async () => {
  assert.equal(await secretString(aws, 'app-key'), '-----BEGIN PRIVATE KEY-----');
  assert.deepEqual(asked.at(-1)!.body, { SecretId: 'app-key' });
  assert.equal(asked.at(-1)!.target, 'secretsmanager.GetSecretValue');
  assert.match(String(asked.at(-1)!.auth), /\/us-east-1\/secretsmanager\/aws4_request/);
});

test('a binary secret has no string value', async () => {
  assert.equal(await secretString(aws, 'binary'), undefined);
});
