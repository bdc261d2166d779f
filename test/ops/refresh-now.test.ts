import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ProviderError } from '../../src/domain/errors.ts';
import { refreshNow, RowNotFoundError } from '../../src/ops/refresh-now.ts';
import { DEFAULT_CADENCE } from '../../src/cadence/policy.ts';
import { parseSlot } from '../../src/store/due-slot.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { pipeline, type Pipeline } from '../support/pipeline.ts';

let t: TestTables;
let p: Pipeline;
let deps: Parameters<typeof refreshNow>[0];
before(async () => {
  t = await createTestTables();
  p = pipeline(t);
  p.tokens.tokens.set('alice', 'tok');
  const d = p.deps();
  deps = { store: d.store, refresher: d.refresher, clock: p.clock, policy: DEFAULT_CADENCE, random: Math.random, publisher: p.publisher };
});
after(() => t.close());

test('refreshes a row that is not due, writes it and returns it', async () => {
  await p.put({ chatId: 'now-1', gitBranch: 'feature-5', staleAt: p.clock.now() + 100_000 });
  const row = await refreshNow(deps, 'now-1');
  assert.equal(row?.prNumber, 5);
  assert.equal(row?.leaseId, undefined);
  const stored = await p.get('now-1');
  assert.equal(stored.prNumber, 5);
  assert.equal(stored.refreshedAt, p.clock.now());
  assert.equal(stored.leaseId, undefined);
});

test('no PR yet returns null and leaves the row as it was', async () => {
  p.provider.branches.set('none', { pr: null });
  const before = await p.put({ chatId: 'now-2', gitBranch: 'none', staleAt: p.clock.now() + 100_000 });
  assert.equal(await refreshNow(deps, 'now-2'), null);
  assert.deepEqual(await p.get('now-2'), before);
});

test('an error is thrown to the caller, typed, with no backoff written', async () => {
  p.provider.branches.set('broken', { error: () => new ProviderError('bad gateway', 502) });
  const before = await p.put({ chatId: 'now-3', gitBranch: 'broken', staleAt: p.clock.now() + 100_000 });
  await assert.rejects(refreshNow(deps, 'now-3'), (err) => err instanceof ProviderError && err.status === 502);
  assert.deepEqual(await p.get('now-3'), before);
});

test('an unknown chat is a RowNotFoundError', async () => {
  await assert.rejects(refreshNow(deps, 'nope'), RowNotFoundError);
});

test('while a tick refreshes the row, only the first of the two write-backs lands', async () => {
  await p.put({ chatId: 'now-4', gitBranch: 'feature-9' });
  const now = p.clock.now();
  const lease = { id: 'tick-lease', takenAt: now, expiresAt: now + 60_000 };
  const round = await p.store.beginRound(lease);
  await p.store.queryDue(round, now, 1_000);
  const tickRead = await p.store.claim(round, 'now-4');
  assert.ok(tickRead);
  const row = await refreshNow(deps, 'now-4');
  assert.equal(row?.prNumber, 9);
  assert.equal((await p.get('now-4')).prNumber, 9);
  // The tick's answer was read before refresh-now wrote: fenced off.
  assert.equal(await p.store.writeBack(tickRead, lease, { set: { pullRequestTitle: 'older' }, remove: [] }), false);
  await p.store.endRound(round, now);
  assert.notEqual((await p.get('now-4')).pullRequestTitle, 'older');
});

test('on a host that sends webhooks, the refreshed row keeps the safety cadence (no slot churn)', async () => {
  await p.put({ chatId: 'now-hook', gitBranch: 'feature-8', staleAt: p.clock.now() + 100_000 });
  const plain = await refreshNow(deps, 'now-hook');
  const host = new URL(plain!.url!).host;
  assert.equal(parseSlot((await p.get('now-hook')).dueSlot)?.periodMs, DEFAULT_CADENCE.successTtlMs, 'normal polling without webhooks');
  await refreshNow({ ...deps, webhookActivity: { activeHosts: async () => new Map([[host, DEFAULT_CADENCE.webhookSafetyTtlMs]]) } }, 'now-hook');
  assert.equal(parseSlot((await p.get('now-hook')).dueSlot)?.periodMs, DEFAULT_CADENCE.webhookSafetyTtlMs);
});
