import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PROVIDERS, ProviderConfigError, parseProviderConfigs } from '../../src/providers/config.ts';

test('unset or blank GIT_PROVIDERS means github.com, gitlab.com, bitbucket.org and dev.azure.com', () => {
  assert.deepEqual(parseProviderConfigs(undefined), DEFAULT_PROVIDERS);
  assert.deepEqual(parseProviderConfigs('  '), DEFAULT_PROVIDERS);
  assert.deepEqual(
    parseProviderConfigs(undefined).map((c) => c.apiUrl),
    ['https://api.github.com', 'https://gitlab.com/api/v4', 'https://api.bitbucket.org/2.0', 'https://dev.azure.com'],
  );
});

test('Enterprise and self-hosted entries get their API bases', () => {
  const configs = parseProviderConfigs(
    JSON.stringify([
      { type: 'github', webUrl: 'https://GHE.example.com/' },
      { type: 'gitlab', webUrl: 'https://git.example.org:8443' },
      { type: 'github', webUrl: 'https://github.com' },
      { type: 'gitlab', webUrl: 'https://gl.example.net', apiUrl: 'https://api.gl.example.net/v4/', maxPages: 3 },
    ]),
  );
  assert.deepEqual(configs, [
    { type: 'github', webUrl: 'https://ghe.example.com', apiUrl: 'https://ghe.example.com/api/v3', host: 'ghe.example.com', maxPages: 10 },
    { type: 'gitlab', webUrl: 'https://git.example.org:8443', apiUrl: 'https://git.example.org:8443/api/v4', host: 'git.example.org:8443', maxPages: 10 },
    { type: 'github', webUrl: 'https://github.com', apiUrl: 'https://api.github.com', host: 'github.com', maxPages: 10 },
    { type: 'gitlab', webUrl: 'https://gl.example.net', apiUrl: 'https://api.gl.example.net/v4', host: 'gl.example.net', maxPages: 3 },
  ]);
});

test('plain http is accepted for loopback only', () => {
  assert.equal(parseProviderConfigs('[{"type":"github","webUrl":"http://127.0.0.1:9000"}]')[0]?.host, '127.0.0.1:9000');
});

const invalid: [string, string, RegExp][] = [
  ['not JSON', '[{type: github}]', /not valid JSON/],
  ['an object, not an array', '{"type":"github"}', /non-empty JSON array/],
  ['an empty array', '[]', /non-empty JSON array/],
  ['an unknown type', '[{"type":"bitbucket","webUrl":"https://bitbucket.org"}]', /unknown type "bitbucket"/],
  ['a missing webUrl', '[{"type":"github"}]', /entry 0 webUrl must be a URL/],
  ['a webUrl that is no URL', '[{"type":"gitlab","webUrl":"gitlab"}]', /is not a URL/],
  ['a webUrl with a path', '[{"type":"gitlab","webUrl":"https://x.org/gitlab"}]', /without a path/],
  ['credentials in a URL', '[{"type":"gitlab","webUrl":"https://u:p@x.org"}]', /credentials/],
  ['plain http to a remote host', '[{"type":"github","webUrl":"http://ghe.example.com"}]', /must use https/],
  ['a host twice', '[{"type":"github","webUrl":"https://a.io"},{"type":"gitlab","webUrl":"https://A.io/"}]', /more than once/],
  ['an entry that is not an object', '["github"]', /entry 0 must be an object/],
  ['a page cap of 0', '[{"type":"github","webUrl":"https://a.io","maxPages":0}]', /entry 0 maxPages must be an integer from 1 to 100, got 0/],
  ['a page cap that is a string', '[{"type":"github","webUrl":"https://a.io","maxPages":"5"}]', /maxPages must be an integer/],
];

for (const [name, raw, message] of invalid) {
  test(`GIT_PROVIDERS with ${name} fails naming the variable`, () => {
    assert.throws(
      () => parseProviderConfigs(raw),
      (err: unknown) => err instanceof ProviderConfigError && err.message.startsWith('GIT_PROVIDERS: ') && message.test(err.message),
    );
  });
}
