import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RememberedCaches } from '../../src/refresh/remembered-caches.ts';

test('an item is recalled only at the row version it was remembered with', () => {
  const memory = new RememberedCaches();
  memory.remember('a', 3, { p: { etag: 'W/"1"' } });
  assert.deepEqual(memory.recall('a', 3), { entries: { p: { etag: 'W/"1"' } } });
  assert.equal(memory.recall('a', 4), undefined, 'another writer moved the row on');
  assert.equal(memory.recall('b', 3), undefined);
});

test('"no item" is remembered too', () => {
  const memory = new RememberedCaches();
  memory.remember('a', 1, undefined);
  assert.deepEqual(memory.recall('a', 1), { entries: undefined });
});

test('a row without a usable version is not remembered, and forget drops what was', () => {
  const memory = new RememberedCaches();
  memory.remember('a', 1, {});
  memory.remember('a', 'x', {});
  assert.equal(memory.recall('a', 1), undefined, 'replaced by an unusable version: nothing held');
  memory.remember('b', 2, {});
  memory.forget('b');
  assert.equal(memory.recall('b', 2), undefined);
});

test('the memory keeps the most recently used items within its limit', () => {
  const memory = new RememberedCaches(2);
  memory.remember('a', 1, 'A');
  memory.remember('b', 1, 'B');
  memory.recall('a', 1);
  memory.remember('c', 1, 'C');
  assert.equal(memory.size, 2);
  assert.equal(memory.recall('b', 1), undefined, 'the least recently used went');
  assert.deepEqual(memory.recall('a', 1), { entries: 'A' });
  assert.deepEqual(memory.recall('c', 1), { entries: 'C' });
});
