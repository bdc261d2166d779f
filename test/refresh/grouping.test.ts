import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupByOwnerAndOrigin } from '../../src/refresh/grouping.ts';

test('rows group by (owner, origin) in first-seen order, remembering their positions', () => {
  const groups = groupByOwnerAndOrigin([
    { ownerId: 'a', gitRemoteOrigin: 'https://git.test/o/r' },
    { ownerId: 'b', gitRemoteOrigin: 'https://git.test/o/r' },
    { ownerId: 'a', gitRemoteOrigin: 'https://git.test/o/r' },
    { ownerId: 'a', gitRemoteOrigin: 'https://git.test/o/other' },
    { gitRemoteOrigin: 'https://git.test/o/r' },
  ]);
  assert.deepEqual(
    groups.map((g) => [g.ownerId, g.origin, g.indices]),
    [
      ['a', 'https://git.test/o/r', [0, 2]],
      ['b', 'https://git.test/o/r', [1]],
      ['a', 'https://git.test/o/other', [3]],
      [undefined, 'https://git.test/o/r', [4]],
    ],
  );
});

test('owner ids that look alike after concatenation stay apart', () => {
  const groups = groupByOwnerAndOrigin([
    { ownerId: 'a|', gitRemoteOrigin: 'b' },
    { ownerId: 'a', gitRemoteOrigin: '|b' },
  ]);
  assert.equal(groups.length, 2);
});
