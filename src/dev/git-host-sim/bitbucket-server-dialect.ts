import { bitbucketServerType } from '../../providers/bitbucket-server/provider-type.ts';
import { baseHash, commitHashes, decisions, fileChanges, hashOf, intParam } from './bitbucket-parts.ts';
import { bitbucketDeliveryEvent } from '../webhook-request.ts';
import { pullRequestRoutes, type HostDialect, type HostUrls, type JsonAnswer, type SimRoute } from './dialect.ts';
import type { PullRequest, Repo, SimCheck, World } from './world.ts';

/** The simulated server lives below a context path, as many installations do. */
const CONTEXT = '/bitbucket';
const API = `${CONTEXT}/rest/api/latest`;
const PATTERN = /^\/bitbucket\/rest\/api\/latest\/projects\/([^/]+)\/repos\/([^/]+)\/pull-requests(?:\/(\d+)(?:\/(diff|commits|merge))?)?\/?$/;
const BUILD_STATUS = `${CONTEXT}/rest/build-status/1.0`;
const BUILDS_PATTERN = /^\/bitbucket\/rest\/build-status\/1\.0\/commits\/([0-9a-f]{40})\/?$/;
const STATES: Record<string, (pr: PullRequest) => boolean> = {
  OPEN: (pr) => pr.state === 'open',
  MERGED: (pr) => pr.merged,
  DECLINED: (pr) => pr.state === 'closed' && !pr.merged,
  ALL: () => true,
};

function error(status: number, message: string, exceptionName: string | null = null): JsonAnswer {
  return { status, body: { errors: [{ context: null, message, exceptionName }] } };
}

/** Project keys are upper case on Data Center; the world's owner is the key. */
const keyOf = (repo: Repo) => repo.owner.toUpperCase();

function pullRequestUrl(urls: HostUrls, repo: Repo, number: number): string {
  return `${urls.web}/projects/${keyOf(repo)}/repos/${repo.name}/pull-requests/${number}`;
}

function state(pr: PullRequest): string {
  return pr.state === 'open' ? 'OPEN' : pr.merged ? 'MERGED' : 'DECLINED';
}

function user(login: string) {
  return { name: login, emailAddress: `${login}@example.com`, id: Number.parseInt(hashOf('user', login).slice(0, 6), 16), displayName: login, active: true, slug: login, type: 'NORMAL' };
}

function originOf(urls: HostUrls, repo: Repo): string {
  return `${urls.web}/scm/${keyOf(repo)}/${repo.name}.git`;
}

function repository(repo: Repo, urls: HostUrls) {
  return {
    slug: repo.name,
    name: repo.name,
    project: { key: keyOf(repo) },
    links: {
      clone: [{ href: originOf(urls, repo), name: 'http' }],
      self: [{ href: `${urls.web}/projects/${keyOf(repo)}/repos/${repo.name}/browse` }],
    },
  };
}

function ref(repo: Repo, urls: HostUrls, branch: string, commit: string) {
  return { id: `refs/heads/${branch}`, displayId: branch, latestCommit: commit, repository: repository(repo, urls) };
}

function pullRequestJson(repo: Repo, pr: PullRequest, urls: HostUrls) {
  return {
    id: pr.number,
    version: pr.reviews.length + pr.commits,
    title: pr.title,
    description: '',
    state: state(pr),
    open: pr.state === 'open',
    closed: pr.state !== 'open',
    draft: pr.draft,
    createdDate: pr.createdAt,
    updatedDate: pr.updatedAt,
    ...(pr.closedAt === null ? {} : { closedDate: pr.closedAt }),
    fromRef: ref(repo, urls, pr.headRef, pr.headSha),
    toRef: ref(repo, urls, pr.baseRef, baseHash(repo, pr)),
    locked: false,
    author: { user: user(pr.authorLogin), role: 'AUTHOR', approved: false, status: 'UNAPPROVED' },
    reviewers: [...decisions(pr)].map(([login, decision]) => ({
      user: user(login),
      role: 'REVIEWER',
      approved: decision === 'APPROVED',
      status: decision === 'APPROVED' ? 'APPROVED' : decision === 'CHANGES_REQUESTED' ? 'NEEDS_WORK' : 'UNAPPROVED',
    })),
    participants: [],
    links: { self: [{ href: pullRequestUrl(urls, repo, pr.number) }] },
  };
}

/** `GET .../pull-requests/{id}/diff`: one hunk per file, its removed then its added lines. */
function diffJson(repo: Repo, pr: PullRequest) {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ source: i + 1, destination: i + 1, line: '', truncated: false }));
  return {
    fromHash: baseHash(repo, pr),
    toHash: pr.headSha,
    contextLines: 0,
    whitespace: 'SHOW',
    diffs: fileChanges(pr).map((file) => ({
      source: { toString: file.path },
      destination: { toString: file.path },
      hunks: [
        {
          sourceLine: 1,
          sourceSpan: file.removed,
          destinationLine: 1,
          destinationSpan: file.added,
          segments: [
            ...(file.removed > 0 ? [{ type: 'REMOVED', lines: lines(file.removed), truncated: false }] : []),
            ...(file.added > 0 ? [{ type: 'ADDED', lines: lines(file.added), truncated: false }] : []),
          ],
          truncated: false,
        },
      ],
      truncated: false,
    })),
    truncated: false,
  };
}

/** A page as Data Center pages: `start`, `limit` (default 25, cap 1,000), `isLastPage`, `nextPageStart`. */
function page<T>(items: T[], query: URLSearchParams, extra: Record<string, unknown> = {}): JsonAnswer {
  const start = intParam(query, 'start', 0, 0, 1_000_000_000);
  const limit = intParam(query, 'limit', 25, 1, 1_000);
  const values = items.slice(start, start + limit);
  const isLastPage = start + limit >= items.length;
  return { status: 200, body: { size: values.length, limit, isLastPage, values, start, ...(isLastPage ? {} : { nextPageStart: start + limit }), ...extra } };
}

/** A request of the build-status API: it names a commit only, no repository. */
interface BuildsRoute extends SimRoute {
  sha?: string;
}

const pullRequestRoute = pullRequestRoutes(PATTERN, API, 'pull-requests');

function matchRoute(method: string, pathname: string): BuildsRoute | null {
  const builds = method === 'GET' ? BUILDS_PATTERN.exec(pathname) : null;
  if (builds) return { endpoint: 'build-status.commits', apiPrefix: BUILD_STATUS, owner: '', repo: '', sha: builds[1]! };
  return pullRequestRoute(method, pathname);
}

/**
 * `GET /rest/build-status/1.0/commits/{sha}`: the simulated CI posts each check of a head
 * commit as a build (`INPROGRESS`, then under the same key its end, listed again as Data
 * Center keeps both); any other commit has no builds left in the simulation.
 */
function buildsOf(world: World, sha: string, query: URLSearchParams): JsonAnswer {
  const pr = world.repos().flatMap((r) => [...r.pulls.values()]).find((p) => p.headSha === sha);
  const build = (check: SimCheck, state: string, at: number) => ({
    state,
    key: `SIM-${check.name.toUpperCase().replace(/[^A-Z0-9]+/g, '-')}`,
    name: check.name,
    url: `https://ci.example.com/browse/${check.id}`,
    description: `${check.name} ${state.toLowerCase()}`,
    dateAdded: at,
  });
  const builds = (pr?.checks ?? []).flatMap((c) => [
    build(c, 'INPROGRESS', c.startedAt),
    ...(c.completedAt === null ? [] : [build(c, c.state === 'success' ? 'SUCCESSFUL' : 'FAILED', c.completedAt)]),
  ]);
  return page(builds, query);
}

/**
 * `GET .../pull-requests/{id}/merge`: conflicts as the world says (null: still computing,
 * outcome `UNKNOWN`); a failed build vetoes the merge, as Data Center's "minimum successful
 * builds" merge check does.
 */
function mergeJson(pr: PullRequest) {
  if (pr.mergeable === null) return { canMerge: false, conflicted: false, outcome: 'UNKNOWN', vetoes: [] };
  if (!pr.mergeable) return { canMerge: false, conflicted: true, outcome: 'CONFLICTED', vetoes: [] };
  const failed = pr.checks.some((c) => c.state === 'failure');
  const vetoes = failed ? [{ summaryMessage: 'Not all required builds are successful yet', detailedMessage: 'You need a successful build before this pull request can be merged.' }] : [];
  return { canMerge: !failed, conflicted: false, outcome: 'CLEAN', vetoes };
}

function answer(world: World, route: BuildsRoute, url: URL, urls: HostUrls): JsonAnswer {
  if (route.endpoint === 'build-status.commits') return buildsOf(world, route.sha ?? '', url.searchParams);
  const found = world.resolveRepo(route.owner, route.repo);
  if (!found) return error(404, `Repository ${route.owner}/${route.repo} does not exist.`, 'com.atlassian.bitbucket.repository.NoSuchRepositoryException');
  const repo = found.repo;
  if (found.moved) {
    // Assumed like GitHub: the old path of a moved repository redirects.
    const rest = url.pathname.replace(PATTERN, (_all, _o, _r, n?: string, sub?: string) => `/pull-requests${n ? `/${n}` : ''}${sub ? `/${sub}` : ''}`);
    return { status: 301, body: null, location: `${API}/projects/${keyOf(repo)}/repos/${repo.name}${rest}${url.search}` };
  }
  const query = url.searchParams;
  if (route.endpoint === 'pull-requests.list') {
    const wanted = STATES[(query.get('state') ?? 'OPEN').toUpperCase()];
    if (!wanted) return error(400, `Invalid state ${query.get('state')}`);
    const at = query.get('at');
    const branch = at === null ? null : at.replace(/^refs\/heads\//, '');
    // Forks are not simulated: an outgoing PR's source and an incoming one's target are this repository's branches.
    const side = (query.get('direction') ?? 'INCOMING').toUpperCase() === 'OUTGOING' ? 'headRef' : 'baseRef';
    const oldest = (query.get('order') ?? 'NEWEST').toUpperCase() === 'OLDEST';
    const pulls = [...repo.pulls.values()]
      .filter((pr) => wanted(pr) && (branch === null || pr[side] === branch))
      .sort((a, b) => (oldest ? 1 : -1) * (a.updatedAt - b.updatedAt || a.number - b.number));
    const answered = page(pulls, query);
    const body = answered.body as { values: PullRequest[] };
    return { ...answered, body: { ...body, values: body.values.map((pr) => pullRequestJson(repo, pr, urls)) } };
  }
  const pr = repo.pulls.get(route.number ?? 0);
  if (!pr) return error(404, `Pull request ${route.number} does not exist in ${keyOf(repo)}/${repo.name}.`, 'com.atlassian.bitbucket.pull.NoSuchPullRequestException');
  if (route.endpoint === 'pull-requests.get') return { status: 200, body: pullRequestJson(repo, pr, urls) };
  if (route.endpoint === 'pull-requests.diff') return { status: 200, body: diffJson(repo, pr) };
  if (route.endpoint === 'pull-requests.merge') {
    if (pr.state !== 'open') return error(409, `Pull request ${pr.number} is already closed.`, 'com.atlassian.bitbucket.pull.IllegalPullRequestStateException');
    return { status: 200, body: mergeJson(pr) };
  }
  const commits = commitHashes(pr).map((id) => ({ id, displayId: id.slice(0, 11), author: user(pr.authorLogin), message: 'change' }));
  return page(commits, query, query.get('withCounts') === 'true' ? { totalCount: commits.length } : {});
}

/** Bitbucket Data Center's REST API, below the context path `/bitbucket`. */
export const bitbucketServerDialect: HostDialect = {
  type: bitbucketServerType.name,
  webPath: CONTEXT,
  apiPath: API,
  // The admin sets the token bucket; a generous one here.
  hourlyLimit: 5_000,
  notModifiedCounts: true,
  matchRoute,
  answer,
  refusal(kind, detail) {
    switch (kind) {
      case 'unauthenticated':
        return error(401, 'Authentication failed. Please check your credentials and try again.', 'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException').body;
      case 'bad-credentials':
        return error(401, 'Authentication failed. Please check your credentials and try again.', 'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException').body;
      case 'not-found':
        return error(404, 'Not found').body;
      case 'secondary-limit':
        return error(429, 'Too many requests').body;
      case 'server-error':
        return error(500, detail ?? 'Internal server error').body;
    }
  },
  credentialOf: (header) => /^bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1],
  credentialFor: (_login, unique) => `BBDC-sim${unique}`,
  originOf,
  pullRequestUrl,
  delivery(change, urls, secret) {
    if (change.kind === 'probe') return bitbucketDeliveryEvent({ product: 'server', eventKey: 'diagnostics:ping', payload: { test: true }, secret });
    const { repo, pr } = change;
    const latest = pr.reviews.at(-1);
    const decision = latest ? decisions(pr).get(latest.login) : null;
    const eventKey = {
      opened: 'pr:opened',
      updated: 'pr:from_ref_updated',
      reviewed: decision === 'CHANGES_REQUESTED' ? 'pr:reviewer:needs_work' : decision === 'APPROVED' ? 'pr:reviewer:approved' : 'pr:reviewer:unapproved',
      closed: pr.merged ? 'pr:merged' : 'pr:declined',
    }[change.kind];
    const payload = { eventKey, date: new Date(pr.updatedAt).toISOString(), actor: user(pr.authorLogin), pullRequest: pullRequestJson(repo, pr, urls) };
    return bitbucketDeliveryEvent({ product: 'server', eventKey, payload, secret });
  },
  answerHeaders: (n) => ({ 'x-arequestid': `sim${n}` }),
  limitHeaders: () => ({}),
  limited: (state, _status, _login, now) => ({
    status: 429,
    headers: { 'retry-after': String(Math.max(1, state.reset - Math.floor(now / 1000))) },
    body: error(429, 'Too many requests').body,
  }),
};
