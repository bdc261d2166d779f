import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { runCli } from '../../src/cli/gitsync.ts';
import { ProviderError } from '../../src/domain/errors.ts';
import { explainRow, span } from '../../src/ops/why.ts';
import { createTestTables, refreshFunctionEnv, type TestTables } from '../support/dynamodb.ts';
import { pipeline } from '../support/pipeline.ts';

const opened: TestTables[] = [];
after(() => Promise.all(opened.map((tables) => tables.close())));

/** The real tick over DynamoDB Local on the wall clock (the CLI reads it), and `gitsync why` run in process. */
async function setUp() {
  const tables = await createTestTables();
  opened.push(tables);
  const p = pipeline(tables);
  p.clock.current = Date.now();
  p.tokens.tokens.set('alice', 'tok');
  const env = refreshFunctionEnv(tables);
  // The AWS SDK reads its region and credentials from the process, as the installed CLI's does.
  for (const name of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const) process.env[name] = env[name];
  const why = async (chatId: string, json = true) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['why', chatId, ...(json ? ['--json'] : [])], {
      env,
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
    });
    if (!stdout) throw new Error(`gitsync why wrote nothing (exit ${code}): ${stderr}`);
    return { code, stdout, stderr, answer: json && code !== 2 ? (JSON.parse(stdout) as { verdict: string; summary: string; details: string[] }) : undefined };
  };
  return { p, why };
}

test('gitsync why: a healthy row is "fine, just not due", with its next refresh, last check and shard', async () => {
  const { p, why } = await setUp();
  await p.put({ chatId: 'healthy', gitBranch: 'feature-12' });
  await p.tick();
  const { code, answer } = await why('healthy');
  assert.equal(code, 0);
  assert.equal(answer!.verdict, 'fine');
  assert.match(answer!.summary, /^fine, just not due: next refresh \S+Z \(in (1|2) min/);
  const text = answer!.details.join('\n');
  assert.match(text, /last check: .*outcome "refreshed"/);
  assert.match(text, /pull request: https:\/\/git\.test\/o\/r\/pull\/12 \("open"\)/);
  assert.match(text, /shard: 0 .*lease: free; served until/);
  assert.match(text, /backoff: none/);
  assert.match(text, /no delivery matching this row recorded/);
  assert.match(text, /HTTP cache: no item \(the next refresh makes its requests in full\)/);
  await p.system.tickDeps().httpCache.write('healthy', { p: { etag: 'W/"1"', value: {} }, r: { etag: 'W/"2"', value: {} } });
  assert.match((await why('healthy')).answer!.details.join('\n'), /HTTP cache: an item of 2 entries/);
  const plain = await why('healthy', false);
  assert.match(plain.stdout, /^chat "healthy": fine, just not due/);
});

test('gitsync why: a backing-off row names its error, its count and until when', async () => {
  const { p, why } = await setUp();
  p.provider.branches.set('feature-13', { error: () => new ProviderError('the host answered 502', 502) });
  await p.put({ chatId: 'failing', gitBranch: 'feature-13' });
  await p.tick();
  const { answer } = await why('failing');
  assert.equal(answer!.verdict, 'backing_off');
  assert.match(answer!.summary, /^backing off after provider_error, failure 1 in a row until \S+Z \(in (1|2) min.*\): .*502/);
  assert.match(answer!.details.join('\n'), /last check: .*outcome "error"/);
});

test('gitsync why: a row stuck on a damaged value names the attribute and how it heals', async () => {
  const { p, why } = await setUp();
  // A value gitsync cannot repair by itself (an ISO updatedAt it replaces: issue 19 case 7).
  await p.put({ chatId: 'damaged', gitBranch: 14 as unknown as string });
  await p.tick();
  const { answer } = await why('damaged');
  assert.equal(answer!.verdict, 'damaged');
  assert.match(answer!.summary, /attribute gitBranch must be a string, not number/);
  assert.match(answer!.summary, /correct the attribute/);
});

test('gitsync why: an unknown chat says so and exits 1', async () => {
  const { why } = await setUp();
  const { code, answer } = await why('nobody-here');
  assert.equal(code, 1);
  assert.equal(answer!.verdict, 'not_found');
});

test('explainRow: due now, overdue behind a held lease or an unserved shard, waiting for a token, not polled', () => {
  const now = Date.UTC(2026, 11, 2, 8, 0, 0);
  const row = { chatId: 'c', ownerId: 'o', gitRemoteOrigin: 'https://h/o/r', gitBranch: 'b', dueShard: 'due#1', dueSlot: `0/${now - 5_000}`, staleAt: now - 5_000 };
  const cases: [string, Parameters<typeof explainRow>[0], string, RegExp][] = [
    ['just due', { row, shard: { shard: 1, polledUntil: now - 10_000 } }, 'due_now', /due now \(since 5 s ago\)/],
    [
      'overdue, lease held',
      { row: { ...row, staleAt: now - 300_000 }, shard: { shard: 1, leaseId: 'L', leaseExpiresAt: now + 20_000, polledUntil: now - 300_000 } },
      'overdue',
      /overdue by 5 min: shard 1 is leased by L until/,
    ],
    ['overdue, never served', { row: { ...row, staleAt: now - 300_000 }, shard: { shard: 1 } }, 'overdue', /has never been served/],
    ['overdue, outside the index', { row: { ...row, staleAt: now - 300_000, dueShard: 'elsewhere' } }, 'overdue', /names no due-index partition/],
    ['no token', { row: { ...row, staleAt: now + 3_600_000, checkOutcome: 'no_token', lastErrorKind: 'no_token' } }, 'waiting_for_token', /owner "o" has none usable.*gitsync\.TokenLinked/],
    ['archived', { row: { ...row, archived: true } }, 'not_polled', /archived/],
    ['slot unreadable', { row: { ...row, dueSlot: 'soon' } }, 'damaged', /dueSlot "soon"/],
  ];
  const legacy = explainRow({ row: { ...row, staleAt: now + 60_000, httpCache: { p: { etag: 'W/"1"', value: {} } } }, httpCache: null }, now);
  assert.match(legacy.details.join('\n'), /HTTP cache: no item \(.*\); a legacy httpCache attribute on the row/);
  for (const [name, facts, verdict, summary] of cases) {
    const answer = explainRow(facts, now);
    assert.equal(answer.verdict, verdict, name);
    assert.match(answer.summary, summary, name);
  }
  assert.deepEqual([span(0), span(65_000), span(7_500_000), span(90_061_000)], ['0 s', '1 min 5 s', '2 h 5 min', '1 d 1 h']);
});
