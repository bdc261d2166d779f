import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCadence, checkHeldClaims } from './support/invariants.ts';
import type { ClaimedBy, WriteRecord } from './support/recording-store.ts';

const PERIOD = 120_000;

/** A write-back ending one claim: applied, scheduling the row one period after it was planned. */
function write(leaseId: string, claimedBy: ClaimedBy, [claimSentAt, claimedAt, answeredAt]: [number, number, number], extra: Partial<WriteRecord> = {}): WriteRecord {
  return {
    chatId: 'c',
    leaseId,
    claimedBy,
    claimSentAt,
    claimedAt,
    answeredAt,
    update: { set: {}, remove: [], schedule: { kind: 'every', periodMs: PERIOD, from: answeredAt - 1 } },
    base: { chatId: 'c' },
    result: 'applied',
    ...extra,
  };
}

test('cadence: which claims are held to the schedule the previous refresh wrote', () => {
  const cases: { name: string; writes: WriteRecord[]; touchedAt?: number; flagged: boolean }[] = [
    {
      name: 'a tick claim sent after a tick\'s write was answered, before its schedule',
      writes: [write('t1', 'tick', [0, 10, 100]), write('t2', 'tick', [200, 210, 300])],
      flagged: true,
    },
    {
      name: 'the same, with the row made due from outside since the first claim',
      writes: [write('t1', 'tick', [0, 10, 100]), write('t2', 'tick', [200, 210, 300])],
      touchedAt: 150,
      flagged: false,
    },
    {
      name: 'the same, made due from outside before the first claim: the first refresh saw it',
      writes: [write('t1', 'tick', [0, 10, 100]), write('t2', 'tick', [200, 210, 300])],
      touchedAt: -5,
      flagged: true,
    },
    {
      name: 'two ticks at one row: the second claim sent before the first tick\'s write was answered',
      writes: [write('t1', 'tick', [0, 10, 100]), write('t2', 'tick', [20, 30, 200], { result: 'rejected' })],
      flagged: true,
    },
    {
      name: 'a tick claim after a delivery\'s write: a tick is never exempt as an outside trigger\'s refresh',
      writes: [write('d1', 'delivery', [0, 10, 100]), write('t1', 'tick', [200, 210, 300])],
      touchedAt: -5,
      flagged: true,
    },
    {
      name: 'a tick claim sent while a refresh-now\'s write was on its way (both read the due row; the tick\'s write is fenced off)',
      writes: [write('n1', 'refreshNow', [0, 5, 300]), write('t1', 'tick', [10, 40, 400], { result: 'rejected' })],
      touchedAt: -1,
      flagged: false,
    },
    {
      name: 'a delivery\'s claim right after a tick\'s write: the tick may have asked before the change it announces',
      writes: [write('t1', 'tick', [0, 10, 100]), write('d1', 'delivery', [150, 160, 300])],
      touchedAt: -5,
      flagged: false,
    },
    {
      name: 'a refresh-now claim right after a tick\'s write',
      writes: [write('t1', 'tick', [0, 10, 100]), write('n1', 'refreshNow', [150, 160, 300])],
      touchedAt: -5,
      flagged: false,
    },
    {
      name: 'a tick claim after the schedule',
      writes: [write('t1', 'tick', [0, 10, 100]), write('t2', 'tick', [PERIOD + 100, PERIOD + 110, PERIOD + 200])],
      flagged: false,
    },
    {
      name: 'a tick claim after a refused write: a refused write schedules nothing',
      writes: [write('t1', 'tick', [0, 10, 100], { result: 'rejected' }), write('t2', 'tick', [200, 210, 300])],
      flagged: false,
    },
  ];
  for (const c of cases) {
    const found = checkCadence('c', c.writes, c.touchedAt);
    assert.equal(found.length, c.flagged ? 1 : 0, `${c.name}: ${found.join('; ')}`);
  }
});

test('held claims: no claim but the holder\'s takes a row a live claim holds', () => {
  const held = { chatId: 'c', leaseId: 'd1', leaseExpiresAt: 30_000 };
  const cases: { name: string; w: WriteRecord; flagged: boolean }[] = [
    { name: 'a tick reads the row a delivery holds', w: write('t1', 'tick', [0, 10, 100], { base: held }), flagged: true },
    { name: 'refresh-now reads the row a delivery holds', w: write('n1', 'refreshNow', [0, 10, 100], { base: held }), flagged: true },
    { name: 'the delivery\'s own claim', w: write('d1', 'delivery', [0, 10, 100], { base: held }), flagged: false },
    { name: 'a tick after the delivery\'s lease lapsed', w: write('t1', 'tick', [30_000, 30_010, 30_100], { base: held }), flagged: false },
    { name: 'an expiry without a lease id (half a lease) holds nothing', w: write('t1', 'tick', [0, 10, 100], { base: { chatId: 'c', leaseExpiresAt: 30_000 } }), flagged: false },
  ];
  for (const c of cases) {
    const found = checkHeldClaims('c', [c.w]);
    assert.equal(found.length, c.flagged ? 1 : 0, `${c.name}: ${found.join('; ')}`);
  }
});
