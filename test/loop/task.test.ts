import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loopEndsAtFor, loopRole, LoopEventError } from '../../src/loop/task.ts';

test('time left in the loop execution\'s minute, from its start time', () => {
  const at = (iso: string) => Date.parse(iso);
  const payload = { source: 'gitsync.loop', executionStartTime: '2026-11-28T21:36:00.183Z', slot: '2026-11-28T21:36:50Z' };
  const cases: [string, unknown, number, number | undefined][] = [
    ['the first tick', payload, at('2026-11-28T21:36:00.250Z'), 59_750],
    ['the :50 tick', payload, at('2026-11-28T21:36:50Z'), 10_000],
    ['a late tick past the minute', payload, at('2026-11-28T21:37:02Z'), undefined],
    ['a replayed sample event, days later', payload, at('2026-12-01T08:00:00Z'), undefined],
    ['a clock behind the start', payload, at('2026-11-28T21:35:59Z'), undefined],
    ['a manual invoke', {}, at('2026-11-28T21:36:50Z'), undefined],
    ['garbage start time', { executionStartTime: 'soon' }, 0, undefined],
    ['not an object', 'tick', 0, undefined],
    ['null', null, 0, undefined],
  ];
  for (const [name, event, now, want] of cases) {
    const end = loopEndsAtFor(event, now);
    assert.equal(end === undefined ? undefined : end - now, want, name);
  }
});

test('a loop payload names a worker by its shards; anything else is the lead', () => {
  assert.deepEqual(loopRole({ source: 'gitsync.loop', slot: '2026-11-28T21:36:10Z', shards: [0, 2] }), { role: 'worker', shards: [0, 2] });
  assert.deepEqual(loopRole({ source: 'gitsync.loop', slot: '2026-11-28T21:36:10Z' }), { role: 'lead', slotIndex: Date.parse('2026-11-28T21:36:10Z') / 10_000 });
  assert.deepEqual(loopRole(undefined), { role: 'lead', slotIndex: 0 });
  for (const shards of [[], [-1], [1.5], ['0'], 'all', null]) {
    assert.throws(() => loopRole({ shards }), LoopEventError, JSON.stringify(shards));
  }
});
