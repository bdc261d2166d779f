import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headChecksCadence } from '../../src/cadence/head-checks.ts';
import { nextDue } from '../../src/cadence/next-due.ts';
import { DEFAULT_CADENCE } from '../../src/cadence/policy.ts';
import type { ChecksSummary, Mergeability } from '../../src/domain/checks.ts';
import type { DiffStatusRow, PullRequestState, PullRequestStatus } from '../../src/domain/row.ts';
import { statusFor } from '../support/fakes.ts';

const NOW = 1_800_000_000_000;
const P = DEFAULT_CADENCE;
const checks = (state: ChecksSummary['state']): ChecksSummary => ({ state, total: 1, passed: 0, failed: 0, pending: state === 'pending' ? 1 : 0, failing: [] });
const status = (extra: { checks?: ChecksSummary; mergeable?: Mergeability; pullRequestState?: PullRequestState }): PullRequestStatus => ({
  ...statusFor({ repo: { host: 'github.com', path: 'o/r' }, number: 1 }),
  ...extra,
});

test('headChecksCadence: pending checks look at the fast end; unknown mergeability soon, the delay doubling with how long it has been unknown', () => {
  const cases: [string, { mergeableUnknownSince?: number }, PullRequestStatus, { withinMs?: number; mergeableUnknownSince?: number }][] = [
    ['settled checks and mergeability: no limit', {}, status({ checks: checks('success'), mergeable: 'clean' }), {}],
    ['no checks known', {}, status({}), {}],
    ['pending checks: the fast end', {}, status({ checks: checks('pending'), mergeable: 'blocked' }), { withinMs: P.successTtlMs }],
    ['a failure with runs still going: the fast end too', {}, status({ checks: { ...checks('failure'), pending: 2 } }), { withinMs: P.successTtlMs }],
    ['pending on a merged PR: nothing to wait for', {}, status({ checks: checks('pending'), pullRequestState: 'merged' }), {}],
    ['first unknown: soon, and since now', {}, status({ mergeable: 'unknown' }), { withinMs: 15_000, mergeableUnknownSince: NOW }],
    ['unknown for 15 s: 15 s again', { mergeableUnknownSince: NOW - 15_000 }, status({ mergeable: 'unknown' }), { withinMs: 15_000, mergeableUnknownSince: NOW - 15_000 }],
    ['unknown for 60 s: 60 s', { mergeableUnknownSince: NOW - 60_000 }, status({ mergeable: 'unknown' }), { withinMs: 60_000, mergeableUnknownSince: NOW - 60_000 }],
    ['unknown and pending: the sooner', { mergeableUnknownSince: NOW - 600_000 }, status({ mergeable: 'unknown', checks: checks('pending') }), { withinMs: P.successTtlMs, mergeableUnknownSince: NOW - 600_000 }],
    ['a since in the future (a damaged row) starts again', { mergeableUnknownSince: NOW + 1 }, status({ mergeable: 'unknown' }), { withinMs: 15_000, mergeableUnknownSince: NOW }],
  ];
  for (const [name, row, s, expected] of cases) assert.deepEqual(headChecksCadence(row, s, NOW, P), expected, name);
});

test('nextDue: the checks rule shortens the adaptive period, records and clears mergeableUnknownSince; a quiet PR on a webhook host still looks at pending CI at the fast end', () => {
  const quiet: DiffStatusRow = { chatId: 'c', ...status({ checks: checks('pending') }), changedAt: NOW - 10 * 3_600_000 };
  const period = (row: DiffStatusRow, s: PullRequestStatus, hosts = new Map<string, number>()) => {
    const next = nextDue(row, { kind: 'refreshed', status: s, httpCache: {} }, NOW, P, () => 0, hosts);
    assert.equal(next.schedule.kind, 'every');
    return { periodMs: next.schedule.kind === 'every' ? next.schedule.periodMs : 0, next };
  };
  assert.equal(period(quiet, status({ checks: checks('success') })).periodMs, P.successTtlMs, 'the finished checks are a change: fast end');
  assert.equal(period({ ...quiet, checks: checks('success') }, status({ checks: checks('success') })).periodMs, P.openCapMs, 'quiet and settled: the cap');
  assert.equal(period(quiet, status({ checks: checks('pending') })).periodMs, P.successTtlMs, 'still pending: the fast end');
  assert.equal(period(quiet, status({ checks: checks('pending') }), new Map([['github.com', P.webhookSafetyTtlMs]])).periodMs, P.successTtlMs, 'webhooks do not relax pending CI');

  const unknown = period({ ...quiet, checks: checks('success'), mergeable: 'clean' }, status({ checks: checks('success'), mergeable: 'unknown' }));
  assert.equal(unknown.periodMs, 15_000);
  assert.equal(unknown.next.set.mergeableUnknownSince, NOW);
  const settled = period({ ...quiet, checks: checks('success'), mergeable: 'clean', mergeableUnknownSince: NOW - 30_000 }, status({ checks: checks('success'), mergeable: 'clean' }));
  assert.ok(settled.next.remove.includes('mergeableUnknownSince'));
  assert.equal(settled.periodMs, P.openCapMs);
});

test('unknown mergeability is asked again a bounded number of times before the row\'s own cadence takes over', () => {
  let row: DiffStatusRow = { chatId: 'c', ...status({ checks: checks('success'), mergeable: 'clean' }), changedAt: NOW - 10 * 3_600_000 };
  let at = NOW;
  const asks: number[] = [];
  for (let i = 0; i < 20; i++) {
    const next = nextDue(row, { kind: 'refreshed', status: status({ checks: checks('success'), mergeable: 'unknown' }), httpCache: {} }, at, P, () => 0);
    const periodMs = next.schedule.kind === 'every' ? next.schedule.periodMs : 0;
    asks.push(periodMs);
    row = { ...row, ...next.set };
    at += periodMs;
    if (periodMs >= P.openCapMs) break;
  }
  assert.deepEqual(asks, [15_000, 15_000, 30_000, 60_000, 120_000, 240_000, 480_000, P.openCapMs]);
});
