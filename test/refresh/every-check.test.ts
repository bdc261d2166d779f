import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { parseSlot } from '../../src/store/due-slot.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { pipeline } from '../support/pipeline.ts';

const opened: TestTables[] = [];
after(() => Promise.all(opened.map((tables) => tables.close())));

async function fresh() {
  const tables = await createTestTables();
  opened.push(tables);
  return { ...(await pipeline(tables)), tables };
}

/** The instant a stored slot next falls due after `now` (what `staleAt` must say). */
function slotNextAfter(row: DiffStatusRow, now: number): number | undefined {
  const slot = parseSlot(row.dueSlot);
  if (!slot) return undefined;
  if (slot.periodMs === 0) return slot.anchor;
  return slot.anchor + (Math.floor((now - slot.anchor) / slot.periodMs) + 1) * slot.periodMs;
}

test('every check writes back its next refresh and when it happened: no PR, no token, an unchanged PR, a changed one', async () => {
  const p = await fresh();
  p.tokens.tokens.set('alice', 'tok');
  const ids = ['nopr', 'notoken', 'steady'];
  p.provider.branches.set('branch-nopr', { pr: null });
  await p.put({ chatId: 'nopr' });
  await p.put({ chatId: 'notoken', ownerId: 'bob' });
  await p.put({ chatId: 'steady', gitBranch: 'feature-3' });
  const checks = new Map<string, number>(ids.map((id) => [id, 0]));
  // Ticks at each next due instant for a while: each row comes back several times, and the
  // ones that found nothing new (no PR again, no token again, the same PR) are written too.
  for (let round = 0; round < 8; round++) {
    const now = p.clock.now();
    await p.tick();
    for (const id of ids) {
      const row = await p.get(id);
      if (row.checkedAt === now) {
        checks.set(id, checks.get(id)! + 1);
        assert.ok(typeof row.checkOutcome === 'string', `${id}: the outcome is recorded`);
      }
      assert.ok(row.staleAt! > now, `${id} at round ${round}: checked rows are not left looking overdue (staleAt ${row.staleAt}, now ${now})`);
      assert.equal(row.staleAt, slotNextAfter(row, now), `${id} at round ${round}: staleAt is the instant its slot next falls due`);
    }
    const rows = await Promise.all(ids.map((id) => p.get(id)));
    p.clock.current = Math.min(...rows.map((r) => r.staleAt!));
  }
  assert.ok(checks.get('nopr')! >= 3, `the branch without a PR was checked again and again (${checks.get('nopr')})`);
  assert.ok(checks.get('steady')! >= 3, `the unchanged PR was checked again and again (${checks.get('steady')})`);
  assert.equal(checks.get('notoken'), 1, 'the row waiting for a token is not polled meanwhile');
  const waiting = await p.get('notoken');
  assert.equal(waiting.checkOutcome, 'no_token');
  assert.equal(waiting.awaitingToken, 'bob');
  // At its safety cadence it is checked (and written) again, still waiting.
  p.clock.current = waiting.staleAt!;
  const version = waiting.version;
  await p.tick();
  const again = await p.get('notoken');
  assert.equal(again.checkedAt, p.clock.now());
  assert.equal(again.version, version! + 1, 'a repeat of the same answer is written');
  assert.equal(again.staleAt, p.clock.now() + 6 * 3_600_000);
});

test('linking a token makes the owner\'s waiting rows due at once; the next tick refreshes them and ends the wait', async () => {
  const p = await fresh();
  await p.put({ chatId: 'wait-1', ownerId: 'carol', gitBranch: 'feature-4' });
  await p.put({ chatId: 'wait-2', ownerId: 'carol', gitBranch: 'feature-5' });
  await p.put({ chatId: 'other', ownerId: 'dave', gitBranch: 'feature-6' });
  await p.tick();
  for (const id of ['wait-1', 'wait-2', 'other']) assert.equal((await p.get(id)).checkOutcome, 'no_token', id);
  p.clock.advance(60_000);
  // An outside writer made one row's version a string meanwhile: it is replaced, not a failure (issue 19 case 5).
  await p.tables.doc.send(new UpdateCommand({ TableName: p.tables.tableName, Key: { chatId: 'wait-2' }, UpdateExpression: 'SET version = :v', ExpressionAttributeValues: { ':v': 'x' } }));
  p.tokens.tokens.set('carol', 'tok');
  assert.deepEqual(await p.system.tokenLinked('carol'), { madeDue: 2 });
  assert.equal(typeof (await p.get('wait-2')).version, 'number');
  assert.deepEqual(await p.system.tokenLinked('nobody'), { madeDue: 0 });
  for (const id of ['wait-1', 'wait-2']) assert.ok((await p.get(id)).staleAt! <= p.clock.now(), `${id} is due now`);
  assert.ok((await p.get('other')).staleAt! > p.clock.now() + 3_600_000, "another owner's row keeps waiting");
  p.clock.advance(10_000);
  const summary = await p.tick();
  assert.equal(summary.refreshed, 2);
  for (const id of ['wait-1', 'wait-2']) {
    const row = await p.get(id);
    assert.equal(row.checkOutcome, 'refreshed', id);
    assert.equal(row.awaitingToken, undefined, `${id}: the wait is over`);
    assert.equal(row.lastErrorKind, undefined, id);
  }
});
