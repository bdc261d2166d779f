import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLocalServer, type LocalServer } from './local-server.ts';

export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless it is a string. */
  body?: unknown;
}

/**
 * A loopback API answering by exact path + query. An answer with an `etag` header answers
 * 304 to a matching `If-None-Match`, like GitHub and GitLab do.
 */
export interface FakeApi extends LocalServer {
  routes: Map<string, FakeAnswer | ((req: IncomingMessage) => FakeAnswer)>;
}

export async function startFakeApi(): Promise<FakeApi> {
  const routes: FakeApi['routes'] = new Map();
  const server = await startLocalServer((req, res) => answer(routes, req, res));
  return Object.assign(server, { routes });
}

function answer(routes: FakeApi['routes'], req: IncomingMessage, res: ServerResponse): void {
  const route = routes.get(req.url ?? '');
  if (!route) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"message":"Not Found"}');
    return;
  }
  const a = typeof route === 'function' ? route(req) : route;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...a.headers };
  const etag = headers['etag'];
  if (etag && req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag });
    res.end();
    return;
  }
  res.writeHead(a.status ?? 200, headers);
  res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? null));
}
