import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_CHECK_NAME_LENGTH, MAX_FAILING_NAMES, readChecks, summarizeChecks, type CheckVerdict, type ChecksSummary } from '../../src/domain/checks.ts';
import { changedPullRequestFields, settledStatus, type DiffStatusRow } from '../../src/domain/row.ts';
import { repairRow } from '../../src/domain/row-repair.ts';
import { statusFor } from '../support/fakes.ts';

const run = (name: string, verdict: CheckVerdict) => ({ name, verdict });

test('summarizeChecks: the state from the verdicts, counts and failing names', () => {
  const cases: [string, ReturnType<typeof run>[], Partial<ChecksSummary>][] = [
    ['no checks', [], { state: 'none', total: 0, failing: [] }],
    ['all passed', [run('a', 'passed'), run('b', 'passed')], { state: 'success', total: 2, passed: 2 }],
    ['passed and skipped', [run('a', 'passed'), run('b', 'neutral')], { state: 'success', total: 2, passed: 1 }],
    ['all skipped', [run('a', 'neutral'), run('b', 'neutral')], { state: 'neutral', total: 2, passed: 0 }],
    ['one still running', [run('a', 'passed'), run('b', 'pending')], { state: 'pending', pending: 1 }],
    ['a failure wins over pending', [run('a', 'failed'), run('b', 'pending')], { state: 'failure', failed: 1, pending: 1, failing: ['a'] }],
  ];
  for (const [name, checks, expected] of cases) {
    const summary = summarizeChecks(checks);
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(summary[key as keyof ChecksSummary], value, `${name}: ${key}`);
  }
});

test('summarizeChecks: at most 5 failing names, each cut to a sane length', () => {
  const checks = Array.from({ length: 8 }, (_, i) => run(`${i}-${'x'.repeat(300)}`, 'failed'));
  const summary = summarizeChecks(checks);
  assert.equal(summary.failed, 8);
  assert.equal(summary.failing.length, MAX_FAILING_NAMES);
  assert.ok(summary.failing.every((n) => n.length === MAX_CHECK_NAME_LENGTH && n.endsWith('…')));
});

test('readChecks: a stored summary is used as is, an over-long list is cut, anything else is unusable', () => {
  const good: ChecksSummary = { state: 'failure', total: 2, passed: 1, failed: 1, pending: 0, failing: ['lint'] };
  assert.deepEqual(readChecks(good), good);
  assert.deepEqual(readChecks({ ...good, failing: ['a', 'b', 'c', 'd', 'e', 'f'] })?.failing, ['a', 'b', 'c', 'd', 'e']);
  for (const bad of [null, 'success', [good], { ...good, state: 'green' }, { ...good, total: -1 }, { ...good, passed: 1.5 }, { ...good, failing: 'lint' }, { ...good, failing: [1] }, { ...good, pending: undefined }]) {
    assert.equal(readChecks(bad), undefined, JSON.stringify(bad));
  }
});

test('row repair: malformed checks, mergeable and headSha are dropped or cut, never a crash; good ones stay', () => {
  const good: ChecksSummary = { state: 'success', total: 1, passed: 1, failed: 0, pending: 0, failing: [] };
  const sha = 'a'.repeat(40);
  // Key order as DynamoDB may give it back is no repair.
  const reordered = { failing: [], pending: 0, failed: 0, passed: 1, total: 1, state: 'success' };
  const kept = repairRow({ chatId: 'c', checks: reordered as unknown as ChecksSummary, mergeable: 'behind', headSha: sha });
  assert.deepEqual(kept.problems, []);

  const row = { chatId: 'c', checks: { state: 'ok' }, mergeable: 'maybe', headSha: 42 } as unknown as DiffStatusRow;
  const repair = repairRow(row);
  assert.deepEqual(repair.remove.sort(), ['checks', 'headSha', 'mergeable']);
  assert.equal(repair.problems.length, 3);
  assert.equal(repair.row.checks, undefined);

  const long = repairRow({ chatId: 'c', checks: { ...good, failed: 7, failing: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] } });
  assert.deepEqual(long.set.checks?.failing, ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(long.remove, []);
});

test('unknown mergeability is no change: the stored value stays, or stays absent', () => {
  const ref = { repo: { host: 'h', path: 'o/r' }, number: 1 };
  const status = { ...statusFor(ref), mergeable: 'unknown' as const };
  const stored: DiffStatusRow = { chatId: 'c', ...statusFor(ref), mergeable: 'clean' };
  assert.equal(settledStatus(stored, status).mergeable, 'clean');
  assert.deepEqual(changedPullRequestFields(stored, status), []);
  const { mergeable: _, ...without } = stored;
  assert.equal('mergeable' in settledStatus(without, status), false);
  assert.deepEqual(changedPullRequestFields(without, status), []);
  assert.deepEqual(changedPullRequestFields(stored, { ...status, mergeable: 'conflicts' }), ['mergeable']);
});
