import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../domain/clock.ts';
import { etagFor, ifNoneMatchHits } from './etag.ts';
import { createSimApp, type SimApp, type SimAppOptions } from './github-app.ts';
import { evolution, type EvolutionRates } from './evolution.ts';
import { createFaults, DEFAULT_MAX_HANG_MS, type FaultSpec, type Faults } from './faults.ts';
import { latencyOf, type LatencyOption } from './latency.ts';
import { seededRandom } from './prng.ts';
import {
  createPrimaryLimiter,
  createSecondaryLimiter,
  rateLimitHeaders,
  type PrimaryLimitOptions,
  type SecondaryLimitOptions,
} from './rate-limit.ts';
import { answer, ENTERPRISE_API_PREFIX, matchRoute, notFound } from './router.ts';
import { createStats, type Stats } from './stats.ts';
import { createWorld, type World } from './world.ts';

export interface GitHostSimOptions {
  /** Default: a free port. The host always listens on 127.0.0.1 only. */
  port?: number;
  /** Drives the world's evolution and the rate-limit windows; latency uses real time. */
  clock?: Clock;
  seed?: number | string;
  /** Simulated time between evolution steps. Default 10 s. */
  stepMs?: number;
  rates?: Partial<EvolutionRates>;
  /** Accepted bearer tokens and the login each one authenticates. */
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
  /** Web base, e.g. `http://127.0.0.1:PORT`; origins and `html_url`s live under it. */
  url: string;
  /** Enterprise-style API base (`url` + `/api/v3`); the github.com layout is served at `url` too. */
  apiUrl: string;
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

const DOCS = 'https://docs.github.com/rest';
/** GitHub's unauthenticated limit, applied per client address to refused requests. */
const ANONYMOUS_LIMIT = 60;

/**
 * Starts a simulated GitHub (the REST subset gitsync uses) on 127.0.0.1, for `npm start`
 * and tests only. Per request: latency, then authentication, secondary then primary rate
 * limit, the repository's fault, the answer; a 304 does not count against the primary limit.
 * Typical use: `const sim = await start({ seed }); const { rows, tokens } = seedWorld(sim, ...)`,
 * a GitHub Enterprise provider at web base `sim.url` / API `sim.apiUrl`, then `sim.close()`.
 */
export async function start(options: GitHostSimOptions = {}): Promise<GitHostSim> {
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 1;
  const random = seededRandom(seed);
  const stepMs = options.stepMs ?? 10_000;
  const world = createWorld({ startAt: clock.now(), stepMs, evolve: evolution({ seed, stepMs, rates: options.rates }) });
  const logins = new Map(Object.entries(options.tokens ?? {}));
  const primary = createPrimaryLimiter(clock, options.rateLimit);
  const anonymous = createPrimaryLimiter(clock, { limit: ANONYMOUS_LIMIT });
  const secondary = options.secondaryLimit ? createSecondaryLimiter(clock, options.secondaryLimit) : null;
  const delayOf = latencyOf(options.latency, random.fork('latency'));
  const faults = createFaults(options.faults ?? {}, random.fork('faults'));
  const stats = createStats();
  const inFlight = new Set<Promise<void>>();
  const app = options.app ? createSimApp(options.app, clock) : undefined;
  let requestIds = 0;
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': (++requestIds).toString(16).toUpperCase().padStart(8, '0'),
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }),
      ...headers,
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    if (app) {
      const appAnswer = app.answer(req.method ?? 'GET', url.pathname, req.headers.authorization, await readBody(req));
      if (appAnswer) {
        stats.request('app', undefined);
        return send(res, appAnswer.status, appAnswer.body, { date: new Date(clock.now()).toUTCString() });
      }
    }
    const route = matchRoute(req.method ?? 'GET', url.pathname);
    const token = bearerToken(req.headers.authorization);
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
        const message = token === undefined ? 'Requires authentication' : 'Bad credentials';
        const limit = anonymous.consume(req.socket.remoteAddress ?? 'unknown');
        return send(res, 401, { message, documentation_url: DOCS, status: '401' }, rateLimitHeaders(limit));
      }
      if (secondary && !admitted) {
        stats.count('secondaryRateLimited', token);
        const message = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
        return send(res, secondary.status, { message, documentation_url: DOCS }, {
          ...rateLimitHeaders(primary.peek(token)),
          'retry-after': String(secondary.retryAfterSeconds),
        });
      }
      if (primary.peek(token).remaining === 0) {
        stats.count('rateLimited', token);
        const message = `API rate limit exceeded for user ${login}.`;
        return send(res, primary.status, { message, documentation_url: DOCS }, rateLimitHeaders(primary.peek(token)));
      }
      const counted = () => {
        stats.count('counted', token);
        return rateLimitHeaders(primary.consume(token));
      };
      if (!route) return send(res, 404, notFound().body, counted());
      const fault = faults.draw(route.owner, route.repo);
      if (fault) {
        stats.count('faults', token);
        const headers = counted();
        if (fault.kind === 'error') return send(res, fault.status ?? 500, { message: 'Server Error' }, headers);
        await pause(fault.maxHangMs ?? DEFAULT_MAX_HANG_MS, gone);
        return drop(res);
      }
      const result = answer(world, route, url, { web: base, api: base + route.apiPrefix });
      const body = JSON.stringify(result.body);
      const etag = result.status === 200 ? etagFor(body) : undefined;
      if (etag && ifNoneMatchHits(req.headers['if-none-match'], etag)) {
        stats.count('notModified', token);
        return send(res, 304, undefined, { etag, ...rateLimitHeaders(primary.peek(token)) });
      }
      send(res, result.status, result.body, {
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
        if (!res.headersSent) send(res, 500, { message: `simulator failure: ${String(err)}` }, {});
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

  return {
    url: base,
    apiUrl: base + ENTERPRISE_API_PREFIX,
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

/** Accepts both schemes GitHub accepts: `Bearer <t>` and `token <t>`. */
function bearerToken(header: string | undefined): string | undefined {
  const m = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
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
