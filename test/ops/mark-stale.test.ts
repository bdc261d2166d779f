import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { markStale } from '../../src/ops/mark-stale.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { pipeline, type Pipeline } from '../support/pipeline.ts';

let t: TestTables;
let p: Pipeline;
before(async () => {
  t = await createTestTables();
  p = pipeline(t);
});
after(() => t.close());

test('an empty branch or origin does nothing', async () => {
  const row = await p.put({ chatId: 'empty-1', staleAt: p.clock.now() + 60_000 });
  for (const input of [
    { chatIds: ['empty-1'], branch: '', origin: 'https://git.test/o/r' },
    { chatIds: ['empty-1'], branch: '  ', origin: 'https://git.test/o/r' },
    { chatIds: ['empty-1'], branch: 'main', origin: '' },
  ]) {
    assert.deepEqual(await markStale(p.store, p.clock, input), { marked: 0 });
  }
  assert.deepEqual(await p.get('empty-1'), row);
});

test('marks only the given chat: stores branch and origin, due 1 s ago, updatedAt now, publishes', async () => {
  await p.put({ chatId: 'one-1', staleAt: p.clock.now() + 60_000, pullRequestTitle: 'kept' });
  const untouched = await p.put({ chatId: 'one-2', staleAt: p.clock.now() + 60_000 });
  p.clock.advance(1_000);
  const out = await markStale(p.store, p.clock, { chatIds: ['one-1'], branch: 'feature', origin: 'https://git.test/o/new' }, { publisher: p.publisher });
  assert.deepEqual(out, { marked: 1 });
  const row = await p.get('one-1');
  assert.equal(row.gitBranch, 'feature');
  assert.equal(row.gitRemoteOrigin, 'https://git.test/o/new');
  assert.equal(row.staleAt, p.clock.now() - 1_000);
  assert.equal(row.updatedAt, p.clock.now());
  assert.equal(row.pullRequestTitle, 'kept', 'clears nothing else');
  assert.equal(row.dueShard, 'due#0');
  assert.deepEqual(await p.get('one-2'), untouched);
  assert.deepEqual(p.publisher.changes.map((c) => [c.chatId, c.reason]), [['one-1', 'marked_stale']]);
});

test('every chat of a workspace is marked, credentials in the origin are never stored', async () => {
  const ids = ['ws-1', 'ws-2', 'ws-3'];
  for (const chatId of ids) await p.put({ chatId, staleAt: p.clock.now() + 60_000 });
  const out = await markStale(p.store, p.clock, {
    chatIds: [...ids, 'ws-1'],
    branch: 'push',
    origin: 'https://x-access-token:ghp_notARealTokenButLooksLikeOne0000000000@git.test/o/r.git',
  });
  assert.deepEqual(out, { marked: 3 });
  for (const chatId of ids) {
    const row = await p.get(chatId);
    assert.equal(row.gitRemoteOrigin, 'https://git.test/o/r.git');
    assert.equal(row.staleAt, p.clock.now() - 1_000);
  }
});

test('a chat the table does not have yet is created and becomes due', async () => {
  await markStale(p.store, p.clock, { chatIds: ['new-1'], branch: 'b', origin: 'https://git.test/o/r' });
  const row = await p.get('new-1');
  assert.equal(row.createdAt, p.clock.now());
  const now = p.clock.now();
  const round = await p.store.beginRound({ id: 'tick', takenAt: now, expiresAt: now + 60_000 });
  assert.ok((await p.store.queryDue(round, now, 1_000)).some((d) => d.chatId === 'new-1'));
  await p.store.endRound(round, now);
});

test('a mark fences off the in-flight refresh, so it cannot write its older answer', async () => {
  await p.put({ chatId: 'lease-1' });
  const now = p.clock.now();
  const lease = { id: 'old-lease', takenAt: now, expiresAt: now + 60_000 };
  const round = await p.store.beginRound(lease);
  await p.store.queryDue(round, now, 1_000);
  const claimed = await p.store.claim(round, 'lease-1');
  assert.ok(claimed);
  await markStale(p.store, p.clock, { chatIds: ['lease-1'], branch: 'b2', origin: 'https://git.test/o/r' });
  assert.equal(await p.store.writeBack(claimed, lease, { set: { pullRequestTitle: 'stale' }, remove: [] }), false);
  await p.store.endRound(round, now);
  const row = await p.get('lease-1');
  assert.equal(row.pullRequestTitle, undefined);
  assert.ok(row.staleAt! < p.clock.now(), 'due for the next tick');
});

test('an archived chat takes the new branch but stays out of the due index', async () => {
  await p.put({ chatId: 'arch-1', archived: true, dueShard: undefined, staleAt: p.clock.now() + 60_000 });
  await markStale(p.store, p.clock, { chatIds: ['arch-1'], branch: 'b3', origin: 'https://git.test/o/r' });
  const row = await p.get('arch-1');
  assert.equal(row.gitBranch, 'b3');
  assert.equal(row.dueShard, undefined);
});
