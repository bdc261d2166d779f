/**
 * The library's operations as another service calls them, on DynamoDB Local: the entry
 * (src/index.ts) package.json "exports" compiles to dist/. That the packed package installs
 * and imports by its name: package-install.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createGitsync, DEFAULT_SETTINGS, dueShardFor, markStale, refreshNow, RowNotFoundError, type GitsyncOptions } from '../src/index.ts';
import { LOCAL_AWS } from '../src/dev/dynamodb-local/local-aws.ts';
import { startFakeApi, type FakeApi } from './providers/support/fake-api.ts';
import { createTestTables, type TestTables } from './support/dynamodb.ts';
import { ACME_PULL_9, serveAcmeApp } from './support/github-pull.ts';

const TOKEN = 'ghp_library_token_42';
let api: FakeApi;
let t: TestTables;
let options: GitsyncOptions;

before(async () => {
  api = await startFakeApi();
  serveAcmeApp(api, TOKEN);
  t = await createTestTables();
  options = {
    tableName: t.tableName,
    tokensTableName: t.tokensTableName,
    httpCacheTableName: t.httpCacheTableName,
    gitProviders: [{ type: 'github', webUrl: api.url }],
    dynamodb: { endpoint: t.endpoint, ...LOCAL_AWS },
  };
  await t.doc.send(new PutCommand({ TableName: t.tokensTableName, Item: { ownerId: 'alice', providerHost: new URL(api.url).host, accessToken: TOKEN } }));
});
after(async () => {
  await api.close();
  await t.close();
});

test('markStale and refreshNow imported by the package name: a push, then the row refreshed at once', async () => {
  await t.doc.send(new PutCommand({ TableName: t.tableName, Item: { chatId: 'lib-1', ownerId: 'alice', createdAt: 1 } }));
  const origin = `${api.url}/acme/app.git`;
  assert.deepEqual(await markStale(options, { chatIds: ['lib-1'], branch: 'feat', origin }), { marked: 1 });
  const marked = (await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { chatId: 'lib-1' }, ConsistentRead: true }))).Item;
  assert.equal(marked?.['dueShard'], dueShardFor('lib-1', DEFAULT_SETTINGS.shardCount));
  assert.equal(marked?.['gitBranch'], 'feat');

  const row = await refreshNow(options, 'lib-1');
  assert.equal(row?.prNumber, ACME_PULL_9.prNumber);
  assert.equal(row?.pullRequestState, 'merged');
  const stored = (await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { chatId: 'lib-1' }, ConsistentRead: true }))).Item;
  assert.equal(stored?.['refreshedAt'], row?.refreshedAt);
  assert.equal(stored?.['leaseId'], undefined);
});

test('one client for many calls; typed errors reach the caller', async () => {
  const gitsync = createGitsync(options);
  try {
    await assert.rejects(gitsync.refreshNow('nobody'), RowNotFoundError);
    await t.doc.send(new PutCommand({ TableName: t.tableName, Item: { chatId: 'lib-2', ownerId: 'alice', createdAt: 1 } }));
    assert.deepEqual(await gitsync.markStale({ chatIds: ['lib-2'], branch: 'none', origin: `${api.url}/acme/app` }), { marked: 1 });
    assert.equal(await gitsync.refreshNow('lib-2'), null, 'no open PR for the branch yet');
  } finally {
    await gitsync.close();
  }
});

test('a bad option is refused before anything is written', () => {
  assert.throws(() => createGitsync({ ...options, gitProviders: [{ type: 'svn', webUrl: 'https://x' }] }), /GIT_PROVIDERS: entry 0 has unknown type "svn"/);
});
