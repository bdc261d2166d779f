import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProviderConfigError, parseProviderConfigs } from '../../../src/providers/config.ts';
import { parsingRegistry } from '../support/parsing-registry.ts';

const registry = parsingRegistry([
  { type: 'bitbucket-cloud', webUrl: 'https://bitbucket.org' },
  { type: 'bitbucket-server', webUrl: 'https://git.example.com/bitbucket/' },
  { type: 'bitbucket-server', webUrl: 'https://bb.example.org:8443' },
]);

test('Bitbucket entries get their API bases; a context path only for Data Center', () => {
  const [cloud, dc, dcRoot] = registry.providers.map((p) => p.host);
  assert.deepEqual([cloud, dc, dcRoot], ['bitbucket.org', 'git.example.com', 'bb.example.org:8443']);
  const configs = parseProviderConfigs(
    JSON.stringify([
      { type: 'bitbucket-cloud', webUrl: 'https://bitbucket.org' },
      { type: 'bitbucket-server', webUrl: 'https://git.example.com/bitbucket/' },
    ]),
  );
  assert.deepEqual(
    configs.map((c) => [c.webUrl, c.apiUrl]),
    [
      ['https://bitbucket.org', 'https://api.bitbucket.org/2.0'],
      ['https://git.example.com/bitbucket', 'https://git.example.com/bitbucket/rest/api/latest'],
    ],
  );
  assert.throws(() => parseProviderConfigs('[{"type":"bitbucket-cloud","webUrl":"https://bitbucket.org/x"}]'), ProviderConfigError);
  assert.throws(() => parseProviderConfigs('[{"type":"github","webUrl":"https://github.com/x"}]'), /without a path/);
  assert.throws(() => parseProviderConfigs('[{"type":"bitbucket-server","webUrl":"https://h.example/a%2F..%2Fb"}]'), /malformed context path/);
});

const origins: [string, string | null][] = [
  ['https://bitbucket.org/team/app.git', 'bitbucket.org team/app'],
  ['https://alice@bitbucket.org/team/app.git', 'bitbucket.org team/app'],
  ['git@bitbucket.org:team/app.git', 'bitbucket.org team/app'],
  ['ssh://git@bitbucket.org/team/app.git', 'bitbucket.org team/app'],
  ['https://bitbucket.org/team', null],
  ['https://bitbucket.org/team/app/extra', null],
  ['https://bitbucket.org.evil.io/team/app.git', null],
  ['https://git.example.com/bitbucket/scm/PROJ/app.git', 'git.example.com PROJ/app'],
  ['https://x-token-auth:secret@git.example.com/bitbucket/scm/PROJ/app.git', 'git.example.com PROJ/app'],
  ['ssh://git@git.example.com:7999/PROJ/app.git', 'git.example.com PROJ/app'],
  ['https://bb.example.org:8443/scm/proj/app.git', 'bb.example.org:8443 proj/app'],
  ['ssh://git@bb.example.org:7999/proj/app.git', 'bb.example.org:8443 proj/app'],
  // Without the context path, without scm, a personal repository, another host: not ours.
  ['https://git.example.com/scm/PROJ/app.git', null],
  ['https://git.example.com/bitbucket/PROJ/app.git', null],
  ['https://git.example.com/bitbucket/scm/~alice/app.git', null],
  ['https://bb.example.org/scm/proj/app.git', null],
  ['https://git.example.com/bitbucket/scm/PROJ/app/more.git', null],
  ['https://git.example.com/bitbucket/scm/../app.git', null],
];

for (const [origin, expected] of origins) {
  test(`origin ${JSON.stringify(origin)} -> ${expected ?? 'not parseable'}`, () => {
    const found = registry.forOrigin(origin);
    assert.equal(found ? `${found.provider.host} ${found.repo.path}` : null, expected);
  });
}

const pullUrls: [string, string | null, string | null][] = [
  ['https://bitbucket.org/team/app/pull-requests/12', 'bitbucket.org team/app #12', 'https://bitbucket.org/team/app/pull-requests/12'],
  ['https://bitbucket.org/team/app/pull-requests/12/diff', 'bitbucket.org team/app #12', 'https://bitbucket.org/team/app/pull-requests/12'],
  ['https://bitbucket.org/team/app/pull-requests/12?w=1#comment-3', 'bitbucket.org team/app #12', 'https://bitbucket.org/team/app/pull-requests/12'],
  ['https://bitbucket.org/team/app/pull-requests/0', null, null],
  ['https://bitbucket.org/team/app/pull/12', null, null],
  ['https://bitbucket.org/team/app/pull-requests/12/evil/more', null, null],
  [
    'https://git.example.com/bitbucket/projects/PROJ/repos/app/pull-requests/7/overview',
    'git.example.com PROJ/app #7',
    'https://git.example.com/bitbucket/projects/PROJ/repos/app/pull-requests/7',
  ],
  ['https://bb.example.org:8443/projects/proj/repos/app/pull-requests/7', 'bb.example.org:8443 proj/app #7', 'https://bb.example.org:8443/projects/proj/repos/app/pull-requests/7'],
  ['https://git.example.com/projects/PROJ/repos/app/pull-requests/7', null, null],
  ['https://git.example.com/bitbucket/projects/PROJ/repos/app/pull-requests/x', null, null],
  ['https://git.example.com/bitbucket/users/alice/repos/app/pull-requests/7', null, null],
  ['https://git.example.com/bitbucket/projects/PROJ/repos/app/pull-requests/7/activities/x', null, null],
  ['https://evil.io/bitbucket/projects/PROJ/repos/app/pull-requests/7', null, null],
  ['not a url', null, null],
];

for (const [url, expected, canonical] of pullUrls) {
  test(`PR URL ${JSON.stringify(url)} -> ${expected ?? 'not parseable'}`, () => {
    const found = registry.forPullRequestUrl(url);
    assert.equal(found ? `${found.ref.repo.host} ${found.ref.repo.path} #${found.ref.number}` : null, expected);
    if (found) assert.equal(found.provider.buildPullRequestUrl(found.ref), canonical);
  });
}
