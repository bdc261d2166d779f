import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { NoTokenError } from '../../src/domain/errors.ts';
import type { GitProvider } from '../../src/providers/provider.ts';
import { DynamoTokenResolver } from '../../src/tokens/dynamo-token-resolver.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';

let t: TestTables;
let now = Date.UTC(2026, 0, 1);
let resolver: DynamoTokenResolver;
const github = { host: 'github.com' } as GitProvider;
const ghe = { host: 'ghe.example.com:8443' } as GitProvider;

before(async () => {
  t = await createTestTables();
  resolver = new DynamoTokenResolver(t.doc, t.tokensTableName, { now: () => now });
  const put = (item: Record<string, unknown>) => t.doc.send(new PutCommand({ TableName: t.tokensTableName, Item: item }));
  await put({ ownerId: 'alice', providerHost: 'github.com', accessToken: 'tok-alice' });
  await put({ ownerId: 'alice', providerHost: 'ghe.example.com:8443', accessToken: 'tok-alice-ghe', expiresAt: now + 60_000 });
  await put({ ownerId: 'bob', providerHost: 'github.com', accessToken: '  ' });
  await put({ ownerId: 'carol', providerHost: 'github.com', accessToken: 'tok-carol', expiresAt: now - 1 });
});
after(() => t.close());

test('resolves the token of an owner for a provider host', async () => {
  const token = await resolver.resolve('alice', github);
  assert.equal(token.value, 'tok-alice');
  assert.equal(token.rateLimitedUntil, undefined);
  assert.ok(!token.key.includes('tok-alice'), 'the key is not the secret');
  assert.notEqual(token.key, (await resolver.resolve('alice', ghe)).key);
});

test('missing, empty or expired tokens are NoTokenError, without the secret in the message', async () => {
  for (const [owner, provider] of [['nobody', github], ['bob', github], ['carol', github], ['alice', { host: 'gitlab.com' } as GitProvider]] as const) {
    await assert.rejects(resolver.resolve(owner, provider), (err) => err instanceof NoTokenError && !/tok-/.test(err.message));
  }
});

test('a token that expires later is valid until then', async () => {
  assert.equal((await resolver.resolve('alice', ghe)).value, 'tok-alice-ghe');
  now += 60_000;
  await assert.rejects(resolver.resolve('alice', ghe), NoTokenError);
  now -= 60_000;
});

test('a recorded rate limit is seen by every resolver until it resets, and only moves later', async () => {
  const token = await resolver.resolve('alice', github);
  await resolver.recordRateLimit(token, now + 600_000);
  const other = new DynamoTokenResolver(t.doc, t.tokensTableName, { now: () => now });
  assert.equal((await other.resolve('alice', github)).rateLimitedUntil, now + 600_000);
  await other.recordRateLimit(token, now + 60_000);
  assert.equal((await resolver.resolve('alice', github)).rateLimitedUntil, now + 600_000, 'an earlier reset does not shorten it');
  now += 600_001;
  assert.equal((await resolver.resolve('alice', github)).rateLimitedUntil, undefined, 'past limits are not reported');
  now -= 600_001;
});

test('recording a limit for a token that was removed creates no item', async () => {
  await resolver.recordRateLimit({ value: 'x', key: JSON.stringify(['ghost', 'github.com']) }, now + 1000);
  const out = await t.doc.send(new GetCommand({ TableName: t.tokensTableName, Key: { ownerId: 'ghost', providerHost: 'github.com' } }));
  assert.equal(out.Item, undefined);
});
