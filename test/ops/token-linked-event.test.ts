import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTokenLinkedEvent, parseTokenLinkedEvent, TOKEN_LINKED_DETAIL_TYPE } from '../../src/handler/token-linked-event.ts';

test('gitsync.TokenLinked: { ownerId } is accepted; anything else is refused with a reason', () => {
  const event = (detail: unknown) => ({ 'detail-type': TOKEN_LINKED_DETAIL_TYPE, detail });
  assert.deepEqual(parseTokenLinkedEvent(event({ ownerId: 'ann' })), { ok: true, ownerId: 'ann' });
  const refused: [unknown, RegExp][] = [
    [event({}), /ownerId must be a non-empty string/],
    [event({ ownerId: ' ' }), /non-empty/],
    [event({ ownerId: 7 }), /non-empty string/],
    [event({ ownerId: 'a'.repeat(257) }), /longer than 256/],
    [event({ ownerId: 'ann', host: 'github.com' }), /unknown field\(s\): host/],
    [event(['ann']), /detail must be an object/],
    [{ 'detail-type': 'gitsync.MarkStale', detail: { ownerId: 'ann' } }, /detail-type must be "gitsync.TokenLinked"/],
    [null, /not a JSON object/],
  ];
  for (const [input, reason] of refused) {
    const parsed = parseTokenLinkedEvent(input);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.match(parsed.reason, reason);
  }
  assert.equal(isTokenLinkedEvent(event({ ownerId: 'ann' })), true);
  assert.equal(isTokenLinkedEvent({ 'detail-type': 'gitsync.MarkStale' }), false);
});
