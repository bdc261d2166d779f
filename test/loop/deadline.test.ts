import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lambdaEnd, refreshDeadline } from '../../src/loop/deadline.ts';

test('deadline: the 30 s budget, the Lambda time left or the loop minute, each less the margin, whichever is first', () => {
  const o = { startedAt: 1_000, budgetMs: 30_000, safetyMarginMs: 5_000 };
  const cases: [string, number | undefined, number | undefined, number][] = [
    ['outside Lambda', undefined, undefined, 30_000],
    ['plenty of Lambda time', 60_000, undefined, 30_000],
    ['exactly budget + margin', 35_000, undefined, 30_000],
    ['Lambda about to time out', 12_000, undefined, 7_000],
    ['less than the margin left', 3_000, undefined, -2_000],
    ['the :50 tick: 10 s left in the loop minute', 40_000, 1_000 + 10_000, 5_000],
    ['the first tick: the minute is not what limits', 40_000, 1_000 + 59_000, 30_000],
    ['the loop minute without Lambda (a local loop)', undefined, 1_000 + 20_000, 15_000],
  ];
  for (const [name, remaining, loopEndsAt, want] of cases) {
    const lambdaEndsAt = lambdaEnd(1_000, remaining === undefined ? undefined : () => remaining);
    assert.equal(refreshDeadline({ ...o, lambdaEndsAt, loopEndsAt }) - 1_000, want, name);
  }
});

test('a fan-out worker refreshes for one slot at most, and less when another limit comes first', () => {
  const o = { startedAt: 1_000, budgetMs: 30_000, safetyMarginMs: 5_000, fanOutWorker: true };
  assert.equal(refreshDeadline(o) - 1_000, 10_000);
  assert.equal(refreshDeadline({ ...o, lambdaEndsAt: 1_000 + 12_000 }) - 1_000, 7_000);
  assert.equal(refreshDeadline({ ...o, loopEndsAt: 1_000 + 12_000 }) - 1_000, 7_000);
  assert.equal(refreshDeadline({ ...o, fanOutWorker: false }) - 1_000, 30_000, 'the lead, or a table one worker serves');
});

test('without a margin the hard ends count as they are: a refresh-now has only its timeout, a delivery its budget and the Lambda', () => {
  assert.equal(refreshDeadline({ startedAt: 1_000, budgetMs: 10_000 }), 11_000);
  assert.equal(refreshDeadline({ startedAt: 1_000, budgetMs: 5_000, safetyMarginMs: 1_000, lambdaEndsAt: 4_000 }), 3_000);
  assert.equal(refreshDeadline({ startedAt: 1_000, budgetMs: 5_000, safetyMarginMs: 1_000, lambdaEndsAt: 60_000 }), 6_000);
});
