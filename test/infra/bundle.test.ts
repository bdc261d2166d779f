/**
 * The deployable bundles, built by `npm run build` with the template's BuildProperties, load
 * and run on this Node (24) when invoked through `npm run invoke`, as `sam local invoke` would.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { TRACER_FILE } from '../../src/handler/tracing.ts';
import { emptySummary } from '../../src/refresh/tick-summary.ts';
import { repoBranchKey } from '../../src/store/repo-branch-key.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';

const run = promisify(execFile);
let t: TestTables;
let dir: string;
let buildOutput: string;

function npm(...args: string[]) {
  return run('npm', ['run', '--silent', ...args], { env: process.env, maxBuffer: 16 * 2 ** 20, timeout: 120_000 });
}

function invoke(...args: string[]) {
  return npm('invoke', '--', ...args, '--build-dir', join(dir, 'build'), '--env-vars', join(dir, 'env.json'));
}

before(async () => {
  t = await createTestTables();
  dir = mkdtempSync(join(tmpdir(), 'gitsync-bundle-'));
  writeFileSync(
    join(dir, 'env.json'),
    JSON.stringify({
      Parameters: {
        TABLE_NAME: t.tableName,
        TOKENS_TABLE_NAME: t.tokensTableName,
        HTTP_CACHE_TABLE_NAME: t.httpCacheTableName,
        DELIVERIES_TABLE_NAME: t.deliveriesTableName,
        DYNAMODB_ENDPOINT: t.endpoint,
        LOG_LEVEL: 'WARN',
        CHANGE_EVENT_BUS: '',
        // The local secrets the sample webhook events are signed with.
        WEBHOOK_SECRETS: (JSON.parse(readFileSync('events/env.json', 'utf8')) as { Parameters: Record<string, string> }).Parameters.WEBHOOK_SECRETS,
      },
    }),
  );
  buildOutput = (await npm('build', '--', '--build-dir', join(dir, 'build'))).stdout;
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.close();
});

test('the build prints each bundle\'s size and import time', () => {
  const functions = ['RefreshFunction', 'MarkStaleFunction', 'WebhookFunction'];
  for (const fn of functions) {
    assert.match(buildOutput, new RegExp(`${fn} -> `));
  }
  assert.equal(buildOutput.match(/bundle size: \d+\.\d KiB/g)?.length, functions.length);
  assert.equal(buildOutput.match(/import time: \d+ ms \(fresh Node 24\./g)?.length, functions.length);
});

/** The files a bundle was built from, as its source map lists them. */
function bundledSources(logicalId: string, file: string): string[] {
  const map = JSON.parse(readFileSync(join(dir, 'build', logicalId, `${file}.map`), 'utf8')) as { sources: string[] };
  return map.sources.map((source) => source.replaceAll('\\', '/'));
}

/** The functions' HTTP is node:http(s) (src/providers/http/agent.ts): no undici, whose client was 44% of each bundle. */
const NO_UNDICI = ['/undici/'];

test('each bundle holds only what its function runs', () => {
  const refresh = bundledSources('RefreshFunction', 'refresh.cjs');
  const webhook = bundledSources('WebhookFunction', 'webhook.cjs');
  const holds = (sources: string[], part: string) => sources.some((s) => s.includes(part));
  assert.ok(holds(refresh, 'src/handler/refresh.ts') && holds(webhook, 'src/handler/webhook.ts'), 'the source maps name the sources');
  // The tracer with the X-Ray SDK is a file of its own (xray-tracer.cjs), loaded only where tracing is on.
  for (const part of ['src/webhooks/', 'src/system/webhook-', '/@aws-sdk/client-lambda/', '/@aws-lambda-powertools/tracer/', '/aws-xray-sdk-core/', ...NO_UNDICI]) {
    assert.ok(!holds(refresh, part), `the refresh bundle holds ${part}`);
  }
  for (const part of ['src/handler/refresh.ts', 'src/loop/lead.ts', '/@aws-lambda-powertools/tracer/', '/aws-xray-sdk-core/', ...NO_UNDICI]) {
    assert.ok(!holds(webhook, part), `the webhook bundle holds ${part}`);
  }
});

test('the refresh bundle loads the tracer from its own file where it traces, and not otherwise', async () => {
  const script = `await import(process.argv[1]); const { createRequire } = await import('node:module'); console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache).map((f) => f.split('/').pop())));`;
  const loaded = async (env: Record<string, string>) => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, join(dir, 'build', 'RefreshFunction', 'refresh.cjs')], { env: { PATH: process.env.PATH ?? '', ...env } });
    return JSON.parse(stdout) as string[];
  };
  const lambda = { AWS_LAMBDA_FUNCTION_NAME: 'gitsync-refresh' };
  assert.deepEqual((await loaded({ ...lambda, TRACING_MODE: 'Active' })).sort(), ['refresh.cjs', TRACER_FILE].sort(), 'loaded during the import, from the artifact');
  assert.deepEqual(await loaded({ ...lambda, TRACING_MODE: 'PassThrough' }), ['refresh.cjs']);
});

test('the refresh bundle runs one tick of the Task input from events/ against DynamoDB Local', async () => {
  const now = Date.now();
  const row: DiffStatusRow = {
    chatId: 'bundle-chat',
    ownerId: 'owner-without-token',
    gitRemoteOrigin: 'https://github.com/o/r.git',
    gitBranch: 'main',
    staleAt: now - 1_000,
    dueShard: dueShardFor('bundle-chat', 1),
    createdAt: now,
    updatedAt: now,
  };
  await t.doc.send(new PutCommand({ TableName: t.tableName, Item: row }));
  const { stdout, stderr } = await invoke('events/loop-iteration.json');
  const summary = JSON.parse(stdout) as Record<string, unknown>;
  assert.deepEqual(
    Object.keys(summary).sort(),
    [...Object.keys(emptySummary()), 'groups', 'dueEstimate'].sort(),
    "stdout is the lead's answer alone: its TickSummary, no shard groups",
  );
  assert.deepEqual(summary.groups, [], 'one shard: the lead ticks it itself');
  assert.equal(summary.claimed, 1);
  assert.equal(summary.noToken, 1, 'the owner has no token: backed off without any HTTP call');
  const after = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { chatId: row.chatId }, ConsistentRead: true }));
  assert.ok(((after.Item as DiffStatusRow).staleAt ?? 0) > now + 60_000, 'the row is no longer due');
  assert.match(stderr, /REPORT RefreshFunction .*Max Memory Used: \d+ MB of 512 MB/);
});

test('the mark-stale bundle handles the sample event, and rejects a malformed one without writing', async () => {
  const { stdout } = await invoke('MarkStaleFunction', 'events/mark-stale.json');
  assert.deepEqual(JSON.parse(stdout), { status: 'marked', marked: 2 });
  const marked = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { chatId: 'chat-1' }, ConsistentRead: true }));
  assert.equal((marked.Item as DiffStatusRow | undefined)?.gitBranch, 'feature/login');

  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ 'detail-type': 'gitsync.MarkStale', detail: { chatId: 'chat-9', branch: 'x' } }));
  const rejected = await invoke('MarkStaleFunction', bad);
  assert.deepEqual(JSON.parse(rejected.stdout), { status: 'rejected', reason: 'detail.origin must be a non-empty string' });
  assert.match(rejected.stderr, /"message":"mark-stale event rejected"/);
  const untouched = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { chatId: 'chat-9' }, ConsistentRead: true }));
  assert.equal(untouched.Item, undefined);
});

test('the webhook bundle verifies the signed sample deliveries, stamps the matching row, and refuses a tampered one', async () => {
  const origin = 'git@github.com:Codertocat/Hello-World.git';
  const now = Date.now();
  const row: DiffStatusRow = {
    chatId: 'webhook-chat',
    ownerId: 'owner-without-token',
    gitRemoteOrigin: origin,
    gitBranch: 'changes',
    staleAt: now + 3_600_000,
    dueShard: dueShardFor('webhook-chat', 1),
    repoBranchKey: repoBranchKey(origin, 'changes'),
  };
  await t.doc.send(new PutCommand({ TableName: t.tableName, Item: row }));
  const first = JSON.parse((await invoke('WebhookFunction', 'events/webhook-github-pull-request.json')).stdout) as { statusCode: number; body: string };
  assert.equal(first.statusCode, 200);
  assert.deepEqual(JSON.parse(first.body), { outcome: 'processed', matched: 1, refreshed: 0, madeDue: 0, skipped: 0 });
  const after = (await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { chatId: row.chatId }, ConsistentRead: true }))).Item as DiffStatusRow;
  assert.ok((after.webhookAt ?? 0) >= now, 'stamped');
  assert.equal(after.lastErrorKind, 'no_token', 'refreshed in the delivery: the owner has no token');
  const again = JSON.parse((await invoke('WebhookFunction', 'events/webhook-github-pull-request.json')).stdout) as { body: string };
  assert.equal(JSON.parse(again.body).outcome, 'duplicate');
  for (const sample of ['events/webhook-github-push.json', 'events/webhook-gitlab-merge-request.json']) {
    const out = JSON.parse((await invoke('WebhookFunction', sample)).stdout) as { statusCode: number };
    assert.equal(out.statusCode, 200, sample);
  }
  const tampered = join(dir, 'tampered.json');
  const event = JSON.parse(readFileSync('events/webhook-github-push.json', 'utf8')) as { body: string };
  writeFileSync(tampered, JSON.stringify({ ...event, body: event.body.replace('refs/heads/', 'refs/heads/x') }));
  const refused = await invoke('WebhookFunction', tampered);
  assert.equal((JSON.parse(refused.stdout) as { statusCode: number }).statusCode, 401);
  assert.match(refused.stderr, /webhook delivery refused/);
});

test('a handler error is reported like Lambda does, with a failing exit code', async () => {
  const env = join(dir, 'broken-env.json');
  writeFileSync(env, JSON.stringify({ Parameters: { TABLE_NAME: t.tableName, SHARD_COUNT: 'many' } }));
  const failed = await npm('invoke', '--', 'MarkStaleFunction', 'events/mark-stale.json', '--build-dir', join(dir, 'build'), '--env-vars', env).then(
    () => assert.fail('invoke should fail'),
    (err: { code: number; stdout: string }) => err,
  );
  assert.equal(failed.code, 1);
  const error = JSON.parse(failed.stdout) as { errorType: string; errorMessage: string };
  assert.equal(error.errorType, 'ConfigError');
  assert.match(error.errorMessage, /SHARD_COUNT: must be a whole number/);
});
