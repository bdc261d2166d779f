import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { parseLocalRunArgs, UsageError } from '../../../src/dev/local-run/args.ts';
import { createProgressView, renderLogLine, renderStatus, type Progress } from '../../../src/dev/local-run/progress-view.ts';
import { createRateMeter, emptyTotals } from '../../../src/dev/local-run/run-totals.ts';
import { buildSummary, renderSummary } from '../../../src/dev/local-run/summary.ts';

test('defaults: 200 rows, 2 minutes, real speed, simulated host, embedded DynamoDB', () => {
  const o = parseLocalRunArgs([], {});
  assert.deepEqual(
    { rows: o.rows, durationS: o.durationS, speed: o.speed, json: o.json, simulate: o.simulate, endpoint: o.dynamodbEndpoint, table: o.table, webhookShare: o.webhookShare },
    { rows: 200, durationS: 120, speed: 1, json: false, simulate: true, endpoint: undefined, table: undefined, webhookShare: 0.5 },
  );
  assert.equal(parseLocalRunArgs(['--webhook-share', '0'], {}).webhookShare, 0);
  const given = parseLocalRunArgs(['--rows', '40', '--duration', '0', '--speed', '2.5', '--json', '--dynamodb-endpoint', 'http://127.0.0.1:8000'], {});
  assert.deepEqual([given.rows, given.durationS, given.speed, given.json, given.dynamodbEndpoint], [40, 0, 2.5, true, 'http://127.0.0.1:8000']);
});

test('bad command lines are refused with the option named', () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['--rows', '-3'], {}, /--rows/],
    [['--rows', '1.5'], {}, /--rows must be a whole number/],
    [['--duration', 'soon'], {}, /--duration/],
    [['--speed', '0'], {}, /--speed must be a number between 1 and 100/],
    [['--speed', ''], {}, /--speed/],
    [['--dynamodb-endpoint', 'localhost:8000'], {}, /--dynamodb-endpoint must be an http\(s\) URL/],
    [['--table', 'rows'], {}, /--table, --tokens-table and --http-cache-table go together/],
    [['--table', 'rows', '--tokens-table', 'tokens'], {}, /--table, --tokens-table and --http-cache-table go together/],
    [['--dynamodb-endpoint', 'http://127.0.0.1:8000'], { GIT_PROVIDERS: '[{"type":"github","webUrl":"https://github.com"}]' }, /name the tables/],
    [['--table', ' '], {}, /--table must not be empty/],
    [['--wat'], {}, /Unknown option '--wat'/],
    [['--webhook-share', '1.5'], {}, /--webhook-share must be a number from 0 to 1/],
    [['--webhook-share', 'half'], {}, /--webhook-share/],
    [['extra'], {}, /positional/],
    [['--host', 'bitbucket'], {}, /--host must be one of github, bitbucket-cloud, bitbucket-server/],
    [[], { GIT_PROVIDERS: '[{"type":"github","webUrl":"https://github.com"}]' }, /with GIT_PROVIDERS set the simulated host is off and nothing is seeded: name the tables/],
  ];
  for (const [argv, env, message] of cases) {
    assert.throws(() => parseLocalRunArgs(argv, env), (err: unknown) => err instanceof UsageError && message.test(err.message), argv.join(' '));
  }
});

test('--host picks the simulated host type (default github)', () => {
  assert.equal(parseLocalRunArgs([], {}).host, 'github');
  assert.equal(parseLocalRunArgs(['--host', 'bitbucket-server'], {}).host, 'bitbucket-server');
});

test('GIT_PROVIDERS turns the simulated host off', () => {
  const o = parseLocalRunArgs(['--table', 'rows', '--tokens-table', 'tokens', '--http-cache-table', 'caches'], { GIT_PROVIDERS: '[{"type":"github","webUrl":"https://github.com"}]' });
  assert.deepEqual([o.simulate, o.table, o.tokensTable, o.httpCacheTable], [false, 'rows', 'tokens', 'caches']);
});

const census = { at: 0, total: 10, fresh: 4, waitingForPr: 2, due: 1, leased: 1, backingOff: { no_token: 2 }, unpollable: 0, oldestLatenessMs: 1_500 };
const progress = (): Progress => ({
  elapsedMs: 65_000,
  durationMs: 120_000,
  census,
  totals: { ...emptyTotals(), ticks: 7, refreshed: 4, noPr: 2, noToken: 2 },
  refreshRate: 0.5,
  host: { apiCalls: 20, notModified: 3, rateLimitHits: 1 },
});

test('progress shows rows by state, backoff reasons, rates, API calls, 304s, rate-limit hits and lateness', () => {
  const line = renderLogLine(progress());
  for (const part of ['[01:05] tick 7', 'fresh 4', 'no-pr-yet 2', 'due 1', 'leased 1', 'backing off: no token 2', 'refreshes 4 (0.5/s)', 'API calls 20 (304s 3)', 'rate-limit hits 1', 'oldest lateness 1.5 s']) {
    assert.ok(line.includes(part), `${part} in ${line}`);
  }
  const status = renderStatus(progress()).join('\n');
  assert.match(status, /01:05 \/ 02:00/);
  assert.match(status, /backing off: no token 2/);
  assert.match(renderStatus({ ...progress(), durationMs: 0, host: null }).join('\n'), /Ctrl-C stops[\s\S]*API calls n\/a/);
});

function capture(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY, columns: 200 });
  return { stream, text: () => text };
}

test('on a terminal the status block is redrawn in place; otherwise lines are appended', () => {
  const tty = capture(true);
  const view = createProgressView(tty.stream);
  view.update(progress());
  view.update(progress());
  view.note('incident: something');
  assert.equal(tty.text().split('\x1b[4F\x1b[J').length, 3, 'two redraws of the 4-line block');
  assert.match(tty.text(), /incident: something\ngitsync local run/);

  const plain = capture(false);
  const log = createProgressView(plain.stream);
  log.update(progress());
  log.note('incident: something');
  assert.doesNotMatch(plain.text(), /\x1b/);
  assert.equal(plain.text().trimEnd().split('\n').length, 2);
});

test('the summary derives per-refresh API calls and never-refreshed rows', () => {
  const s = buildSummary({
    mode: 'simulated',
    setupMs: 3_000,
    durationMs: 60_000,
    speed: 1,
    stoppedBy: 'duration',
    census,
    rowsWithToken: new Set(['a', 'b', 'c']),
    refreshedRows: new Set(['a', 'b']),
    totals: { ...emptyTotals(), refreshed: 6, noPr: 2, errorsByKind: { no_token: 2 } },
    p50: 100,
    p99: 900,
    latencySamples: 8,
    host: { apiCalls: 20, notModified: 3, rateLimitHits: 1 },
    webhooks: {
      deliveries: 7,
      refused: 1,
      all: { p50Ms: 900, p99Ms: 60_000 },
      webhook: { p50Ms: 800, p99Ms: 1_500 },
      polling: { p50Ms: 50_000, p99Ms: 110_000 },
    },
  });
  assert.equal(s.webhookDeliveries, 7);
  assert.deepEqual(s.changeToRow.webhook, { p50Ms: 800, p99Ms: 1_500 });
  assert.match(renderSummary(s).join('\n'), /webhooks: 7 deliveries, 1 refused; change to row p50 0.9 s, p99 60.0 s \(webhook p50 0.8 s, p99 1.5 s; polling p50 50.0 s, p99 110.0 s\)/);
  assert.equal(s.rowsWithTokenNeverRefreshed, 1);
  assert.equal(s.apiCallsPerRefresh, 2.5);
  assert.equal(s.rowsBackingOffNoToken, 2);
  assert.match(renderSummary(s).join('\n'), /with a token 3, refreshed at least once 2 \(1 with a token never refreshed\)/);
});

test('the refresh rate covers the last window of samples', () => {
  const rate = createRateMeter(60_000);
  assert.equal(rate(0, 0), 0);
  assert.equal(rate(10_000, 50), 5);
  assert.equal(rate(40_000, 50), 50 / 40);
  // The sample at 0 s has left the window: the rate now runs from 10 s.
  assert.equal(rate(70_000, 110), 60 / 60);
  assert.equal(rate(130_000, 110), 0);
});
