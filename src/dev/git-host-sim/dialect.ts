import type { FunctionUrlEvent } from '../../webhooks/receive.ts';
import type { RateLimitState } from './rate-limit.ts';
import type { PullRequest, Repo, SimCheck, World } from './world.ts';

/** Where the simulated host is reached: web pages and the REST API under it. */
export interface HostUrls {
  web: string;
  api: string;
}

/** One request the host serves, as its dialect read it from the path. */
export interface SimRoute {
  /** Counted per name in the stats ("pulls.get"). */
  endpoint: string;
  /** The API base path the request came in by (GitHub serves two layouts). */
  apiPrefix: string;
  /** The world's `owner/name` the path names (a workspace or project key is the owner). */
  owner: string;
  repo: string;
  number?: number;
}

export interface JsonAnswer {
  status: number;
  body: unknown;
  /** `Link` of a list with other pages, as GitHub sends it. */
  link?: string;
  /** A redirect's target path (renamed or transferred repository). */
  location?: string;
  /** Other headers of the answer (Azure DevOps' `x-ms-continuationtoken`). */
  headers?: Record<string, string>;
}

/**
 * A change the host tells webhooks about: a PR opened, updated (a push, a draft flag),
 * reviewed or closed (merged or not); `probe` is a harmless event (GitHub's `ping`).
 */
export type SimChange = { kind: 'opened' | 'updated' | 'reviewed' | 'closed'; repo: Repo; pr: PullRequest } | { kind: 'probe' };

/** The host's own refusals, whose bodies each product words its own way. */
export type SimRefusal = 'unauthenticated' | 'bad-credentials' | 'not-found' | 'secondary-limit' | 'server-error';

/**
 * How one kind of git host speaks: its routes, JSON, credentials, refusals and limits. The
 * world (repositories, branches, pull requests, reviews) is shared; a dialect only renders
 * it, so the same evolution, faults and limits run behind every host type gitsync knows.
 */
export interface HostDialect {
  /** The provider type gitsync configures for this host ("github"). */
  readonly type: string;
  /** Path of the web pages below the server's base: "" or a context path ("/bitbucket"). */
  readonly webPath: string;
  /** The API base path below the server's base that gitsync is configured with. */
  readonly apiPath: string;
  /** The host's hourly request limit per token, unless the run sets another. */
  readonly hourlyLimit: number;
  /**
   * Whether the old path of a renamed or transferred repository still answers (GitHub
   * redirects it); absent or false: the old path is gone (404), as on Azure DevOps.
   */
  readonly answersMovedRepos?: boolean;
  /** Whether a 304 counts against that limit (GitHub: no). */
  readonly notModifiedCounts: boolean;
  /** Null when the path is none of the endpoints the host serves. */
  matchRoute(method: string, pathname: string): SimRoute | null;
  /** The answer for `route` at `url`, read from the world as it is now. */
  answer(world: World, route: SimRoute, url: URL, urls: HostUrls): JsonAnswer;
  refusal(kind: SimRefusal, detail?: string): unknown;
  /** The credential an `Authorization` header carries, in the form gitsync stores it; undefined when none reads. */
  credentialOf(authorization: string | undefined): string | undefined;
  /** A credential for `login` as gitsync would store it for this host (`unique` makes it distinct). */
  credentialFor(login: string, unique: string): string;
  /** A repository's clone URL, as rows carry it. */
  originOf(urls: HostUrls, repo: Repo): string;
  /** A pull request's web page, as the host links it (and gitsync stores it as the row's `url`). */
  pullRequestUrl(urls: HostUrls, repo: Repo, number: number): string;
  /**
   * The delivery this host's webhook sends when `check` of `pr`'s head commit finished (GitHub
   * `check_run` / `status`), signed with `secret`. Absent: the host sends none for CI, and only
   * polling finds it.
   */
  checkDelivery?(repo: Repo, pr: PullRequest, check: SimCheck, urls: HostUrls, secret: string): FunctionUrlEvent;
  /**
   * The delivery of `change` this host's webhook sends, signed with `secret`, as the function
   * URL gets it. Absent for a host whose deliveries gitsync does not take yet: it sends none.
   */
  delivery?(change: SimChange, urls: HostUrls, secret: string): FunctionUrlEvent;
  /** Headers every answer carries (request ids). */
  answerHeaders(requestNumber: number): Record<string, string>;
  /** Rate-limit headers of a counted answer. */
  limitHeaders(state: RateLimitState): Record<string, string>;
  /** The answer once the token's limit is spent (`status`: the limiter's configured status). */
  limited(state: RateLimitState, status: number, login: string, now: number): { status: number; headers: Record<string, string>; body: unknown };
}

/**
 * The route matcher of a host whose pull-request paths are `.../<owner>/<repo>/<noun>[/<n>[/<sub>]]`:
 * `pattern` captures owner, repo, number and sub-resource; endpoints are named `<noun>.list`,
 * `<noun>.get` and `<noun>.<sub>`.
 */
export function pullRequestRoutes(pattern: RegExp, apiPrefix: string, noun: string): (method: string, pathname: string) => SimRoute | null {
  return (method, pathname) => {
    const m = method === 'GET' ? pattern.exec(pathname) : null;
    if (!m) return null;
    const [, owner = '', repo = '', number, sub] = m;
    const base = { apiPrefix, owner: decodeURIComponent(owner), repo: decodeURIComponent(repo) };
    if (number === undefined) return { ...base, endpoint: `${noun}.list` };
    return { ...base, endpoint: sub ? `${noun}.${sub}` : `${noun}.get`, number: Number(number) };
  };
}
