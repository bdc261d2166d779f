import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tickDeadline } from '../../src/refresh/budget.ts';

test('deadline: the 30 s budget or the Lambda time left less the margin, whichever is first', () => {
  const o = { tickBudgetMs: 30_000, safetyMarginMs: 5_000 };
  const cases: [string, number | undefined, number][] = [
    ['outside Lambda', undefined, 30_000],
    ['plenty of Lambda time', 60_000, 30_000],
    ['exactly budget + margin', 35_000, 30_000],
    ['Lambda about to time out', 12_000, 7_000],
    ['less than the margin left', 3_000, -2_000],
  ];
  for (const [name, remaining, want] of cases) assert.equal(tickDeadline(1_000, remaining, o) - 1_000, want, name);
});
