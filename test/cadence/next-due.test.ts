import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorDelay, noPullRequestDelay, rateLimitedUntil } from '../../src/cadence/next-due.ts';
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
