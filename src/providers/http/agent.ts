import { Agent as NodeHttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as NodeHttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';

/**
 * The one HTTP seam the providers and the token minting use: a request, its status, headers
 * and a body to stream. Built on node:http(s) keep-alive agents, not undici: undici's client
 * (its HTTP/2 client with node:http2, its wasm parsers) was 44% of each function's bundle and
 * about a quarter of its cold import (docs/design/tick-speed.md, "Third pass").
 */
export interface HttpAgent {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Ends every connection; requests in flight fail. */
  close(): Promise<void>;
}

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Sent as is with a Content-Length. */
  body?: string;
  /** An abort fails the request, or the body being read, with `signal.reason`. */
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Names in lower case; repeated headers joined as node:http joins them. */
  headers: IncomingHttpHeaders;
  /** Read it to the end (the connection then serves the next request) or destroy it. */
  body: AsyncIterable<Buffer> & { destroy(): void };
}

export interface HttpAgentOptions {
  /** From the request's start until its connection (TLS included) is up. */
  connectTimeoutMs?: number;
  /** From the connection being up until the answer's headers. */
  headersTimeoutMs?: number;
  /** The longest silence while the body arrives. */
  bodyTimeoutMs?: number;
  /** How long an idle connection is kept for the next tick (servers' keep-alive hints may lower it). */
  keepAliveTimeoutMs?: number;
  /**
   * Connections per origin. Default: no cap, because the Refresher's CONCURRENCY already bounds
   * requests in flight; a smaller pool would silently queue them (a fixed 10 capped every
   * deployment at 10 requests at once whatever CONCURRENCY said).
   */
  connections?: number;
  /** Sees each new connection (bench/request-bytes.ts counts the bytes gitsync writes). */
  onConnection?: (socket: Socket) => void;
}

export type HttpTimeoutPhase = 'connect' | 'headers' | 'body';

/** A request that took longer than its agent allows for one phase; `code` names the phase. */
export class HttpTimeoutError extends Error {
  readonly phase: HttpTimeoutPhase;
  readonly code: string;
  constructor(phase: HttpTimeoutPhase, ms: number) {
    super(`no ${phase === 'connect' ? 'connection' : phase} within ${ms} ms`);
    this.name = 'HttpTimeoutError';
    this.phase = phase;
    this.code = `${phase.toUpperCase()}_TIMEOUT`;
  }
}

/** A pooled keep-alive agent with timeouts; redirects are not followed (a token must not travel). */
export function createHttpAgent(options: HttpAgentOptions = {}): HttpAgent {
  return new PooledAgent({
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 10_000,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 10_000,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 30_000,
    connections: options.connections ?? Infinity,
    onConnection: options.onConnection,
  });
}

let shared: HttpAgent | undefined;

/** The container's one agent, so connections survive from tick to tick. */
export function sharedHttpAgent(): HttpAgent {
  shared ??= createHttpAgent();
  return shared;
}

type Settings = Required<Omit<HttpAgentOptions, 'onConnection'>> & Pick<HttpAgentOptions, 'onConnection'>;

class PooledAgent implements HttpAgent {
  readonly #settings: Settings;
  /** One node agent per scheme, made at its first request. */
  readonly #pools = new Map<string, NodeHttpAgent>();

  constructor(settings: Settings) {
    this.#settings = settings;
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return Promise.reject(new TypeError(`not an http(s) URL: ${url.protocol}`));
    if (req.signal.aborted) return Promise.reject(req.signal.reason);
    const secure = url.protocol === 'https:';
    const s = this.#settings;
    return new Promise((resolve, reject) => {
      const headers = req.body === undefined ? req.headers : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) };
      const sent: ClientRequest = (secure ? httpsRequest : httpRequest)(url, { method: req.method, headers, agent: this.#pool(url.protocol) });
      let answer: IncomingMessage | undefined;
      let connection: Socket | undefined;
      // Each phase's limit is its connection's idle timeout (node's own timer, as undici's are its own).
      let phase: HttpTimeoutPhase = 'connect';
      const limits: Record<HttpTimeoutPhase, number> = { connect: s.connectTimeoutMs, headers: s.headersTimeoutMs, body: s.bodyTimeoutMs };
      const fail = (err: unknown) => {
        answer?.destroy(err as Error);
        sent.destroy(err as Error);
      };
      const onTimeout = () => fail(new HttpTimeoutError(phase, limits[phase]));
      const enter = (next: HttpTimeoutPhase) => {
        phase = next;
        connection?.setTimeout(limits[next]);
      };
      const onAbort = () => fail(req.signal.reason);
      const done = () => {
        req.signal.removeEventListener('abort', onAbort);
        connection?.off('timeout', onTimeout);
      };
      req.signal.addEventListener('abort', onAbort, { once: true });
      sent.once('socket', (socket: Socket) => {
        connection = socket;
        socket.on('timeout', onTimeout);
        if (!socket.connecting) return enter('headers');
        s.onConnection?.(socket);
        enter('connect');
        socket.once(secure ? 'secureConnect' : 'connect', () => enter('headers'));
      });
      sent.once('response', (res: IncomingMessage) => {
        answer = res;
        enter('body');
        res.once('close', done);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      sent.on('error', (err) => {
        done();
        reject(err);
      });
      sent.end(req.body);
    });
  }

  close(): Promise<void> {
    for (const pool of this.#pools.values()) pool.destroy();
    this.#pools.clear();
    return Promise.resolve();
  }

  #pool(protocol: string): NodeHttpAgent {
    let pool = this.#pools.get(protocol);
    if (!pool) {
      const options = { keepAlive: true, timeout: this.#settings.keepAliveTimeoutMs, maxSockets: this.#settings.connections };
      pool = protocol === 'https:' ? new NodeHttpsAgent(options) : new NodeHttpAgent(options);
      this.#pools.set(protocol, pool);
    }
    return pool;
  }
}
