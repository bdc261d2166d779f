import { bitbucketCloudType } from '../../providers/bitbucket-cloud/provider-type.ts';
import { intParam } from './bitbucket-parts.ts';
import { bitbucketDeliveryEvent } from '../webhook-request.ts';
import { cloudState, commitEntries, commitStatusJson, diffstatEntries, headHash, pullRequestJson, pullRequestWebUrl, repository } from './bitbucket-cloud-json.ts';
import { decisions } from './bitbucket-parts.ts';
import { pullRequestRoutes, type HostDialect, type HostUrls, type JsonAnswer, type SimRoute } from './dialect.ts';
import type { World } from './world.ts';

const API = '/2.0';
const PATTERN = /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/pullrequests(?:\/(\d+)(?:\/(diffstat|commits))?)?\/?$/;
const STATES = ['OPEN', 'MERGED', 'DECLINED', 'SUPERSEDED'];
const BRANCH_QUERY = /^\s*source\.branch\.name\s*=\s*"((?:[^"\\]|\\.)*)"\s*$/;

function error(status: number, message: string): JsonAnswer {
  return { status, body: { type: 'error', error: { message } } };
}

/**
 * One page as Bitbucket Cloud pages: `pagelen` items (default and cap per list), `page` from
 * 1, and `next`, the absolute URL of the page after, on every page but the last.
 */
function page<T>(items: T[], url: URL, defaultLen: number, maxLen: number, withSize: boolean): JsonAnswer {
  const pagelen = intParam(url.searchParams, 'pagelen', defaultLen, 1, maxLen);
  const n = intParam(url.searchParams, 'page', 1, 1, 1_000_000);
  const values = items.slice((n - 1) * pagelen, n * pagelen);
  const next = new URL(url);
  next.searchParams.set('page', String(n + 1));
  return {
    status: 200,
    body: { pagelen, page: n, ...(withSize ? { size: items.length } : {}), values, ...(n * pagelen < items.length ? { next: next.href } : {}) },
  };
}

const COMMIT_PATTERN = /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/commit\/([0-9a-f]{7,40})\/statuses\/?$/;

/** A request naming a commit (its statuses): the hash as given, 12 digits in a PR's answer. */
interface CommitRoute extends SimRoute {
  sha?: string;
}

const pullRequestRoute = pullRequestRoutes(PATTERN, API, 'pullrequests');

function matchRoute(method: string, pathname: string): CommitRoute | null {
  const commit = method === 'GET' ? COMMIT_PATTERN.exec(pathname) : null;
  if (commit) return { endpoint: 'commit.statuses', apiPrefix: API, owner: decodeURIComponent(commit[1]!), repo: decodeURIComponent(commit[2]!), sha: commit[3]! };
  return pullRequestRoute(method, pathname);
}

function answer(world: World, route: CommitRoute, url: URL, urls: HostUrls): JsonAnswer {
  const found = world.resolveRepo(route.owner, route.repo);
  if (!found) return error(404, 'Repository not found');
  const repo = found.repo;
  if (route.endpoint === 'commit.statuses') {
    // A PR's head commit has its CI; an older head or any other commit has none left in the simulation.
    const pr = [...repo.pulls.values()].find((p) => headHash(p).startsWith(route.sha ?? '-'));
    return page(pr ? pr.checks.map((c) => commitStatusJson(repo, pr, c, urls)) : [], url, 10, 100, true);
  }
  if (found.moved) {
    // Assumed like GitHub: the old path of a renamed or transferred repository redirects.
    const rest = url.pathname.replace(PATTERN, (_all, _o, _r, n?: string, sub?: string) => `/pullrequests${n ? `/${n}` : ''}${sub ? `/${sub}` : ''}`);
    return { status: 301, body: null, location: `${API}/repositories/${repo.owner}/${repo.name}${rest}${url.search}` };
  }
  const query = url.searchParams;
  if (route.endpoint === 'pullrequests.list') {
    const states = query.getAll('state');
    const bad = states.find((s) => !STATES.includes(s));
    if (bad !== undefined) return error(400, `Invalid state: ${bad}`);
    const wanted = states.length > 0 ? states : ['OPEN'];
    const q = query.get('q');
    const branch = q === null ? null : BRANCH_QUERY.exec(q);
    if (q !== null && !branch) return error(400, 'Invalid query (the simulated host reads source.branch.name = "..." only)');
    const name = branch ? branch[1]!.replace(/\\(.)/g, '$1') : null;
    const sort = query.get('sort') ?? '-created_on';
    const key = sort.replace(/^-/, '') === 'updated_on' ? 'updatedAt' : 'createdAt';
    const sign = sort.startsWith('-') ? -1 : 1;
    const pulls = [...repo.pulls.values()]
      .filter((pr) => wanted.includes(cloudState(pr)) && (name === null || pr.headRef === name))
      .sort((a, b) => sign * (a[key] - b[key] || a.number - b.number));
    const answer = page(pulls, url, 10, 50, true);
    const body = answer.body as { values: typeof pulls };
    return { ...answer, body: { ...(answer.body as object), values: body.values.map((pr) => pullRequestJson(repo, pr, urls, false)) } };
  }
  const pr = repo.pulls.get(route.number ?? 0);
  if (!pr) return error(404, 'Pull request not found');
  if (route.endpoint === 'pullrequests.get') return { status: 200, body: pullRequestJson(repo, pr, urls, true) };
  if (route.endpoint === 'pullrequests.diffstat') return page(diffstatEntries(pr), url, 500, 500, true);
  return page(commitEntries(repo, pr, urls), url, 10, 100, false);
}

/** bitbucket.org's API 2.0, at `/2.0` below the simulated host (gitsync's `apiUrl` names it). */
export const bitbucketCloudDialect: HostDialect = {
  type: bitbucketCloudType.name,
  webPath: '',
  apiPath: API,
  hourlyLimit: bitbucketCloudType.hourlyRequestBudget ?? 1_000,
  // Not documented either way: counted, the cautious reading.
  notModifiedCounts: true,
  matchRoute,
  answer,
  refusal(kind, detail) {
    switch (kind) {
      case 'unauthenticated':
      case 'bad-credentials':
        return error(401, 'Unauthorized').body;
      case 'not-found':
        return error(404, 'Resource not found').body;
      case 'secondary-limit':
        return error(429, 'Rate limit for this resource has been exceeded').body;
      case 'server-error':
        return error(500, detail ?? 'Something went wrong').body;
    }
  },
  /** `Basic base64(email:token)` reads as "email:token" (the stored form); `Bearer <t>` as the token. */
  credentialOf(header) {
    const basic = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    if (basic) return Buffer.from(basic[1]!, 'base64').toString('utf8') || undefined;
    return /^bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  },
  // Owners alternate between API tokens (Basic) and access tokens (Bearer), so runs use both.
  credentialFor: (login, unique) => (/[02468ace]$/.test(unique) ? `${login}@example.com:ATATT3sim${unique}` : `ATCTT3sim${unique}`),
  originOf: (urls, repo) => `${urls.web}/${repo.owner}/${repo.name}.git`,
  pullRequestUrl: pullRequestWebUrl,
  delivery(change, urls, secret) {
    if (change.kind === 'probe') return bitbucketDeliveryEvent({ product: 'cloud', eventKey: 'repo:updated', payload: {}, secret });
    const { repo, pr } = change;
    const latest = pr.reviews.at(-1);
    const eventKey = {
      opened: 'pullrequest:created',
      updated: 'pullrequest:updated',
      reviewed: latest && decisions(pr).get(latest.login) === 'CHANGES_REQUESTED' ? 'pullrequest:changes_request_created' : 'pullrequest:approved',
      closed: pr.merged ? 'pullrequest:fulfilled' : 'pullrequest:rejected',
    }[change.kind];
    const payload = { repository: repository(repo, urls), pullrequest: pullRequestJson(repo, pr, urls, true) };
    return bitbucketDeliveryEvent({ product: 'cloud', eventKey, payload, secret });
  },
  /** A finished build's status, as Bitbucket sends `repo:commit_status_updated`. */
  checkDelivery(repo, pr, check, urls, secret) {
    const payload = { repository: repository(repo, urls), commit_status: { ...commitStatusJson(repo, pr, check, urls), repository: repository(repo, urls), commit: { type: 'commit', hash: headHash(pr) } } };
    return bitbucketDeliveryEvent({ product: 'cloud', eventKey: 'repo:commit_status_updated', payload, secret });
  },
  answerHeaders: (n) => ({ 'x-request-id': n.toString(16).padStart(32, '0') }),
  limitHeaders: (state) => ({
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-resource': 'api/repository',
    'x-ratelimit-nearlimit': String(state.remaining < state.limit / 5),
  }),
  limited: (state, _status, _login, now) => ({
    status: 429,
    headers: {
      'retry-after': String(Math.max(1, state.reset - Math.floor(now / 1000))),
      'x-ratelimit-limit': String(state.limit),
      'x-ratelimit-resource': 'api/repository',
      'x-ratelimit-nearlimit': 'true',
    },
    body: error(429, 'Rate limit for this resource has been exceeded').body,
  }),
};
