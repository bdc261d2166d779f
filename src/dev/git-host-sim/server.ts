import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../domain/clock.ts';
import { etagFor, ifNoneMatchHits } from './etag.ts';
import { createSimApp, type SimApp, type SimAppOptions } from './github-app.ts';
import { evolution, type EvolutionRates } from './evolution.ts';
import type { HostDialect, HostUrls } from './dialect.ts';
import { createFaults, DEFAULT_MAX_HANG_MS, type FaultSpec, type Faults } from './faults.ts';
import { githubDialect } from './github-dialect.ts';
import { latencyOf, type LatencyOption } from './latency.ts';
import { seededRandom } from './prng.ts';
import { createPrimaryLimiter, createSecondaryLimiter, type PrimaryLimitOptions, type SecondaryLimitOptions } from './rate-limit.ts';
import { createStats, type Stats } from './stats.ts';
import { createWorld, type Repo, type World } from './world.ts';

export interface GitHostSimOptions {
  /** Default: a free port. The host always listens on 127.0.0.1 only. */
  port?: number;
  /** The kind of host it speaks (routes, JSON, credentials). Default GitHub. */
  dialect?: HostDialect;
  /** Drives the world's evolution and the rate-limit windows; latency uses real time. */
  clock?: Clock;
  seed?: number | string;
  /** Simulated time between evolution steps. Default 10 s. */
  stepMs?: number;
  rates?: Partial<EvolutionRates>;
  /** Accepted credentials (as gitsync stores them) and the login each one authenticates. */
  tokens?: Record<string, string>;
  rateLimit?: PrimaryLimitOptions;
  /** Off unless given. */
  secondaryLimit?: SecondaryLimitOptions;
  latency?: LatencyOption;
  /** Broken repositories, keyed by `owner/repo`. */
  faults?: Record<string, FaultSpec>;
  /** Acts as GitHub for this App too: its JWT, installations and installation tokens. */
  app?: SimAppOptions;
}

export interface GitHostSim {
  /** Web base, e.g. `http://127.0.0.1:PORT` (plus the dialect's context path); origins and `html_url`s live under it. */
  url: string;
  /** The API base gitsync is configured with (GitHub: Enterprise-style `url` + `/api/v3`; the github.com layout is served at `url` too). */
  apiUrl: string;
  dialect: HostDialect;
  /** `GIT_PROVIDERS` entry fields naming this host: `{ type, webUrl, apiUrl }`. */
  providerEntry(): { type: string; webUrl: string; apiUrl: string };
  /** A repository's origin as rows carry it. */
  originOf(repo: Repo): string;
  /** A pull request's web page as the host links it. */
  pullRequestUrl(repo: Repo, number: number): string;
  world: World;
  stats: Pick<Stats, 'snapshot'>;
  faults: Faults;
  /** The App side, when started with `app`. */
  app: SimApp | undefined;
  addToken(token: string, login: string): void;
  /** The login a token authenticates, if it is known. */
  loginOf(token: string): string | undefined;
  /** Stops listening, drops every connection and pending answer, clears every timer. */
  close(): Promise<void>;
}

/** GitHub's unauthenticated limit, applied per client address to refused requests. */
const ANONYMOUS_LIMIT = 60;

/**
 * Starts a simulated git host (the REST subset gitsync uses, in the dialect asked for:
 * GitHub by default) on 127.0.0.1, for `npm start` and tests only. Per request: latency, then authentication, secondary then primary rate
 * limit, the repository's fault, the answer; a 304 counts against the primary limit only where the dialect says so.
 * Typical use: `const sim = await start({ seed }); const { rows, tokens } = seedWorld(sim, ...)`,
 * a provider configured with `sim.providerEntry()`, then `sim.close()`.
 */
export async function start(options: GitHostSimOptions = {}): Promise<GitHostSim> {
  const dialect = options.dialect ?? githubDialect;
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 1;
  const random = seededRandom(seed);
  const stepMs = options.stepMs ?? 10_000;
  const world = createWorld({ startAt: clock.now(), stepMs, evolve: evolution({ seed, stepMs, rates: options.rates }) });
  const logins = new Map(Object.entries(options.tokens ?? {}));
  const primary = createPrimaryLimiter(clock, { limit: dialect.hourlyLimit, ...options.rateLimit });
  const anonymous = createPrimaryLimiter(clock, { limit: ANONYMOUS_LIMIT });
  const secondary = options.secondaryLimit ? createSecondaryLimiter(clock, options.secondaryLimit) : null;
  const delayOf = latencyOf(options.latency, random.fork('latency'));
  const faults = createFaults(options.faults ?? {}, random.fork('faults'));
  const stats = createStats();
  const inFlight = new Set<Promise<void>>();
  const app = options.app ? createSimApp(options.app, clock) : undefined;
  let requestIds = 0;
  let base = '';
  const urls = (apiPrefix: string): HostUrls => ({ web: base + dialect.webPath, api: base + apiPrefix });

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      ...dialect.answerHeaders(++requestIds),
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }),
      ...headers,
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    if (app) {
      const appAnswer = app.answer(req.method ?? 'GET', url.pathname + url.search, req.headers.authorization, await readBody(req));
      if (appAnswer) {
        stats.request('app', undefined);
        const headers: Record<string, string> = { date: new Date(clock.now()).toUTCString() };
        if (appAnswer.link) headers['link'] = appAnswer.link.replace('</', `<${base}/`);
        return send(res, appAnswer.status, appAnswer.body, headers);
      }
    }
    const route = dialect.matchRoute(req.method ?? 'GET', url.pathname);
    const token = dialect.credentialOf(req.headers.authorization);
    stats.request(route?.endpoint ?? 'unknown', token);
    const login = token === undefined ? undefined : (logins.get(token) ?? app?.tokenLogin(token));
    // Admission happens on arrival so a slow answer holds its concurrency slot.
    const admitted = token !== undefined && login !== undefined && (secondary?.admit(token) ?? true);
    try {
      const gone = untilGone(res);
      if (!(await pause(delayOf(route), gone))) return drop(res);
      world.advanceTo(clock.now());

      if (token === undefined || login === undefined) {
        stats.count('unauthorized', token);
        const limit = anonymous.consume(req.socket.remoteAddress ?? 'unknown');
        return send(res, 401, dialect.refusal(token === undefined ? 'unauthenticated' : 'bad-credentials'), dialect.limitHeaders(limit));
      }
      if (secondary && !admitted) {
        stats.count('secondaryRateLimited', token);
        return send(res, secondary.status, dialect.refusal('secondary-limit'), {
          ...dialect.limitHeaders(primary.peek(token)),
          'retry-after': String(secondary.retryAfterSeconds),
        });
      }
      if (primary.peek(token).remaining === 0) {
        stats.count('rateLimited', token);
        const limited = dialect.limited(primary.peek(token), primary.status, login, clock.now());
        return send(res, limited.status, limited.body, limited.headers);
      }
      const counted = () => {
        stats.count('counted', token);
        return dialect.limitHeaders(primary.consume(token));
      };
      if (!route) return send(res, 404, dialect.refusal('not-found'), counted());
      const fault = faults.draw(route.owner, route.repo);
      if (fault) {
        stats.count('faults', token);
        const headers = counted();
        if (fault.kind === 'error') return send(res, fault.status ?? 500, dialect.refusal('server-error'), headers);
        await pause(fault.maxHangMs ?? DEFAULT_MAX_HANG_MS, gone);
        return drop(res);
      }
      const result = dialect.answer(world, route, url, urls(route.apiPrefix));
      const body = JSON.stringify(result.body);
      const etag = result.status === 200 ? etagFor(body) : undefined;
      if (etag && ifNoneMatchHits(req.headers['if-none-match'], etag)) {
        stats.count('notModified', token);
        return send(res, 304, undefined, { etag, ...(dialect.notModifiedCounts ? counted() : dialect.limitHeaders(primary.peek(token))) });
      }
      send(res, result.status, result.body, {
        ...result.headers,
        ...counted(),
        ...(etag ? { etag } : {}),
        ...(result.link ? { link: result.link } : {}),
        ...(result.location ? { location: result.location } : {}),
      });
    } finally {
      if (admitted) secondary?.release(token as string);
    }
  };

  const server = createServer((req, res) => {
    const work = handle(req, res)
      .catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, dialect.refusal('server-error', `simulator failure: ${String(err)}`), {});
        else drop(res);
      })
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { web, api } = urls(dialect.apiPath);
  return {
    url: web,
    apiUrl: api,
    dialect,
    providerEntry: () => ({ type: dialect.type, webUrl: web, apiUrl: api }),
    originOf: (repo) => dialect.originOf(urls(dialect.apiPath), repo),
    pullRequestUrl: (repo, number) => dialect.pullRequestUrl(urls(dialect.apiPath), repo, number),
    world,
    stats,
    faults,
    app,
    addToken: (token, login) => void logins.set(token, login),
    loginOf: (token) => logins.get(token),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Destroying the sockets fires every response's 'close': pending pauses end with it.
      server.closeAllConnections();
      await Promise.allSettled([...inFlight]);
      await closed;
    },
  };
}

/** A request's body (App token requests are small JSON; other routes are GETs without one). */
async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Aborts when the connection closes: the client gave up or the host is closing. */
function untilGone(res: ServerResponse): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  return gone.signal;
}

/** Waits `ms`; false when `signal` aborted first. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Ends a request without an answer, as a dead host or a dropped connection does. */
function drop(res: ServerResponse): void {
  if (!res.writableEnded) res.destroy();
}
