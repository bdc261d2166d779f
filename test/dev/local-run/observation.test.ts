import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rowState, scheduledDue, takeCensus, type CensusRow } from '../../../src/dev/local-run/row-census.ts';
import { quantile, RowTracker } from '../../../src/dev/local-run/row-tracker.ts';

const NOW = 1_800_000_000_000;
const row = (over: Partial<CensusRow> = {}): CensusRow => ({ chatId: 'c1', ownerId: 'o1', dueShard: 'due#0', staleAt: NOW - 1_000, ...over });

test('rowState: where a row stands', () => {
  const cases: [string, Partial<CensusRow>, ReturnType<typeof rowState>][] = [
    ['due', {}, { kind: 'due' }],
    ['due without staleAt', { staleAt: undefined }, { kind: 'due' }],
    ['leased', { leaseExpiresAt: NOW + 1, staleAt: NOW + 300_000 }, { kind: 'leased' }],
    ['lapsed lease is due', { leaseExpiresAt: NOW - 1, staleAt: NOW - 1 }, { kind: 'due' }],
    ['fresh', { staleAt: NOW + 1, refreshedAt: NOW - 5 }, { kind: 'fresh' }],
    ['waiting for a PR', { staleAt: NOW + 1 }, { kind: 'waitingForPr' }],
    ['backing off', { staleAt: NOW + 1, refreshedAt: NOW - 5, lastErrorKind: 'rate_limited' }, { kind: 'backingOff', reason: 'rate_limited' }],
    ['an error past its backoff is due', { staleAt: NOW, lastErrorKind: 'no_token' }, { kind: 'due' }],
    ['unpollable', { dueShard: undefined }, { kind: 'unpollable' }],
  ];
  for (const [name, over, expected] of cases) assert.deepEqual(rowState(row(over), NOW), expected, name);
});

test('takeCensus counts states and reasons and the oldest due lateness', () => {
  const census = takeCensus(
    [
      row({ chatId: 'a', staleAt: NOW - 4_000 }),
      row({ chatId: 'b', staleAt: NOW - 9_000 }),
      row({ chatId: 'c', staleAt: NOW + 1, lastErrorKind: 'no_token' }),
      row({ chatId: 'd', staleAt: NOW + 1, lastErrorKind: 'no_token' }),
      row({ chatId: 'e', staleAt: NOW + 1, refreshedAt: NOW }),
    ],
    NOW,
  );
  assert.deepEqual(
    { total: census.total, due: census.due, fresh: census.fresh, backingOff: census.backingOff, oldest: census.oldestLatenessMs },
    { total: 5, due: 2, fresh: 1, backingOff: { no_token: 2 }, oldest: 9_000 },
  );
  assert.equal(takeCensus([row({ staleAt: NOW + 1 })], NOW).oldestLatenessMs, null);
});

test('RowTracker: refreshes, no-PR checks and failures from census to census', () => {
  const start = NOW - 60_000;
  const tracker = new RowTracker(start);
  tracker.observe(
    [
      row({ chatId: 'pr', staleAt: NOW - 2_000 }),
      row({ chatId: 'nopr', staleAt: NOW - 2_000 }),
      row({ chatId: 'fail', staleAt: NOW - 2_000 }),
      row({ chatId: 'old', staleAt: start - 30_000 }),
      row({ chatId: 'before', staleAt: NOW + 60_000, refreshedAt: start - 1 }),
    ],
    NOW,
  );
  tracker.observe([row({ chatId: 'pr', staleAt: NOW + 300_000, leaseExpiresAt: NOW + 300_000 })], NOW + 1_000);
  tracker.observe(
    [
      row({ chatId: 'pr', staleAt: NOW + 120_000, refreshedAt: NOW + 3_000 }),
      row({ chatId: 'nopr', staleAt: NOW + 15_000 }),
      row({ chatId: 'fail', staleAt: NOW + 600_000, lastErrorKind: 'no_token', lastErrorAt: NOW + 2_000 }),
      row({ chatId: 'old', staleAt: NOW + 120_000, refreshedAt: NOW + 1_000 }),
      row({ chatId: 'before', staleAt: NOW + 60_000, refreshedAt: start - 1 }),
    ],
    NOW + 4_000,
  );
  assert.deepEqual([...tracker.refreshedRows()].sort(), ['nopr', 'old', 'pr']);
  // Lateness counts from when a row was due, or from the start for rows due before it.
  assert.deepEqual([...tracker.latenessSamples()].sort((a, b) => a - b), [4_000, 5_000, 61_000]);

  // A row waiting for a PR that was not seen due or claimed was not checked again.
  const quiet = new RowTracker(start);
  quiet.observe([row({ chatId: 'w', staleAt: NOW + 5_000 })], NOW);
  quiet.observe([row({ chatId: 'w', staleAt: NOW + 5_000 })], NOW + 1_000);
  assert.equal(quiet.refreshedRows().size, 0);
});

test('quantile by nearest rank', () => {
  assert.equal(quantile([], 0.5), null);
  assert.equal(quantile([7], 0.99), 7);
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(quantile(hundred, 0.5), 50);
  assert.equal(quantile(hundred, 0.99), 99);
  assert.equal(quantile(hundred, 1), 100);
});

test('scheduledDue: a periodic row is due by its slot and its shard\'s served mark, whatever staleAt it kept', () => {
  const slot = (periodMs: number, anchor: number) => `${periodMs}/${anchor}`;
  const cases: [string, Parameters<typeof scheduledDue>[0], number | undefined, number | undefined][] = [
    ['due since the mark', { dueSlot: slot(600_000, NOW - 605_000), staleAt: NOW - 5_000 }, NOW - 10_000, NOW - 5_000],
    ['served, nothing written: next period', { dueSlot: slot(600_000, NOW - 605_000), staleAt: NOW - 5_000 }, NOW - 1_000, NOW + 595_000],
    ['served long ago, staleAt lagging', { dueSlot: slot(600_000, NOW - 6_005_000), staleAt: NOW - 5_405_000 }, NOW - 1_000, NOW + 595_000],
    ['not due yet', { dueSlot: slot(600_000, NOW - 5_000), staleAt: NOW + 595_000 }, NOW - 1_000, NOW + 595_000],
    ['one-off slot: staleAt', { dueSlot: slot(0, NOW + 7), staleAt: NOW + 7 }, NOW, NOW + 7],
    ['shard never served: staleAt', { dueSlot: slot(600_000, NOW - 605_000), staleAt: NOW - 5_000 }, undefined, NOW - 5_000],
    ['row-lease design: staleAt', { staleAt: NOW + 3 }, NOW, NOW + 3],
  ];
  for (const [name, r, polledUntil, expected] of cases) assert.equal(scheduledDue(r, polledUntil, NOW), expected, name);
});
