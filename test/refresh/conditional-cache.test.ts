import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RowConditionalCache } from '../../src/refresh/conditional-cache.ts';

test('a damaged stored cache is dropped entry by entry; usable entries are kept', () => {
  const damaged: [string, unknown, string[]][] = [
    ['not a map', 'etag', []],
    ['a list', [{ etag: 'W/"1"', value: 1 }], []],
    ['null', null, []],
    ['CR/LF in an ETag', { p: { etag: 'W/"1"\r\nX-Injected: 1', value: 1 }, r: { etag: 'W/"2"', value: 2 } }, ['r']],
    ['an ETag of the wrong type', { p: { etag: 42, value: 1 }, r: { etag: 'W/"2"', value: 2 } }, ['r']],
    ['an entry of the wrong type', { p: 'W/"1"', r: { etag: 'W/"2"', value: 2 } }, ['r']],
    ['an over-long ETag', { p: { etag: `"${'a'.repeat(1_000)}"`, value: 1 } }, []],
    ['control characters', { p: { etag: 'W/"\u0000"', value: 1 } }, []],
  ];
  for (const [name, stored, usable] of damaged) {
    const cache = new RowConditionalCache(stored);
    for (const key of ['p', 'r']) cache.get(key);
    assert.deepEqual(Object.keys(cache.entries()), usable, name);
  }
});

test('an answer ETag no header could carry back is not kept', () => {
  const cache = new RowConditionalCache(undefined);
  cache.set('p', { etag: 'W/"ok"', value: 1 });
  cache.set('r', { etag: 'bad\nvalue', value: 2 });
  assert.deepEqual(Object.keys(cache.entries()), ['p']);
});
