import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildUpdateExpression } from '../../src/store/update-expression.ts';

test('set, set-if-absent and remove use placeholders for every name', () => {
  const out = buildUpdateExpression({
    set: { staleAt: 5, url: undefined, name: 'x' },
    setIfAbsent: { createdAt: 1 },
    remove: ['leaseId', 'staleAt'],
    conditionNames: { '#l': 'leaseId' },
    conditionValues: { ':l': 'lease-1' },
  });
  assert.equal(out.UpdateExpression, 'SET #u0 = :u0, #u1 = :u1, #u2 = if_not_exists(#u2, :u2) REMOVE #u3');
  assert.deepEqual(out.ExpressionAttributeNames, {
    '#l': 'leaseId',
    '#u0': 'staleAt',
    '#u1': 'name',
    '#u2': 'createdAt',
    '#u3': 'leaseId',
  });
  assert.deepEqual(out.ExpressionAttributeValues, { ':l': 'lease-1', ':u0': 5, ':u1': 'x', ':u2': 1 });
});

test('remove only carries no values; an empty update is refused', () => {
  const out = buildUpdateExpression({ remove: ['dueShard'] });
  assert.equal(out.UpdateExpression, 'REMOVE #u0');
  assert.equal(out.ExpressionAttributeValues, undefined);
  assert.throws(() => buildUpdateExpression({ set: { a: undefined } }), /at least one attribute/);
});
