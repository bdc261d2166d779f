import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSlot } from '../../src/store/due-slot.ts';
import { basePartition, duePartition } from '../../src/store/shard.ts';
import { SlotRound } from '../../src/store/slot-round.ts';

const PERIOD = 120_000;
const ANCHOR = 1_000_000;
const slot = { periodMs: PERIOD, anchor: ANCHOR };
const dueSlot = formatSlot(slot);
/** The occurrence the round serves: the slot's last instant before `now`. */
const AT = ANCHOR + 2 * PERIOD;
const NOW = AT + 5_000;

test('a periodic occurrence is served once: a row whose last check covers it is not due again when a held-back mark hands it on', () => {
  const cases: [string, unknown, boolean][] = [
    ['never checked', undefined, true],
    ['checked before the occurrence', AT - 1, true],
    ['checked at the occurrence', AT, false],
    ['checked after it (a webhook, refresh-now, or the round the mark was held back for)', AT + 1_000, false],
    ['a damaged checkedAt counts for nothing', String(AT + 1_000), true],
  ];
  for (const [name, checkedAt, due] of cases) {
    // The shard's mark was held back below the occurrence (another row's write-back failed).
    const round = new SlotRound({ id: 'L', takenAt: NOW, expiresAt: NOW + 30_000 }, new Map([[0, AT - 10_000]]));
    const found = round.observe(0, [{ chatId: 'c', dueShard: duePartition(basePartition(0), slot), dueSlot }], NOW);
    assert.deepEqual(found, [{ chatId: 'c', dueAt: AT }], name);
    assert.equal(round.stillDue('c', dueSlot, checkedAt), due, name);
  }
});

test('a one-off slot stays due whatever the last check says (a push after it must be served)', () => {
  const round = new SlotRound({ id: 'L', takenAt: NOW, expiresAt: NOW + 30_000 }, new Map([[0, AT]]));
  const once = { periodMs: 0, anchor: NOW - 1_000 };
  round.observe(0, [{ chatId: 'c', dueShard: duePartition(basePartition(0), once), dueSlot: formatSlot(once) }], NOW);
  assert.equal(round.stillDue('c', formatSlot(once), NOW), true);
});

test('a row the read found in a bucket its slot does not fall due in is served, unless another writer has placed it since', () => {
  // A whole-minute period falls due in one bucket; an outside writer left the row in another.
  const right = duePartition(basePartition(0), slot);
  const wrong = right.replace(/:(\d)$/, (_, b: string) => `:${(Number(b) + 1) % 6}`);
  const round = new SlotRound({ id: 'L', takenAt: NOW, expiresAt: NOW + 30_000 }, new Map([[0, AT - 10_000]]));
  assert.deepEqual(round.observe(0, [{ chatId: 'c', dueShard: wrong, dueSlot }], NOW), [{ chatId: 'c', dueAt: NOW }]);
  assert.equal(round.stillDue('c', dueSlot, AT + 1_000, wrong), true, 'still as the read found it: served now, its slot replaced');
  assert.equal(round.stillDue('c', dueSlot, AT + 1_000, right), false, 'placed and checked since (refresh-now): its slot rules, and its check covers the occurrence');
  assert.equal(round.stillDue('c', dueSlot, AT - 1, right), true, 'placed since but not checked after the occurrence: due by its slot');
});
