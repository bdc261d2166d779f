import { azureDevOpsDeliveryEvent } from '../webhook-request.ts';
import type { HostDialect, HostUrls, JsonAnswer, SimRoute } from './dialect.ts';
import { changeJson, commitJson, pullRequestJson, repoWebPath, SIM_COLLECTION, statusesJson } from './azure-devops-json.ts';
import type { RateLimitState } from './rate-limit.ts';
import type { World } from './world.ts';

type Endpoint = 'pullrequests.list' | 'pullrequests.get' | 'pullrequests.commits' | 'pullrequests.iterations' | 'pullrequests.changes' | 'pullrequests.statuses';

const PATTERN = /^\/([^/]+)\/([^/]+)\/_apis\/git\/repositories\/([^/]+)\/pullrequests(?:\/(\d+)(\/commits|\/statuses|\/iterations(?:\/(\d+)\/changes)?)?)?\/?$/i;
const STATUSES = ['active', 'abandoned', 'completed', 'all'];

/** Azure's error body (`{"$id": "1", "message": ..., "typeKey": ...}`). */
function error(message: string, typeKey: string) {
  return { $id: '1', innerException: null, message, typeName: `Microsoft.TeamFoundation.${typeKey}, Microsoft.TeamFoundation`, typeKey, errorCode: 0, eventId: 3000 };
}

function notFound(what: string): JsonAnswer {
  return { status: 404, body: error(`TF401019: ${what} does not exist or you do not have permissions for the operation you are attempting.`, 'GitRepositoryNotFoundException') };
}

function badRequest(message: string): JsonAnswer {
  return { status: 400, body: error(message, 'InvalidArgumentValueException') };
}

/** A non-negative integer query value, `fallback` when absent; null when it does not read. */
function intParam(query: URLSearchParams, name: string, fallback: number): number | null {
  const raw = query.get(name);
  if (raw === null) return fallback;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : null;
}

function matchRoute(method: string, pathname: string): SimRoute | null {
  const m = method === 'GET' ? PATTERN.exec(pathname) : null;
  if (!m) return null;
  const [, collection = '', project = '', repo = '', number, sub, iteration] = m;
  let decoded: string[];
  try {
    decoded = [collection, project, repo].map(decodeURIComponent);
  } catch {
    return null;
  }
  if (decoded[0] !== SIM_COLLECTION) return null;
  const base = { apiPrefix: '', owner: decoded[1]!, repo: decoded[2]! };
  if (number === undefined) return { ...base, endpoint: 'pullrequests.list' satisfies Endpoint };
  const named: Record<string, Endpoint> = { '/commits': 'pullrequests.commits', '/statuses': 'pullrequests.statuses' };
  const endpoint: Endpoint =
    sub === undefined ? 'pullrequests.get' : (named[sub.toLowerCase()] ?? (iteration === undefined ? 'pullrequests.iterations' : 'pullrequests.changes'));
  return { ...base, endpoint, number: Number(number) };
}

/** The JSON Azure DevOps Server would answer for `route` at `url`, read from the world as it is now. */
function answer(world: World, route: SimRoute, url: URL, urls: HostUrls): JsonAnswer {
  const query = url.searchParams;
  if (query.get('api-version') === null) return badRequest('No api-version was supplied for the "GET" request. The version must be supplied either as part of the Accept header or as a query parameter.');
  const repo = world.repo(route.owner, route.repo);
  if (!repo) return notFound(`The Git repository with name or identifier ${route.repo}`);
  if (route.endpoint === 'pullrequests.list') {
    const status = query.get('searchCriteria.status') ?? 'active';
    if (!STATUSES.includes(status)) return badRequest(`The value '${status}' is not valid for searchCriteria.status.`);
    const source = query.get('searchCriteria.sourceRefName');
    const top = intParam(query, '$top', 101);
    if (top === null) return badRequest('Invalid $top.');
    const found = [...repo.pulls.values()]
      .map((pr) => pullRequestJson(repo, pr, urls))
      .filter((pr) => (status === 'all' || pr.status === status) && (source === null || pr.sourceRefName === source))
      // Newest first.
      .sort((a, b) => b.pullRequestId - a.pullRequestId)
      .slice(0, top);
    return { status: 200, body: { value: found, count: found.length } };
  }
  const pr = repo.pulls.get(route.number ?? 0);
  if (!pr) return notFound(`The pull request ${route.number}`);
  switch (route.endpoint) {
    case 'pullrequests.get':
      return { status: 200, body: pullRequestJson(repo, pr, urls) };
    case 'pullrequests.commits': {
      // The continuation token is opaque to clients; here it is the offset of the next page.
      const top = intParam(query, '$top', 100);
      const from = intParam(query, 'continuationToken', 0);
      if (top === null || top === 0 || from === null) return badRequest('Invalid $top or continuationToken.');
      const value = Array.from({ length: Math.max(0, Math.min(top, pr.commits - from)) }, (_, i) => commitJson(pr, from + i));
      const more = from + top < pr.commits;
      return { status: 200, body: { count: value.length, value }, ...(more ? { headers: { 'x-ms-continuationtoken': String(from + top) } } : {}) };
    }
    case 'pullrequests.statuses': {
      const value = statusesJson(pr);
      return { status: 200, body: { count: value.length, value } };
    }
    case 'pullrequests.iterations': {
      // A push is an iteration; the world counts pushes as commits.
      const value = Array.from({ length: Math.max(1, pr.commits) }, (_, i) => ({ id: i + 1, sourceRefCommit: { commitId: pr.headSha } }));
      return { status: 200, body: { value, count: value.length } };
    }
    case 'pullrequests.changes': {
      const iteration = Number(/\/iterations\/(\d+)\/changes/i.exec(url.pathname)?.[1]);
      if (!(iteration >= 1 && iteration <= Math.max(1, pr.commits))) return notFound(`The iteration ${iteration}`);
      const top = intParam(query, '$top', 100);
      const skip = intParam(query, '$skip', 0);
      if (top === null || top === 0 || top > 2_000 || skip === null) return badRequest('Invalid $top or $skip.');
      const count = Math.max(0, Math.min(top, pr.changedFiles - skip));
      const more = skip + top < pr.changedFiles;
      return {
        status: 200,
        body: { changeEntries: Array.from({ length: count }, (_, i) => changeJson(skip + i)), nextSkip: more ? skip + top : 0, nextTop: more ? top : 0 },
      };
    }
    default:
      return notFound('The resource');
  }
}

/** Azure's throttling headers; a spent limit is a 429 that says how long to wait. */
function limitHeaders(state: RateLimitState, now?: number): Record<string, string> {
  if (state.remaining > 0) return {};
  return {
    'x-ratelimit-resource': 'ATCPU',
    'x-ratelimit-delay': '0',
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': String(state.reset),
    ...(now === undefined ? {} : { 'retry-after': String(Math.max(1, state.reset - Math.floor(now / 1000))) }),
  };
}

/**
 * Azure DevOps Server with one collection ("Sim Collection"): a world repository `owner/name`
 * is project `owner`, repository `name`. PATs as Basic with an empty user or Bearer tokens;
 * 401 with no body for anything else. Azure's limit is throughput units, not a count: here it
 * is the simulator's hourly count, answered as Azure answers a blocked user (429 TF400733).
 */
export const azureDevOpsDialect: HostDialect = {
  type: 'azure-devops',
  webPath: '',
  apiPath: '',
  hourlyLimit: 5_000,
  notModifiedCounts: true,
  matchRoute,
  answer,
  refusal(kind, detail) {
    switch (kind) {
      case 'unauthenticated':
      case 'bad-credentials':
        // With `X-TFS-FedAuthRedirect: Suppress`, a 401 without a body.
        return undefined;
      case 'not-found':
        return error('The controller for the path was not found.', 'NotFoundException');
      case 'secondary-limit':
        return error('TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource.', 'RequestBlockedException');
      case 'server-error':
        return error(detail ?? 'TF246017: Azure DevOps Server could not connect to the database.', 'DatabaseConnectionException');
    }
  },
  credentialOf(header) {
    const bearer = /^bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (bearer) return bearer;
    const basic = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '')?.[1];
    if (!basic) return undefined;
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // Azure ignores the user; the PAT is the password.
    return colon >= 0 && decoded.length > colon + 1 ? decoded.slice(colon + 1) : undefined;
  },
  credentialFor: (_login, unique) => `azdosimpat${unique}`,
  originOf: (urls, repo) => `${urls.web}/${repoWebPath(repo)}`,
  pullRequestUrl: (urls, repo, number) => `${urls.web}/${repoWebPath(repo)}/pullrequest/${number}`,
  answerHeaders: (n) => ({ activityid: `00000000-0000-0000-0000-${n.toString(16).padStart(12, '0')}`, 'x-tfs-processid': 'sim' }),
  limitHeaders: (state) => limitHeaders(state),
  /** Service-hook deliveries with the secret as the basic credentials' password; the probe is an update of nothing. */
  delivery(change, urls, secret) {
    if (change.kind === 'probe') return azureDevOpsDeliveryEvent({ eventType: 'git.pullrequest.updated', resource: {}, secret });
    const { repo, pr, kind } = change;
    const eventType = pr.merged ? 'git.pullrequest.merged' : kind === 'opened' ? 'git.pullrequest.created' : 'git.pullrequest.updated';
    return azureDevOpsDeliveryEvent({ eventType, resource: pullRequestJson(repo, pr, urls), secret });
  },
  limited: (state, _status, login, now) => ({
    status: 429,
    headers: limitHeaders(state, now),
    body: error(`TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'ATCPU' in namespace 'User' for ${login}.`, 'RequestBlockedException'),
  }),
};
