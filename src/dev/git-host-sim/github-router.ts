import type { HostUrls, JsonAnswer, SimRoute } from './dialect.ts';
import { checkRunJson, combinedStatusJson, fullPull, repoJson, reviewJson, simplePull } from './github-json.ts';
import type { Repo, World } from './world.ts';

export type Endpoint = 'repos.get' | 'pulls.list' | 'pulls.get' | 'pulls.reviews' | 'commits.checkRuns' | 'commits.status';

/** A GitHub request: `apiPrefix` is '' for the github.com layout, `/api/v3` for Enterprise. */
export interface Route extends SimRoute {
  endpoint: Endpoint;
  /** The commit of a `commits.*` request. */
  sha?: string;
}

const DOCS = 'https://docs.github.com/rest';
const PATTERN = /^(\/api\/v3)?\/repos\/([^/]+)\/([^/]+)(\/pulls(?:\/(\d+)(\/reviews)?)?)?\/?$/;
const COMMIT_PATTERN = /^(\/api\/v3)?\/repos\/([^/]+)\/([^/]+)\/commits\/([0-9a-f]{40})\/(check-runs|status)\/?$/;

/** Null when the path is none of the endpoints the simulator serves. */
export function matchRoute(method: string, pathname: string): Route | null {
  const commit = method === 'GET' ? COMMIT_PATTERN.exec(pathname) : null;
  if (commit) {
    const [, prefix = '', owner = '', repo = '', sha = '', what] = commit;
    const endpoint = what === 'status' ? 'commits.status' : 'commits.checkRuns';
    return { apiPrefix: prefix, owner: decodeURIComponent(owner), repo: decodeURIComponent(repo), endpoint, sha };
  }
  const m = method === 'GET' ? PATTERN.exec(pathname) : null;
  if (!m) return null;
  const [, prefix = '', owner = '', repo = '', pulls, number, reviews] = m;
  const base = { apiPrefix: prefix, owner: decodeURIComponent(owner), repo: decodeURIComponent(repo) };
  if (pulls === undefined) return { ...base, endpoint: 'repos.get' };
  if (number === undefined) return { ...base, endpoint: 'pulls.list' };
  return { ...base, endpoint: reviews ? 'pulls.reviews' : 'pulls.get', number: Number(number) };
}

export function notFound(): JsonAnswer {
  return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
}

function invalid(field: string, message: string): JsonAnswer {
  return {
    status: 422,
    body: { message: 'Validation Failed', errors: [{ resource: 'Search', field, code: 'invalid', message }], documentation_url: DOCS, status: '422' },
  };
}

/** `per_page` (default 30, capped at 100) and `page` (from 1), as GitHub reads them. */
function pageOf(query: URLSearchParams): { perPage: number; page: number } {
  const perPage = Math.min(100, Math.max(1, Number.parseInt(query.get('per_page') ?? '30', 10) || 30));
  const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
  return { perPage, page };
}

/**
 * One page of `items` as GitHub answers a list: the page's items, and a `Link` header with
 * `next`/`last` and `prev`/`first` targets (the request URL with another `page`) when the
 * list has other pages.
 */
function listPage<T, J>(items: T[], url: URL, toJson: (item: T) => J): JsonAnswer {
  const query = url.searchParams;
  const { perPage, page } = pageOf(query);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const target = (n: number, rel: string) => {
    const other = new URL(url);
    other.searchParams.set('page', String(n));
    return `<${other.href}>; rel="${rel}"`;
  };
  const links = [
    ...(page < last ? [target(page + 1, 'next'), target(last, 'last')] : []),
    ...(page > 1 ? [target(Math.min(page - 1, last), 'prev'), target(1, 'first')] : []),
  ];
  const body = items.slice((page - 1) * perPage, page * perPage).map(toJson);
  return { status: 200, body, ...(links.length > 0 ? { link: links.join(', ') } : {}) };
}

/**
 * The check runs or combined status of a commit: a PR's head commit has its CI
 * (`PullRequest.checks`); an older head or any other commit has none left in the simulation.
 */
function commitChecks(repo: Repo, route: SimRoute & { sha?: string }, url: URL, urls: HostUrls): JsonAnswer {
  const pr = [...repo.pulls.values()].find((p) => p.headSha === route.sha);
  const checks = pr?.checks ?? [];
  if (route.endpoint === 'commits.status') {
    return { status: 200, body: combinedStatusJson(repo, route.sha ?? '', checks.filter((c) => c.kind === 'status'), urls) };
  }
  const runs = checks.filter((c) => c.kind === 'run');
  const page = listPage(runs, url, (c) => checkRunJson(repo, pr!, c, urls));
  return { ...page, body: { total_count: runs.length, check_runs: page.body } };
}

/** The JSON GitHub would answer for `route` at `url`, read from the world as it is now. */
export function answer(world: World, route: SimRoute, url: URL, urls: HostUrls): JsonAnswer {
  const query = url.searchParams;
  const found = world.resolveRepo(route.owner, route.repo);
  if (!found) return notFound();
  const repo = found.repo;
  if (found.moved) {
    // GitHub answers the old path of a renamed or transferred repository with a 301.
    const rest: Record<string, string> = {
      'repos.get': '',
      'pulls.list': '/pulls',
      'pulls.get': `/pulls/${route.number}`,
      'pulls.reviews': `/pulls/${route.number}/reviews`,
      'commits.checkRuns': `/commits/${(route as Route).sha}/check-runs`,
      'commits.status': `/commits/${(route as Route).sha}/status`,
    };
    const search = query.size > 0 ? `?${query}` : '';
    const path = `/repos/${repo.owner}/${repo.name}${rest[route.endpoint] ?? ''}${search}`;
    // A path-only Location, so the redirect stays on whatever origin the request came in by
    // (a proxy in tests); clients resolve it against the request URL.
    return { status: 301, body: { message: 'Moved Permanently', url: `${urls.api}${path}`, documentation_url: DOCS }, location: `${route.apiPrefix}${path}` };
  }
  if (route.endpoint === 'repos.get') return { status: 200, body: repoJson(repo, urls) };
  if (route.endpoint === 'commits.checkRuns' || route.endpoint === 'commits.status') return commitChecks(repo, route, url, urls);
  if (route.endpoint === 'pulls.list') {
    const state = query.get('state') ?? 'open';
    if (!['open', 'closed', 'all'].includes(state)) return invalid('state', `state must be open, closed or all, not ${state}`);
    const head = query.get('head');
    let pulls = [...repo.pulls.values()].filter((pr) => state === 'all' || pr.state === state);
    if (head !== null) {
      const colon = head.indexOf(':');
      if (colon <= 0) return invalid('head', 'head must be user:ref-name or organization:ref-name');
      // Forks are not simulated: a head in another user's namespace matches nothing.
      const sameOwner = head.slice(0, colon).toLowerCase() === repo.owner.toLowerCase();
      pulls = pulls.filter((pr) => sameOwner && pr.headRef === head.slice(colon + 1));
    }
    const sort = query.get('sort') ?? 'created';
    const key = sort === 'updated' ? 'updatedAt' : 'createdAt';
    // GitHub: direction defaults to desc only when sorting by creation date.
    const descending = (query.get('direction') ?? (sort === 'created' ? 'desc' : 'asc')) === 'desc';
    pulls.sort((a, b) => (descending ? b[key] - a[key] : a[key] - b[key]) || (descending ? b.number - a.number : a.number - b.number));
    return listPage(pulls, url, (pr) => simplePull(repo, pr, urls));
  }
  const pr = repo.pulls.get(route.number ?? 0);
  if (!pr) return notFound();
  if (route.endpoint === 'pulls.get') return { status: 200, body: fullPull(repo, pr, urls) };
  return listPage(pr.reviews, url, (r) => reviewJson(repo, pr, r, urls));
}
