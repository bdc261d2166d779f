import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsingRegistry } from './support/parsing-registry.ts';

const registry = parsingRegistry([
  { type: 'github', webUrl: 'https://github.com' },
  { type: 'gitlab', webUrl: 'https://gitlab.com' },
  { type: 'github', webUrl: 'https://ghe.example.com:8443' },
]);

const origins: [string, string | null][] = [
  ['https://github.com/o/r', 'github.com o/r'],
  ['https://github.com/o/r.git', 'github.com o/r'],
  ['https://github.com/o/r/', 'github.com o/r'],
  ['https://GitHub.com/o/r.git', 'github.com o/r'],
  ['git@github.com:o/r.git', 'github.com o/r'],
  ['git@github.com:o/r', 'github.com o/r'],
  ['ssh://git@github.com/o/r.git', 'github.com o/r'],
  ['ssh://git@github.com:22/o/r.git', 'github.com o/r'],
  ['https://x-access-token:ghp_secret@github.com/o/r.git', 'github.com o/r'],
  ['https://oauth2:glpat-secret@gitlab.com/group/sub/sub2/repo.git', 'gitlab.com group/sub/sub2/repo'],
  ['git@gitlab.com:group/sub/repo.git', 'gitlab.com group/sub/repo'],
  ['ssh://git@gitlab.com:2222/group/repo.git', 'gitlab.com group/repo'],
  ['https://ghe.example.com:8443/team/app.git', 'ghe.example.com:8443 team/app'],
  ['git@ghe.example.com:team/app.git', 'ghe.example.com:8443 team/app'],
  // Exact host and port: a different port, a look-alike or a subdomain is another host.
  ['https://ghe.example.com/team/app.git', null],
  ['https://ghe.example.com:9443/team/app.git', null],
  ['https://github.com.evil.io/o/r', null],
  ['https://api.github.com/o/r', null],
  ['https://evil.io/github.com/o/r', null],
  // Too few / too many segments, garbage.
  ['https://github.com/o', null],
  ['https://github.com/o/r/x', null],
  ['https://gitlab.com/repo', null],
  ['git@github.com:o', null],
  ['', null],
  ['not an origin', null],
  ['ftp://github.com/o/r', null],
  ['https://github.com/o/r?x=1', null],
  ['https://github.com/o/../r', null],
  ['https://github.com/o/%2e%2e', null],
  ['https://github.com//r', null],
  ['file:///etc/passwd', null],
];

for (const [origin, expected] of origins) {
  test(`origin ${JSON.stringify(origin)} -> ${expected ?? 'not parseable'}`, () => {
    const found = registry.forOrigin(origin);
    assert.equal(found ? `${found.provider.host} ${found.repo.path}` : null, expected);
  });
}

const pullUrls: [string, string | null][] = [
  ['https://github.com/o/r/pull/42', 'github.com o/r #42'],
  ['https://github.com/o/r/pull/42/', 'github.com o/r #42'],
  ['https://github.com/o/r/pull/42/files', 'github.com o/r #42'],
  ['https://github.com/o/r/pull/42?w=1#discussion_r1', 'github.com o/r #42'],
  ['https://ghe.example.com:8443/team/app/pull/7/commits', 'ghe.example.com:8443 team/app #7'],
  ['https://gitlab.com/group/sub/repo/-/merge_requests/3', 'gitlab.com group/sub/repo #3'],
  ['https://gitlab.com/group/repo/-/merge_requests/3/diffs?view=inline', 'gitlab.com group/repo #3'],
  ['https://github.com/o/r/pull/0', null],
  ['https://github.com/o/r/pull/x', null],
  ['https://github.com/o/r/pull/42/evil/more', null],
  ['https://github.com/o/r/issues/42', null],
  ['https://github.com/o/pull/42', null],
  ['https://gitlab.com/group/repo/merge_requests/3', null],
  ['https://gitlab.com/group/repo/-/merge_requests', null],
  ['https://evil.io/o/r/pull/42', null],
  ['https://ghe.example.com/team/app/pull/7', null],
  ['not a url', null],
];

for (const [url, expected] of pullUrls) {
  test(`PR URL ${JSON.stringify(url)} -> ${expected ?? 'not parseable'}`, () => {
    const found = registry.forPullRequestUrl(url);
    assert.equal(found ? `${found.ref.repo.host} ${found.ref.repo.path} #${found.ref.number}` : null, expected);
  });
}

test('PR URLs are built back canonically', () => {
  for (const [url, canonical] of [
    ['https://github.com/o/r/pull/42/files?w=1', 'https://github.com/o/r/pull/42'],
    ['https://ghe.example.com:8443/team/app/pull/7', 'https://ghe.example.com:8443/team/app/pull/7'],
    ['https://gitlab.com/g/s/r/-/merge_requests/3/diffs', 'https://gitlab.com/g/s/r/-/merge_requests/3'],
  ] as const) {
    const found = registry.forPullRequestUrl(url);
    assert.ok(found);
    assert.equal(found.provider.buildPullRequestUrl(found.ref), canonical);
  }
});
