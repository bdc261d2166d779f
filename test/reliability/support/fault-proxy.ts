import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GitHostSim } from '../../../src/dev/git-host-sim/server.ts';

/** What a broken repository's API answers, beyond the simulator's own 5xx and hangs. */
export const HTTP_FAULTS = [
  'status500',
  'status502',
  'status503',
  'reset',
  'hangBeforeHeaders',
  'hangMidBody',
  'truncated',
  'notJson',
  'wrongShape',
  'hugeBody',
  'hugeChunkedBody',
  'redirectLoop',
  'unauthorized',
  'secondaryLimit',
  'tooManyWithRetryAfter',
  'tooManyBare',
  'tooManyForAges',
  'trickle',
] as const;
export type HttpFault = (typeof HTTP_FAULTS)[number];

/** Faults that rate-limit the token (all its rows wait), not only the repository. */
export const RATE_LIMIT_FAULTS: ReadonlySet<HttpFault> = new Set(['secondaryLimit', 'tooManyWithRetryAfter', 'tooManyBare', 'tooManyForAges']);

export interface FaultProxy {
  /** GitHub-Enterprise-style API base to configure as the provider's `apiUrl`. */
  apiUrl: string;
  /** Broken repositories, `owner/repo` (lower case) -> fault. */
  faults: Map<string, HttpFault>;
  /** Requests that got a fault instead of the simulator's answer. */
  faultsServed: number;
  requests: number;
  /** Path and query of every request, in order. */
  paths: string[];
  /** Every distinct Authorization header that reached the host. */
  authorizations: Set<string>;
  close(): Promise<void>;
}

const HUGE_BYTES = 5 * 1024 * 1024;
/** A trickling host sends one byte this often: never idle long enough for a body timeout. */
export const TRICKLE_EVERY_MS = 250;

/**
 * A loopback HTTP proxy in front of the git-host simulator: requests for a broken
 * repository get its fault, every other request is passed through unchanged.
 */
export async function startFaultProxy(sim: Pick<GitHostSim, 'url' | 'dialect'>): Promise<FaultProxy> {
  const target = new URL(sim.url);
  const faults = new Map<string, HttpFault>();
  const proxy: FaultProxy = {
    apiUrl: '',
    faults,
    faultsServed: 0,
    requests: 0,
    paths: [],
    authorizations: new Set(),
    close: async () => {},
  };
  const server = createServer((req, res) => {
    proxy.requests += 1;
    proxy.paths.push(req.url ?? '');
    if (req.headers.authorization) proxy.authorizations.add(req.headers.authorization);
    // The repository a request names, as the simulated host's dialect reads its path.
    const route = sim.dialect.matchRoute(req.method ?? 'GET', new URL(req.url ?? '/', 'http://proxy.invalid').pathname);
    const fault = route ? faults.get(`${route.owner}/${route.repo}`.toLowerCase()) : undefined;
    if (fault) {
      proxy.faultsServed += 1;
      serveFault(fault, req, res);
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.apiUrl = `${base}${sim.dialect.apiPath}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

function serveFault(fault: HttpFault, req: IncomingMessage, res: ServerResponse): void {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  switch (fault) {
    case 'status500':
    case 'status502':
    case 'status503':
      return json(Number(fault.slice(-3)), { message: 'Server Error' });
    case 'reset':
      return void req.socket.destroy();
    case 'hangBeforeHeaders':
      return; // the client's timeout or deadline ends it; close() drops the socket
    case 'hangMidBody':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
      return void res.write('{"number": 1, "title": "');
    case 'truncated':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
      res.write('[{"number": 1, "tit');
      return void setImmediate(() => req.socket.destroy());
    case 'notJson':
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html><body>Unicorn! Something went wrong.</body></html>');
    case 'wrongShape':
      return json(200, { number: 'seven', state: 42, user: null, items: 'none' });
    case 'hugeBody': {
      const body = JSON.stringify(['x'.repeat(HUGE_BYTES)]);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      return void res.end(body);
    }
    case 'hugeChunkedBody':
      return streamHuge(res);
    case 'redirectLoop':
      res.writeHead(302, { location: req.url ?? '/' });
      return void res.end();
    case 'unauthorized':
      return json(401, { message: 'Bad credentials' });
    case 'secondaryLimit':
      return json(403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '60' });
    case 'tooManyWithRetryAfter':
      return json(429, { message: 'Too Many Requests' }, { 'retry-after': '30' });
    case 'tooManyBare':
      return json(429, { message: 'Too Many Requests' });
    case 'tooManyForAges':
      return json(429, { message: 'Too Many Requests' }, { 'retry-after': '999999999' });
    case 'trickle': {
      // Headers at once, then a byte of JSON whitespace now and then, never the end.
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), TRICKLE_EVERY_MS);
      res.on('close', () => clearInterval(timer));
      res.on('error', () => {});
      return;
    }
  }
}

/** A valid-looking JSON array, streamed without a length, larger than any answer may be. */
function streamHuge(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('[');
  const chunk = `"${'y'.repeat(64 * 1024)}",`;
  let sent = 0;
  const pump = () => {
    while (sent < HUGE_BYTES) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end('"end"]');
  };
  res.on('error', () => {});
  pump();
}
