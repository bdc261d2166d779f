import { PULL_REQUEST_FIELDS } from '../../src/domain/row.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AuthError,
  DeadlineExceeded,
  InvalidRowError,
  NoProviderError,
  NoTokenError,
  ProviderError,
  RateLimitedError,
  SkippedByRateLimit,
  type RefreshError,
} from '../../src/domain/errors.ts';
import { FIXED_CADENCE } from '../../bench/fixed-cadence.ts';
import { DEFAULT_CADENCE } from '../../src/cadence/policy.ts';
import type { RefreshResult } from '../../src/domain/refresh-result.ts';
import { entriesToWrite } from '../../src/refresh/http-caches.ts';
import { SIZE_BOUNDS } from '../../src/refresh/size-bounds.ts';
import { planItemTooLarge, planWriteBack } from '../../src/refresh/write-back.ts';
import { scheduledAt } from '../../src/store/due-slot.ts';
import { statusFor } from '../support/fakes.ts';

const NOW = 1_800_000_000_000;
const failed = (error: RefreshError): RefreshResult => ({ kind: 'failed', error });

test('each outcome maps to its next staleAt and bookkeeping', () => {
  const row = { chatId: 'c', updatedAt: NOW - 3_600_000, errorCount: 2 };
  const cases: [string, RefreshResult, string, number, number | undefined][] = [
    ['success', { kind: 'refreshed', status: statusFor({ repo: { host: 'h', path: 'o/r' }, number: 1 }), httpCache: {} }, 'refreshed', 120_000, undefined],
    ['no PR, old push', { kind: 'no_pr', httpCache: {} }, 'no_pr', 300_000, undefined],
    ['no token', failed(new NoTokenError()), 'no_token', 6 * 3_600_000, undefined],
    ['rate limited', failed(new RateLimitedError(NOW + 900_000)), 'rate_limited', 900_000, 2],
    ['skipped by rate limit', failed(new SkippedByRateLimit(NOW + 900_000)), 'rate_limited', 900_000, 2],
    ['deadline, turn never came', failed(new DeadlineExceeded()), 'released', 0, 2],
    ['deadline, in flight, first', failed(new DeadlineExceeded({ inFlight: true })), 'released', 0, 3],
    ['provider error, third in a row', failed(new ProviderError('x', 500)), 'error', 480_000, 3],
    ['auth error', failed(new AuthError(401)), 'error', 480_000, 3],
    ['no provider', failed(new NoProviderError()), 'error', 480_000, 3],
    ['invalid row', failed(new InvalidRowError('bad url')), 'error', 480_000, 3],
  ];
  for (const [name, result, outcome, delay, errorCount] of cases) {
    const plan = planWriteBack(row, result, NOW, DEFAULT_CADENCE, () => 0);
    assert.equal(plan.outcome, outcome, name);
    assert.equal(scheduledAt(plan.update.schedule!), NOW + delay, name);
    assert.equal(plan.update.set.updatedAt ?? row.updatedAt, outcome === 'refreshed' ? NOW : row.updatedAt, `${name}: updatedAt`);
    const count = plan.update.remove.includes('errorCount') ? undefined : (plan.update.set.errorCount ?? row.errorCount);
    assert.equal(count, errorCount, `${name}: errorCount`);
    // Every check records itself; a row released before its turn came was not checked.
    const checked = !(result.kind === 'failed' && result.error instanceof DeadlineExceeded && !result.error.inFlight);
    assert.equal(plan.update.set.checkedAt, checked ? NOW : undefined, `${name}: checkedAt`);
    assert.equal(plan.update.set.checkOutcome, checked ? outcome : undefined, `${name}: checkOutcome`);
  }
});

test('failures keep their kind and a bounded message; success clears them', () => {
  const long = new ProviderError('x'.repeat(5_000), 500);
  const plan = planWriteBack({ chatId: 'c' }, failed(long), NOW, DEFAULT_CADENCE, () => 0);
  assert.equal(plan.update.set.lastErrorKind, 'provider_error');
  assert.equal(plan.update.set.lastErrorMessage?.length, 500);
  assert.equal(plan.update.set.lastErrorAt, NOW);
  const ok = planWriteBack({ chatId: 'c' }, { kind: 'no_pr', httpCache: {} }, NOW, DEFAULT_CADENCE, () => 0);
  assert.deepEqual(ok.update.remove.sort(), ['errorCount', 'lastErrorAt', 'lastErrorKind', 'lastErrorMessage']);
});

test('no token: the row waits for its owner\'s token (awaitingToken); again, only the check is new; a token ends the wait', () => {
  const first = planWriteBack({ chatId: 'c', ownerId: 'ann', errorCount: 1 }, failed(new NoTokenError()), NOW, DEFAULT_CADENCE, () => 0);
  assert.equal(first.update.set.lastErrorAt, NOW);
  assert.equal(first.update.set.awaitingToken, 'ann');
  const row = { chatId: 'c', ownerId: 'ann', ...first.update.set };
  const later = NOW + 6 * 3_600_000;
  const again = planWriteBack(row, failed(new NoTokenError()), later, DEFAULT_CADENCE, () => 0);
  assert.deepEqual(again.update.set, { checkedAt: later, checkOutcome: 'no_token', awaitingToken: 'ann' }, 'lastErrorAt keeps when the owner was first found without a token');
  assert.deepEqual(again.update.schedule, { kind: 'every', periodMs: 6 * 3_600_000, from: later });
  const other = planWriteBack({ ...row, lastErrorKind: 'provider_error' }, failed(new NoTokenError()), later, DEFAULT_CADENCE, () => 0);
  assert.equal(other.update.set.lastErrorAt, later, 'a new error kind is stamped');
  const linked = planWriteBack(row, { kind: 'no_pr', httpCache: {} }, later, DEFAULT_CADENCE, () => 0);
  assert.ok(linked.update.remove.includes('awaitingToken'), 'the wait ends with any other outcome');
  const ownerless = planWriteBack({ chatId: 'c' }, failed(new NoTokenError()), NOW, DEFAULT_CADENCE, () => 0);
  assert.equal(ownerless.update.set.awaitingToken, undefined, 'a row without an owner waits for no token');
});

test('no PR for a branch whose stored PR belongs to another branch: the stale PR fields are cleared', () => {
  const plan = planWriteBack({ chatId: 'c' }, { kind: 'no_pr', httpCache: {}, dropStoredPullRequest: true }, NOW, DEFAULT_CADENCE, () => 0);
  for (const field of PULL_REQUEST_FIELDS) assert.ok(plan.update.remove.includes(field), field);
  assert.equal(plan.update.set.refreshedAt, undefined);
});

test('an unchanged refresh writes only its bookkeeping; a change writes the changed fields and names them', () => {
  const status = statusFor({ repo: { host: 'h', path: 'o/r' }, number: 1 });
  const row = { chatId: 'c', ...status, changedAt: NOW - 7_200_000, httpCache: { a: { etag: '"1"', value: 1 } } };
  const same = planWriteBack(row, { kind: 'refreshed', status, httpCache: row.httpCache }, NOW, DEFAULT_CADENCE, () => 0);
  assert.deepEqual(same.changedFields, []);
  assert.deepEqual(Object.keys(same.update.set).sort(), ['checkOutcome', 'checkedAt', 'refreshedAt', 'updatedAt']);
  const changed = planWriteBack(row, { kind: 'refreshed', status: { ...status, additions: 9, approved: true }, httpCache: {} }, NOW, DEFAULT_CADENCE, () => 0);
  assert.deepEqual(changed.changedFields, ['additions', 'approved']);
  assert.deepEqual(Object.keys(changed.update.set).sort(), ['additions', 'approved', 'changedAt', 'checkOutcome', 'checkedAt', 'refreshedAt', 'updatedAt']);
  assert.equal(changed.update.set.changedAt, NOW);
  assert.deepEqual(changed.update.schedule, { kind: 'every', periodMs: 120_000, from: NOW });
});

test('the HTTP cache is never written to the row: a refresh removes a legacy httpCache attribute, a failure keeps it', () => {
  const status = statusFor({ repo: { host: 'h', path: 'o/r' }, number: 1 });
  const entries = { p: { etag: 'W/"1"', value: 1 } };
  const legacy = { chatId: 'c', ...status, changedAt: NOW - 7_200_000, httpCache: entries };
  const refreshed = planWriteBack(legacy, { kind: 'refreshed', status, httpCache: entries }, NOW, DEFAULT_CADENCE, () => 0);
  const noPr = planWriteBack(legacy, { kind: 'no_pr', httpCache: entries }, NOW, DEFAULT_CADENCE, () => 0);
  for (const plan of [refreshed, noPr]) {
    assert.equal(plan.update.set.httpCache, undefined);
    assert.ok(plan.update.remove.includes('httpCache'), plan.outcome);
  }
  const fresh = planWriteBack({ ...legacy, httpCache: undefined }, { kind: 'refreshed', status, httpCache: entries }, NOW, DEFAULT_CADENCE, () => 0);
  assert.ok(!fresh.update.remove.includes('httpCache'), 'nothing to remove on a row without it');
  const failedPlan = planWriteBack(legacy, failed(new DeadlineExceeded()), NOW, DEFAULT_CADENCE, () => 0);
  assert.ok(!failedPlan.update.remove.includes('httpCache'), 'no entries went to the cache table: the attribute stays');
});

test('a refresh writes its cache entries only when they differ from the stored item, bounded', () => {
  const entries = { p: { etag: 'W/"1"', value: 'v'.repeat(100_000) }, r: { etag: 'W/"2"', value: { approved: true } } };
  assert.deepEqual(Object.keys(entriesToWrite(undefined, entries) ?? {}), ['r'], 'the oversized entry is dropped, the small one kept');
  assert.equal(entriesToWrite({ r: { etag: 'W/"2"', value: { approved: true } } }, entries), undefined, 'the same entries (all 304s): no write');
  assert.equal(entriesToWrite(undefined, {}), undefined, 'no item and nothing to keep: no write');
  assert.deepEqual(entriesToWrite({ r: { etag: 'W/"1"', value: {} } }, { r: { etag: 'W/"3"', value: {} } }), { r: { etag: 'W/"3"', value: {} } });
  assert.deepEqual(entriesToWrite('damaged', {}), {}, 'a damaged item is replaced');
});

test("the cadence follows the quiet time: open PRs up to 15 minutes, merged ones up to 6 hours; the bench's fixed baseline keeps 120 s", () => {
  const open = statusFor({ repo: { host: 'h', path: 'o/r' }, number: 1 });
  const period = (state: 'open' | 'merged', quietMs: number, policy = DEFAULT_CADENCE) => {
    const status = { ...open, pullRequestState: state };
    const plan = planWriteBack({ chatId: 'c', ...status, changedAt: NOW - quietMs }, { kind: 'refreshed', status, httpCache: {} }, NOW, policy, () => 0);
    return plan.update.schedule?.kind === 'every' ? plan.update.schedule.periodMs : NaN;
  };
  assert.equal(period('open', 30 * 60_000), 120_000, 'active within the hour');
  assert.equal(period('open', 3_600_000 + 5 * 60_000), 240_000);
  assert.equal(period('open', 3_600_000 + 14 * 60_000), 480_000);
  assert.equal(period('open', 3_600_000 + 15 * 60_000), 900_000, 'the cap once the quiet time beyond the hour reaches it (960 s would be over it)');
  assert.equal(period('open', 3 * 3_600_000), 900_000);
  assert.equal(period('merged', 3_600_000 + 10 * 60_000), 480_000);
  assert.equal(period('merged', 30 * 86_400_000), 6 * 3_600_000);
  // The bench's baseline: the same rule with both caps at the fast end.
  for (const quietMs of [0, 3 * 3_600_000, 30 * 86_400_000]) {
    assert.equal(period('open', quietMs, FIXED_CADENCE), 120_000);
    assert.equal(period('merged', quietMs, FIXED_CADENCE), 120_000);
  }
});

test('deadline releases: the first in flight is due at once, a repeat (or one after a slow host) backs off like an error', () => {
  const cases: [string, string | undefined, number][] = [
    ['after a success', undefined, 0],
    ['after a provider error', 'provider_error', 0],
    ['after a deadline release', 'deadline_exceeded', 480_000],
    ['after a slow host', 'slow_host', 480_000],
  ];
  for (const [name, lastErrorKind, delay] of cases) {
    const row = { chatId: 'c', errorCount: 2, ...(lastErrorKind ? { lastErrorKind } : {}) };
    const plan = planWriteBack(row, failed(new DeadlineExceeded({ inFlight: true })), NOW, DEFAULT_CADENCE, () => 0);
    assert.equal(plan.outcome, 'released', name);
    assert.equal(scheduledAt(plan.update.schedule!), NOW + delay, name);
    assert.equal(plan.update.set.lastErrorKind, 'deadline_exceeded', name);
    assert.equal(plan.update.set.errorCount, 3, name);
  }
});

test('a refresh stores bounded text; a move learned is stored, none clears it', () => {
  const status = { ...statusFor({ repo: { host: 'h', path: 'o/r' }, number: 1 }), pullRequestTitle: 't'.repeat(500_000) };
  const httpCache = { p: { etag: 'W/"1"', value: 'v'.repeat(100_000) }, r: { etag: 'W/"2"', value: { approved: true } } };
  const moved = planWriteBack({ chatId: 'c' }, { kind: 'refreshed', status, httpCache, repoMove: { origin: 'o', path: 'o/r2' } }, NOW, DEFAULT_CADENCE, () => 0);
  assert.equal(moved.update.set.pullRequestTitle?.length, SIZE_BOUNDS.stringChars);
  assert.deepEqual(moved.update.set.repoMove, { origin: 'o', path: 'o/r2' });
  assert.ok(!moved.update.remove.includes('repoMove'));
  const home = planWriteBack({ chatId: 'c' }, { kind: 'refreshed', status, httpCache: {} }, NOW, DEFAULT_CADENCE, () => 0);
  assert.ok(home.update.remove.includes('repoMove'));
});

test('an item too large to write: a small error write with a backoff that drops a legacy cache', () => {
  const plan = planItemTooLarge({ chatId: 'c', errorCount: 1 }, NOW, DEFAULT_CADENCE, () => 0);
  assert.equal(plan.outcome, 'error');
  assert.equal(plan.update.set.lastErrorKind, 'item_too_large');
  assert.equal(plan.update.set.errorCount, 2);
  assert.equal(scheduledAt(plan.update.schedule!), NOW + 240_000);
  assert.ok(plan.update.remove.includes('httpCache'));
  assert.ok(JSON.stringify(plan.update).length < 1_000, 'a write that is sure to fit');
});

test('line counts the host cannot tell (Azure DevOps) are removed when stored and never written as 0', () => {
  const { additions: _a, deletions: _d, ...status } = statusFor({ repo: { host: 'h', path: 'o/p/r' }, number: 1 });
  const result: RefreshResult = { kind: 'refreshed', status, httpCache: {} };
  const stored = planWriteBack({ chatId: 'c', ...status, additions: 5, deletions: 2 }, result, NOW, DEFAULT_CADENCE, () => 0);
  assert.deepEqual(stored.changedFields, ['additions', 'deletions']);
  assert.ok(stored.update.remove.includes('additions') && stored.update.remove.includes('deletions'));
  assert.ok(!('additions' in stored.update.set) && !('deletions' in stored.update.set));
  const absent = planWriteBack({ chatId: 'c', ...status }, result, NOW, DEFAULT_CADENCE, () => 0);
  assert.deepEqual(absent.changedFields, []);
  assert.ok(!absent.update.remove.includes('additions'));
});

test('checks, mergeable and headSha are written and named as changed; unknown mergeability is never written', () => {
  const ref = { repo: { host: 'h', path: 'o/r' }, number: 1 };
  const checks = { state: 'pending' as const, total: 2, passed: 1, failed: 0, pending: 1, failing: [] };
  const row = { chatId: 'c', ...statusFor(ref), mergeable: 'blocked' as const, headSha: 'a'.repeat(40) };
  const refreshed = (extra: object): RefreshResult => ({ kind: 'refreshed', status: { ...statusFor(ref), ...extra }, httpCache: {} });
  const pushed = planWriteBack(row, refreshed({ checks, mergeable: 'unknown', headSha: 'b'.repeat(40) }), NOW, DEFAULT_CADENCE, () => 0);
  assert.deepEqual(pushed.changedFields.sort(), ['checks', 'headSha']);
  assert.deepEqual(pushed.update.set.checks, checks);
  assert.equal(pushed.update.set.mergeable, undefined, 'unknown is not stored');
  assert.ok(!pushed.update.remove.includes('mergeable'), 'nor does it remove what the row knew');
  assert.equal(pushed.status?.mergeable, 'blocked', 'the change event tells the value the row keeps');
  const settled = planWriteBack(row, refreshed({ mergeable: 'clean', headSha: row.headSha }), NOW, DEFAULT_CADENCE, () => 0);
  assert.deepEqual(settled.changedFields, ['mergeable']);
  assert.equal(settled.update.set.mergeable, 'clean');
  const gone = planWriteBack(row, { kind: 'no_pr', httpCache: {}, dropStoredPullRequest: true }, NOW, DEFAULT_CADENCE, () => 0);
  assert.ok(['mergeable', 'headSha'].every((f) => gone.update.remove.includes(f as never) && gone.changedFields.includes(f as never)));
});
