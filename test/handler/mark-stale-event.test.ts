import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MAX_CHAT_IDS, parseMarkStaleEvent } from '../../src/handler/mark-stale-event.ts';

const sample = JSON.parse(readFileSync('events/mark-stale.json', 'utf8')) as Record<string, unknown>;
const withDetail = (detail: unknown) => ({ ...sample, detail });
const base = { branch: 'main', origin: 'https://github.com/o/r.git' };

test('the sample event in events/ is accepted', () => {
  assert.deepEqual(parseMarkStaleEvent(sample), {
    ok: true,
    input: { chatIds: ['chat-1', 'chat-2'], branch: 'feature/login', origin: 'https://github.com/octo-org/octo-repo.git' },
  });
});

test('a single chatId becomes a one-element list; branch and origin are trimmed', () => {
  assert.deepEqual(parseMarkStaleEvent(withDetail({ chatId: 'c1', branch: ' main ', origin: ' git@github.com:o/r.git ' })), {
    ok: true,
    input: { chatIds: ['c1'], branch: 'main', origin: 'git@github.com:o/r.git' },
  });
});

const rejected: [string, unknown, RegExp][] = [
  ['not an object', 'hello', /not a JSON object/],
  ['an array', [], /not a JSON object/],
  ['another detail-type', { ...sample, 'detail-type': 'Scheduled Event' }, /detail-type must be "gitsync.MarkStale"/],
  ['no detail', { ...sample, detail: undefined }, /detail must be an object/],
  ['a misspelt field', withDetail({ chat_id: 'c1', ...base }), /unknown field\(s\): chat_id/],
  ['no chat at all', withDetail(base), /exactly one of chatId and chatIds/],
  ['both chatId and chatIds', withDetail({ chatId: 'a', chatIds: ['b'], ...base }), /exactly one of chatId and chatIds/],
  ['a numeric chatId', withDetail({ chatId: 42, ...base }), /detail.chatId must be a non-empty string/],
  ['an empty chatId', withDetail({ chatId: '  ', ...base }), /detail.chatId must be a non-empty string/],
  ['chatIds not a list', withDetail({ chatIds: 'a,b', ...base }), /detail.chatIds must be an array/],
  ['an empty chatIds', withDetail({ chatIds: [], ...base }), /must not be empty/],
  ['a bad entry in chatIds', withDetail({ chatIds: ['a', null], ...base }), /detail.chatIds\[1\] must be a non-empty string/],
  ['too many chats', withDetail({ chatIds: Array.from({ length: MAX_CHAT_IDS + 1 }, (_, i) => `c${i}`), ...base }), /at most 500/],
  ['no branch', withDetail({ chatId: 'c', origin: base.origin }), /detail.branch must be a non-empty string/],
  ['an empty branch', withDetail({ chatId: 'c', branch: '', origin: base.origin }), /detail.branch must be a non-empty string/],
  ['no origin', withDetail({ chatId: 'c', branch: 'main' }), /detail.origin must be a non-empty string/],
  ['an origin with spaces', withDetail({ chatId: 'c', branch: 'main', origin: 'https://x y/o/r' }), /must not contain whitespace/],
  ['a huge branch', withDetail({ chatId: 'c', origin: base.origin, branch: 'b'.repeat(1025) }), /longer than 1024/],
];

for (const [name, event, reason] of rejected) {
  test(`rejected with a reason: ${name}`, () => {
    const parsed = parseMarkStaleEvent(event);
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.reason, reason);
  });
}
