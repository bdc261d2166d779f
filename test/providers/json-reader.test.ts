import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProviderError } from '../../src/domain/errors.ts';
import { JsonReader } from '../../src/providers/http/json-reader.ts';

const STATES: Record<string, 'open' | 'closed'> = { OPEN: 'open', DECLINED: 'closed' };

test('oneOf reads a field through its table; anything else is a ProviderError naming the field and the value', () => {
  const read = (value: unknown) => JsonReader.object({ pr: { state: value } }, 'Host pull request').object('pr').oneOf('state', STATES);
  assert.equal(read('OPEN'), 'open');
  assert.equal(read('DECLINED'), 'closed');
  const cases: [unknown, RegExp][] = [
    ['ARCHIVED', /unexpected Host pull request answer: field pr\.state has unknown value "ARCHIVED"/],
    // Names every object has are no state: the table's own entries only.
    ['constructor', /has unknown value "constructor"/],
    ['open', /has unknown value "open"/],
    [7, /field pr\.state should be a string/],
    [undefined, /field pr\.state should be a string/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => read(value), (e) => e instanceof ProviderError && message.test(e.message), String(value));
  }
});
