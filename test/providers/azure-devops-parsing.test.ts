import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorizationFor } from '../../src/providers/azure-devops/auth.ts';
import { changedFileCount, nextChangesPage } from '../../src/providers/azure-devops/changes.ts';
import { summarizeVotes } from '../../src/providers/azure-devops/votes.ts';
import { parsingRegistry } from './support/parsing-registry.ts';

const registry = parsingRegistry([
  { type: 'azure-devops', webUrl: 'https://dev.azure.com' },
  { type: 'azure-devops', webUrl: 'https://tfs.example.com:8443' },
  { type: 'github', webUrl: 'https://github.com' },
]);

const origins: [string, string | null][] = [
  // The five forms of the issue.
  ['https://dev.azure.com/fabrikam/Fiber/_git/app', 'dev.azure.com fabrikam/Fiber/app'],
  ['https://fabrikam@dev.azure.com/fabrikam/Fiber/_git/app', 'dev.azure.com fabrikam/Fiber/app'],
  ['git@ssh.dev.azure.com:v3/fabrikam/Fiber/app', 'dev.azure.com fabrikam/Fiber/app'],
  ['https://fabrikam.visualstudio.com/Fiber/_git/app', 'dev.azure.com fabrikam/Fiber/app'],
  ['https://tfs.example.com:8443/DefaultCollection/Fiber/_git/app', 'tfs.example.com:8443 DefaultCollection/Fiber/app'],
  // Variants of them.
  ['ssh://git@ssh.dev.azure.com/v3/fabrikam/Fiber/app', 'dev.azure.com fabrikam/Fiber/app'],
  ['fabrikam@vs-ssh.visualstudio.com:v3/fabrikam/Fiber/app', 'dev.azure.com fabrikam/Fiber/app'],
  ['https://fabrikam.visualstudio.com/DefaultCollection/Fiber/_git/app', 'dev.azure.com fabrikam/Fiber/app'],
  ['https://user:pat-SECRET@dev.azure.com/fabrikam/Fiber/_git/app/', 'dev.azure.com fabrikam/Fiber/app'],
  ['ssh://tfs.example.com:22/DefaultCollection/Fiber/_git/app', 'tfs.example.com:8443 DefaultCollection/Fiber/app'],
  // Spaces and punctuation, percent-encoded in the origin, decoded in the path.
  ['https://dev.azure.com/fabrikam/My%20Project/_git/my%20repo', 'dev.azure.com fabrikam/My Project/my repo'],
  ['git@ssh.dev.azure.com:v3/fabrikam/My%20Project/R%26D%20tools', 'dev.azure.com fabrikam/My Project/R&D tools'],
  ['https://dev.azure.com/fabrikam/Caf%C3%A9/_git/app', 'dev.azure.com fabrikam/Café/app'],
  // Not a repository of a configured Azure DevOps host.
  ['https://dev.azure.com/fabrikam/Fiber/app', null],
  ['https://dev.azure.com/fabrikam/_git/app', null],
  ['https://dev.azure.com/a/b/c/_git/app', null],
  ['https://dev.azure.com/fabrikam/Fiber/_git/a%2Fb', null],
  ['https://dev.azure.com/fabrikam/%2e%2e/_git/app', null],
  ['https://dev.azure.com/fabrikam/Fiber/_git/%E0%A4%A', null],
  ['https://dev.azure.com/fabrikam/Fiber%3F/_git/app', null],
  ['https://dev.azure.com/fabrikam/%20Fiber/_git/app', null],
  ['git@ssh.dev.azure.com:v2/fabrikam/Fiber/app', null],
  ['git@ssh.dev.azure.com:v3/fabrikam/app', null],
  ['https://evil.visualstudio.com.example/Fiber/_git/app', null],
  ['https://tfs.example.com/DefaultCollection/Fiber/_git/app', null],
  ['https://other.example.com/DefaultCollection/Fiber/_git/app', null],
];

for (const [origin, expected] of origins) {
  test(`Azure DevOps origin ${JSON.stringify(origin)} -> ${expected ?? 'not parseable'}`, () => {
    const found = registry.forOrigin(origin);
    assert.equal(found ? `${found.provider.host} ${found.repo.path}` : null, expected);
  });
}

const pullUrls: [string, string | null][] = [
  ['https://dev.azure.com/fabrikam/Fiber/_git/app/pullrequest/42', 'dev.azure.com fabrikam/Fiber/app #42'],
  ['https://dev.azure.com/fabrikam/Fiber/_git/app/pullrequest/42?_a=files', 'dev.azure.com fabrikam/Fiber/app #42'],
  ['https://dev.azure.com/fabrikam/My%20Project/_git/my%20repo/pullrequest/7', 'dev.azure.com fabrikam/My Project/my repo #7'],
  ['https://fabrikam.visualstudio.com/Fiber/_git/app/pullrequest/42', 'dev.azure.com fabrikam/Fiber/app #42'],
  ['https://fabrikam.visualstudio.com/DefaultCollection/Fiber/_git/app/pullrequest/42', 'dev.azure.com fabrikam/Fiber/app #42'],
  ['https://tfs.example.com:8443/Coll/Fiber/_git/app/pullrequest/3', 'tfs.example.com:8443 Coll/Fiber/app #3'],
  ['https://dev.azure.com/fabrikam/Fiber/_git/app/pullrequest/0', null],
  ['https://dev.azure.com/fabrikam/Fiber/_git/app/pullrequests', null],
  ['https://dev.azure.com/fabrikam/Fiber/app/pullrequest/42', null],
  ['https://dev.azure.com/fabrikam/Fiber/_git/app/pullrequest/42/evil', null],
  ['http://fabrikam.visualstudio.com/Fiber/_git/app/pullrequest/42', null],
  ['https://evil.example/fabrikam/Fiber/_git/app/pullrequest/42', null],
];

for (const [url, expected] of pullUrls) {
  test(`Azure DevOps PR URL ${JSON.stringify(url)} -> ${expected ?? 'not parseable'}`, () => {
    const found = registry.forPullRequestUrl(url);
    assert.equal(found ? `${found.ref.repo.host} ${found.ref.repo.path} #${found.ref.number}` : null, expected);
  });
}

test('Azure DevOps PR URLs are built back canonically, names percent-encoded', () => {
  for (const [url, canonical] of [
    ['https://dev.azure.com/fabrikam/My%20Project/_git/my%20repo/pullrequest/7?_a=files', 'https://dev.azure.com/fabrikam/My%20Project/_git/my%20repo/pullrequest/7'],
    ['https://fabrikam.visualstudio.com/Fiber/_git/app/pullrequest/42', 'https://dev.azure.com/fabrikam/Fiber/_git/app/pullrequest/42'],
    ['https://tfs.example.com:8443/Coll/Fiber/_git/app/pullrequest/3', 'https://tfs.example.com:8443/Coll/Fiber/_git/app/pullrequest/3'],
  ] as const) {
    const found = registry.forPullRequestUrl(url);
    assert.ok(found);
    assert.equal(found.provider.buildPullRequestUrl(found.ref), canonical);
  }
});

test('GitHub paths keep the narrow names: no spaces, no _git', () => {
  assert.equal(registry.forOrigin('https://github.com/o/my%20repo'), null);
  assert.equal(registry.forOrigin('https://github.com/o/_git/r'), null);
  assert.equal(registry.forOrigin('https://github.com/o/r')?.repo.path, 'o/r');
});

const votes: [string, { vote: number; isContainer?: boolean }[], { changesRequested: boolean; approved: boolean; reviewerCount: number }][] = [
  ['nobody voted', [{ vote: 0 }, { vote: 0 }], { changesRequested: false, approved: false, reviewerCount: 0 }],
  ['approved', [{ vote: 10 }, { vote: 0 }], { changesRequested: false, approved: true, reviewerCount: 1 }],
  ['approved with suggestions', [{ vote: 5 }], { changesRequested: false, approved: true, reviewerCount: 1 }],
  ['waiting for the author withholds approval', [{ vote: 10 }, { vote: -5 }], { changesRequested: true, approved: false, reviewerCount: 2 }],
  ['rejected', [{ vote: -10 }], { changesRequested: true, approved: false, reviewerCount: 1 }],
  ['a group repeats a member', [{ vote: 10, isContainer: true }, { vote: 10 }], { changesRequested: false, approved: true, reviewerCount: 1 }],
  ['no reviewers', [], { changesRequested: false, approved: false, reviewerCount: 0 }],
];

for (const [name, list, expected] of votes) {
  test(`votes: ${name}`, () => {
    assert.deepEqual(summarizeVotes(list.map((v, i) => ({ reviewer: `r${i}`, vote: v.vote, isContainer: v.isContainer ?? false }))), expected);
  });
}

test('a PAT goes as Basic with an empty user; an Entra token (a JWT) as Bearer', () => {
  assert.equal(authorizationFor('abc123pat'), `Basic ${Buffer.from(':abc123pat').toString('base64')}`);
  const jwt = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2ln';
  assert.equal(authorizationFor(jwt), `Bearer ${jwt}`);
  assert.match(authorizationFor('eyJnot-a-jwt'), /^Basic /);
});

test('iteration changes: folders are not files; the next page as Azure names it', () => {
  const body = {
    changeEntries: [{ item: { path: '/a.ts' } }, { item: { path: '/dir', isFolder: true } }, { item: { path: '/b.ts' } }, {}],
    nextSkip: 100,
    nextTop: 100,
  };
  assert.equal(changedFileCount(body), 3);
  assert.deepEqual(nextChangesPage(body, 100), { skip: 100, top: 100 });
  assert.equal(nextChangesPage({ changeEntries: [], nextSkip: 0, nextTop: 0 }, 100), null);
  assert.equal(nextChangesPage({ changeEntries: [] }, 100), null);
  assert.deepEqual(nextChangesPage({ changeEntries: [], nextSkip: 5, nextTop: 1e9 }, 100), { skip: 5, top: 100 });
  assert.throws(() => changedFileCount({ changeEntries: 'x' }), /Azure DevOps iteration changes/);
});
