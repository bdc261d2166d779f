import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseSlot } from '../../src/store/due-slot.ts';
import { withWriteBack, type Store } from '../../src/store/store.ts';
import { Harness } from './support/harness.ts';
import type { DynamoFaultRule } from './support/dynamo-faults.ts';

/**
 * Issue 19, case 8: a row a tick took, but whose claim read or write-back DynamoDB failed (past
 * the SDK's retries), is due again at the next tick that holds its shard; it is not counted as
 * served and left for a whole period. Through the real tick on DynamoDB Local, the faults
 * injected into the store's own client.
 */
let h: Harness;

before(async () => {
  h = await Harness.create({ random: () => 0 });
  await h.linkToken('alice', 'test-token-alice');
});
after(() => h.close());

/** The store, with `rule` in force during each claim read or each write-back of `chatId`. */
function failingDuring(step: 'claim' | 'writeBack', chatId: string, rule: DynamoFaultRule): Store {
  const during = async <T>(active: boolean, call: () => Promise<T>): Promise<T> => {
    if (!active) return call();
    h.ddbFaults.add(rule);
    try {
      return await call();
    } finally {
      h.ddbFaults.clear();
    }
  };
  const store = withWriteBack(h.store, (row, lease, update) =>
    during(step === 'writeBack' && row.chatId === chatId, () => h.store.writeBack(row, lease, update)),
  );
  return { ...store, claim: (round, id) => during(step === 'claim' && id === chatId, () => h.store.claim(round, id)) };
}

/** A refreshed row on its periodic slot, and the clock moved just past its next occurrence. */
async function periodicRowDueNow(chatId: string): Promise<void> {
  await h.putRows([h.newRow({ chatId, ownerId: 'alice', repo: h.repo('acme', 'lost') })]);
  await h.tick();
  const row = (await h.row(chatId))!;
  assert.ok(row.refreshedAt !== undefined, 'refreshed');
  assert.ok(parseSlot(row.dueSlot)!.periodMs > 0, `periodic: ${row.dueSlot}`);
  h.clock.advance(row.staleAt! - h.clock.now() + 1_000);
}

const cases: [string, 'claim' | 'writeBack', DynamoFaultRule][] = [
  ['claim read is throttled past the SDK\'s retries', 'claim', { kind: 'throttle', operations: ['GetItem'] }],
  ['write-back is throttled past the SDK\'s retries and the backoff', 'writeBack', { kind: 'throttle', operations: ['UpdateItem'] }],
  ['write-back gets a 500 past the SDK\'s retries', 'writeBack', { kind: 'server', operations: ['UpdateItem'] }],
];

for (const [i, [name, step, rule]] of cases.entries()) {
  test(`case 8: a row whose ${name} is due again at the next tick, and counted`, async () => {
    const chatId = `lost-${i}`;
    await periodicRowDueNow(chatId);
    const failed = await h.tick({}, { store: failingDuring(step, chatId, rule) });
    const stored = (await h.row(chatId))!;
    assert.ok(stored.refreshedAt! < h.clock.now() - 60_000, 'not written by the failed tick');
    h.clock.advance(10_000);
    const nextAt = h.clock.now();
    const next = await h.tick();
    const row = (await h.row(chatId))!;
    assert.ok(row.refreshedAt! >= nextAt, `taken again by the next tick: ${JSON.stringify({ next, before: stored.refreshedAt, now: row.refreshedAt, nextAt })}`);
    assert.ok(failed.unserved >= 1, `counted: ${JSON.stringify(failed)}`);
    assert.deepEqual((await h.check()).violations, []);
  });
}
