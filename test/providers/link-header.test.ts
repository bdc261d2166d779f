import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiClient } from '../../src/providers/http/api-client.ts';
import { createHttpAgent } from '../../src/providers/http/agent.ts';
import { linkTargets } from '../../src/providers/http/link-header.ts';

const rows: [string, string | undefined, Record<string, string>][] = [
  ['absent', undefined, {}],
  [
    'GitHub next and last',
    '<https://api.github.com/repositories/1/pulls/7/reviews?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/pulls/7/reviews?per_page=100&page=3>; rel="last"',
    { next: 'https://api.github.com/repositories/1/pulls/7/reviews?per_page=100&page=2', last: 'https://api.github.com/repositories/1/pulls/7/reviews?per_page=100&page=3' },
  ],
  ['unquoted rel, extra parameters, commas in the URL', '<https://h/x?a=1,2&page=2>; title="p, 2"; rel=next', { next: 'https://h/x?a=1,2&page=2' }],
  ['two relations in one rel; the first target of a repeated rel wins', '<https://h/2>; rel="next last", <https://h/9>; rel="next"', { next: 'https://h/2', last: 'https://h/2' }],
  ['garbage is skipped', 'nonsense, <https://h/p>; rel="prev", <broken; rel="next"', { prev: 'https://h/p' }],
];
for (const [name, header, expected] of rows) {
  test(`Link header: ${name}`, () => {
    assert.deepEqual(Object.fromEntries(linkTargets(header)), expected);
  });
}

test('a Link target is used only below the configured API base', async () => {
  const agent = createHttpAgent();
  const api = new ApiClient({
    apiUrl: 'https://ghe.example.com/api/v3',
    dispatcher: agent,
    clock: { now: () => 0 },
    rateLimitHeaders: { remaining: 'x', reset: 'y' },
    headers: () => ({}),
  });
  const from = '/repos/o/r/pulls/1/reviews?per_page=100';
  assert.equal(api.pathBelowApi('https://ghe.example.com/api/v3/repositories/5/pulls/1/reviews?page=2', from), '/repositories/5/pulls/1/reviews?page=2');
  assert.equal(api.pathBelowApi('reviews?page=2', from), '/repos/o/r/pulls/1/reviews?page=2');
  for (const hostile of [
    'https://evil.example/api/v3/x',
    'http://ghe.example.com/api/v3/x',
    'https://ghe.example.com/other/x',
    'https://ghe.example.com/api/v3/../../x',
    'https://ghe.example.com/api/v30/x',
    'https://user:pw@ghe.example.com/api/v3/x',
    'http://[bad',
  ]) {
    assert.equal(api.pathBelowApi(hostile, from), null, hostile);
  }
  await agent.close();
});
