import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorDelay, nextDue, noPullRequestDelay, rateLimitedUntil } from '../../src/cadence/next-due.ts';
import {
  AuthError, DeadlineExceeded, InvalidRowError, ItemTooLargeError, SlowHostError, NoProviderError, NoTokenError, ProviderError, RateLimitedError, SkippedByRateLimit, UnexpectedError,
  type RefreshError,
} from '../../src/domain/errors.ts';
import { MAX_RATE_LIMIT_WAIT_MS } from '../../src/providers/http/rate-limit.ts';
import { ERROR_FREE_OUTCOMES, OUTCOME_OF_ERROR, OUTCOMES } from '../../src/cadence/outcomes.ts';
import { DEFAULT_CADENCE as P } from '../../src/cadence/policy.ts';

const NOW = 1_800_000_000_000;

test('no PR yet: 15 s while the last outside change is under 2 minutes old, else 5 minutes', () => {
  const cases: [string, number | undefined, number][] = [
    ['just pushed', NOW, 15_000],
    ['1 min 59.999 s ago', NOW - 119_999, 15_000],
    ['exactly 2 min ago', NOW - 120_000, 300_000],
    ['3 min ago', NOW - 180_000, 300_000],
    ['never changed', undefined, 300_000],
  ];
  for (const [name, updatedAt, want] of cases) {
    assert.equal(noPullRequestDelay(NOW, updatedAt, P), want, name);
  }
});

test('transient errors double from 120 s up to the 30-minute cap', () => {
  const noJitter = () => 0;
  const cases: [number, number][] = [
    [1, 120_000],
    [2, 240_000],
    [3, 480_000],
    [4, 960_000],
    [5, 1_800_000],
    [6, 1_800_000],
    [1_000, 1_800_000],
  ];
  for (const [failures, want] of cases) assert.equal(errorDelay(failures, noJitter, P), want, `failure ${failures}`);
});

test('jitter adds at most 20 % and never makes a later failure wait less', () => {
  assert.equal(errorDelay(1, () => 0.999999, P), Math.round(120_000 * (1 + 0.2 * 0.999999)));
  for (let n = 1; n < 8; n++) {
    const longestNow = errorDelay(n, () => 0.999999, P);
    const shortestNext = errorDelay(n + 1, () => 0, P);
    assert.ok(shortestNext >= longestNow, `failure ${n + 1} (${shortestNext}) >= failure ${n} (${longestNow})`);
  }
});

test('rate limit: the reset time wins but never sooner than 120 s', () => {
  const cases: [string, number, number][] = [
    ['reset in 10 min', NOW + 600_000, NOW + 600_000],
    ['reset in 30 s', NOW + 30_000, NOW + 120_000],
    ['reset in the past', NOW - 5_000, NOW + 120_000],
  ];
  for (const [name, resetAt, want] of cases) assert.equal(rateLimitedUntil(NOW, resetAt, P), want, name);
});

test('every error kind leads to its outcome, and no delay nextDue picks exceeds that outcome\'s longest wait', () => {
  const errors: RefreshError[] = [
    new NoTokenError(), new NoProviderError(), new InvalidRowError('x'), new RateLimitedError(NOW + 7_200_000),
    new SkippedByRateLimit(NOW + 60_000), new ProviderError('x', 500), new AuthError(401), new DeadlineExceeded(), new UnexpectedError('x'),
    new SlowHostError(10_000), new ItemTooLargeError(),
  ];
  const kinds = new Set(errors.map((e) => e.kind));
  assert.deepEqual([...kinds].sort(), Object.keys(OUTCOME_OF_ERROR).sort(), 'every kind is exercised');
  const capped = (resetAt: number) => Math.min(resetAt, NOW + MAX_RATE_LIMIT_WAIT_MS); // what the provider layer hands on
  for (const error of errors) {
    for (const errorCount of [0, 3, 40]) {
      const e = error instanceof RateLimitedError && !(error instanceof SkippedByRateLimit) ? new RateLimitedError(capped(error.resetAt)) : error;
      const due = nextDue({ chatId: 'c', errorCount }, { kind: 'failed', error: e }, NOW, P, () => 0.999);
      assert.equal(due.outcome, OUTCOME_OF_ERROR[error.kind], error.kind);
      const longest = OUTCOMES[due.outcome].longestWaitMs;
      assert.ok(longest && due.staleAt - NOW <= longest(P), `${error.kind} after ${errorCount} failures`);
    }
  }
  // A row in flight at a deadline again (or after a slow host) backs off within its outcome's bound too.
  for (const lastErrorKind of ['deadline_exceeded', 'slow_host']) {
    for (const errorCount of [0, 3, 40]) {
      const due = nextDue({ chatId: 'c', errorCount, lastErrorKind }, { kind: 'failed', error: new DeadlineExceeded({ inFlight: true }) }, NOW, P, () => 0.999);
      assert.equal(due.outcome, 'released');
      assert.ok(due.staleAt > NOW && due.staleAt - NOW <= OUTCOMES.released.longestWaitMs(P), `after ${lastErrorKind}, ${errorCount} failures`);
    }
  }
  for (const result of [{ kind: 'refreshed', status: {} as never, httpCache: {} }, { kind: 'no_pr', httpCache: {} }] as const) {
    const due = nextDue({ chatId: 'c', updatedAt: NOW }, result, NOW, P, () => 0);
    assert.ok(ERROR_FREE_OUTCOMES.includes(due.outcome));
    assert.deepEqual(due.remove.sort(), ['errorCount', 'lastErrorAt', 'lastErrorKind', 'lastErrorMessage']);
  }
});
