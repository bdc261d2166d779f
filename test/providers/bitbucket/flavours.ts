/**
 * The two Bitbucket products as the provider tests meet them: each at its own fake API, with
 * an open PR the tests serve and vary. `flavours.test.ts` runs what both must do alike;
 * `cloud.test.ts` and `server.test.ts` what only one does.
 */
import type { GitProvider, PullRequestRef, TruncatedList } from '../../../src/providers/provider.ts';
import { RowConditionalCache } from '../../../src/refresh/conditional-cache.ts';
import type { FakeApi } from '../support/fake-api.ts';
import { fakeProvider } from '../support/fake-provider.ts';

export const NOW = Date.UTC(2026, 0, 1);

export interface Flavour {
  name: string;
  api: FakeApi;
  provider: GitProvider;
  /** API path of the repository and of PR 7. */
  repoPath: string;
  prPath: string;
  ref(): PullRequestRef;
  /** A call context with this flavour's token (or `token`), a cache and a truncation list. */
  ctx(cache?: RowConditionalCache, truncated?: TruncatedList[], token?: string): Parameters<GitProvider['fetchPullRequestStatus']>[1];
  /** Serves PR 7 (fields replaced by `overrides`) and every list a status reads. */
  servePr(overrides?: Record<string, unknown>): void;
  /** PR fields that move its head to another commit. */
  newHead: Record<string, unknown>;
  /** What a status read asks again when nothing moved: the PR (and Data Center's merge check). */
  unchangedReads: string[];
  /** Requests a status read makes when the commits moved: the PR, its paged lists (and Data Center's merge check). */
  fullReadRequests: number;
  /** The body of an error answer. */
  errorBody: unknown;
}

/** What both flavours build alike: the provider at a fake API, PR 7's paths, its ref and a call context. */
async function common(type: string, entry: Parameters<typeof fakeProvider>[3], repoPath: string, repo: string, defaultToken: string, prSegment: string) {
  const { api, provider } = await fakeProvider(type, NOW, undefined, entry);
  const ctx: Flavour['ctx'] = (cache = new RowConditionalCache(undefined), truncated = [], token = defaultToken) => ({
    token,
    signal: new AbortController().signal,
    cache,
    truncated: (t: TruncatedList) => truncated.push(t),
  });
  const ref = (): PullRequestRef => ({ repo: { host: provider.host, path: repo }, number: 7 });
  return { name: type, api, provider, repoPath, prPath: `${repoPath}/${prSegment}/7`, ref, ctx };
}

/** bitbucket.org (API 2.0): Basic auth with an API token, diffstat and commits paged by `next`. */
export async function bitbucketCloud(): Promise<Flavour> {
  const base = await common('bitbucket-cloud', { maxPages: 2 }, '/2.0/repositories/team/app', 'team/app', 'me@example.com:ATATT3xFfGF0secret', 'pullrequests');
  const { api, prPath: pr } = base;
  const pullRequest = (overrides: Record<string, unknown>) => ({
    id: 7, title: 'Add caching', state: 'OPEN', draft: false,
    author: { display_name: 'Alice A', nickname: 'alice', links: { avatar: { href: 'https://avatar.example/alice.png' } } },
    source: { branch: { name: 'feat/cache' }, commit: { hash: 'head1' } },
    destination: { branch: { name: 'main' }, commit: { hash: 'base1' } },
    participants: [
      { role: 'REVIEWER', approved: true, state: 'approved', user: { nickname: 'bob' } },
      { role: 'PARTICIPANT', approved: false, state: null, user: { nickname: 'carol' } },
    ],
    links: { html: { href: `${api.url}/team/app/pull-requests/7` } },
    ...overrides,
  });
  return {
    ...base,
    servePr(overrides = {}) {
      api.routes.set(pr, { body: pullRequest(overrides) });
      api.routes.set(`${pr}/diffstat`, { body: { values: [{ lines_added: 10, lines_removed: 2 }, { lines_added: null, lines_removed: null }], next: `${api.url}${pr}/diffstat?page=2` } });
      api.routes.set(`${pr}/diffstat?page=2`, { body: { values: [{ lines_added: 1, lines_removed: 0 }] } });
      api.routes.set(`${pr}/commits?pagelen=100`, { body: { values: [{}, {}, {}], next: `${api.url}${pr}/commits?pagelen=100&page=2` } });
      api.routes.set(`${pr}/commits?pagelen=100&page=2`, { body: { values: [{}] } });
    },
    newHead: { source: { branch: { name: 'feat/cache' }, commit: { hash: 'head2' } } },
    unchangedReads: [pr],
    fullReadRequests: 5,
    errorBody: { type: 'error', error: { message: 'Unauthorized' } },
  };
}

/** Bitbucket Data Center below the context path `/bitbucket`: Bearer tokens, diff lines, commits paged by `start`. */
export async function bitbucketServer(): Promise<Flavour> {
  const entry = (url: string) => ({ webUrl: `${url}/bitbucket`, maxPages: 2 });
  const base = await common('bitbucket-server', entry, '/bitbucket/rest/api/latest/projects/PROJ/repos/app', 'PROJ/app', 'BBDC-token', 'pull-requests');
  const { api, prPath: pr } = base;
  const diff = `${pr}/diff?contextLines=0&withComments=false`;
  const commits = `${pr}/commits?withCounts=true&limit=100`;
  return {
    ...base,
    servePr(overrides = {}) {
      api.routes.set(pr, {
        body: {
          id: 7, version: 3, title: 'Fix login', state: 'OPEN', open: true, closed: false, draft: false,
          author: { user: { name: 'alice', slug: 'alice', displayName: 'Alice' }, role: 'AUTHOR', approved: false, status: 'UNAPPROVED' },
          fromRef: { id: 'refs/heads/fix/login', displayId: 'fix/login', latestCommit: 'head1' },
          toRef: { id: 'refs/heads/main', displayId: 'main', latestCommit: 'base1' },
          reviewers: [{ user: { name: 'bob' }, role: 'REVIEWER', approved: true, status: 'APPROVED' }, { user: { name: 'eve' }, status: 'UNAPPROVED' }],
          links: { self: [{ href: `${api.url}/bitbucket/projects/PROJ/repos/app/pull-requests/7` }] },
          ...overrides,
        },
      });
      api.routes.set(diff, {
        body: { diffs: [{ hunks: [{ segments: [{ type: 'REMOVED', lines: [{}] }, { type: 'ADDED', lines: [{}, {}] }] }] }, { hunks: [{ segments: [{ type: 'ADDED', lines: [{}] }] }] }] },
      });
      api.routes.set(commits, { body: { values: [{}, {}], size: 2, isLastPage: false, nextPageStart: 2, start: 0, limit: 100 } });
      api.routes.set(`${commits}&start=2`, { body: { values: [{}], size: 1, isLastPage: true, start: 2, limit: 100 } });
      api.routes.set(`${pr}/merge`, { body: { canMerge: true, conflicted: false, outcome: 'CLEAN', vetoes: [] } });
    },
    newHead: { fromRef: { id: 'refs/heads/fix/login', displayId: 'fix/login', latestCommit: 'head2' } },
    unchangedReads: [pr, `${pr}/merge`],
    fullReadRequests: 5,
    errorBody: { errors: [{ message: 'Authentication failed' }] },
  };
}
