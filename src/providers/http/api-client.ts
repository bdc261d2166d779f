import { createHash } from 'node:crypto';
import type { HttpAgent } from './agent.ts';
import type { Clock } from '../../domain/clock.ts';
import { canonicalJson } from '../../domain/same-value.ts';
import { ProviderError, RateLimitedError } from '../../domain/errors.ts';
import type { ProviderCallContext } from '../provider.ts';
import type { HttpAnswer } from './answer.ts';
import { failureFor } from './failure.ts';
import { getJson } from './json-get.ts';
import type { RateLimitHeaderNames } from './rate-limit.ts';
import type { RequestBudget } from './request-budget.ts';

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Redirects followed per request: a renamed repository takes one; more is a loop. */
export const MAX_REDIRECTS = 3;
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export interface ApiClientOptions {
  /** Configured API base; every request goes below it, never to a host from row data. */
  apiUrl: string;
  dispatcher: HttpAgent;
  clock: Clock;
  rateLimitHeaders: RateLimitHeaderNames;
  /** Headers of every request, the token's included. */
  headers(token: string): Record<string, string>;
  maxBodyBytes?: number;
  /** The type's hourly budget per token (`ProviderType.hourlyRequestBudget`); absent: none kept here. */
  budget?: RequestBudget;
}

/** How a conditional GET keeps its answer: a small JSON `compact` form and its reader. */
export interface CachedRead<T> {
  /** Cache key, short (stored with the row). */
  key: string;
  what: string;
  /** The part of the answer needed later; stored with the ETag. */
  compact(answer: HttpAnswer): unknown;
  /** Builds the result from a compact form, fresh or cached; throws `ProviderError` on a bad shape. */
  read(compact: unknown): T;
  /**
   * Set when the row's own fields hold the result (the pull request itself): the cache then
   * keeps only the ETag and a digest of those fields, not a second copy of them, and a 304
   * is answered from the row. Absent: the compact form is cached.
   */
  row?: RowBackedRead<T>;
}

/** How a result is found in the row's own fields (see `CachedRead.row`). */
export interface RowBackedRead<T> {
  /** The result rebuilt from the row's stored fields; undefined when they cannot hold it (missing, wrong type, another PR). */
  read(): T | undefined;
  /** The part of a result the row stores, as its fields hold it: what the digest covers. */
  stored(value: T): unknown;
}

/** GETs below one API base, turning non-2xx answers into typed errors. */
export class ApiClient {
  readonly #options: ApiClientOptions;

  constructor(options: ApiClientOptions) {
    this.#options = options;
  }

  /**
   * A 2xx answer, or throws `RateLimitedError` / `AuthError` / `ProviderError`; `RateLimitedError`
   * without asking when the token's hourly budget is spent (every request counts). Redirects are
   * followed (at most `MAX_REDIRECTS`) only below the configured API base on the same
   * origin (scheme, host, port), the only place the token may go: a renamed or transferred
   * repository answers its old path that way. A redirect anywhere else is an error.
   * `redirected`: the answer came through at least one redirect.
   */
  async get(path: string, ctx: ProviderCallContext, what: string, etag?: string): Promise<HttpAnswer & { redirected: boolean }> {
    const o = this.#options;
    const headers = o.headers(ctx.token);
    if (etag) headers['if-none-match'] = etag;
    let url = `${o.apiUrl}${path}`;
    for (let redirects = 0; ; redirects++) {
      const allowedAt = o.budget?.take(ctx.token, o.clock.now()) ?? null;
      if (allowedAt !== null) throw new RateLimitedError(allowedAt, `the token's hourly request budget is spent until ${new Date(allowedAt).toISOString()}`);
      const answer = await getJson({
        dispatcher: o.dispatcher,
        url,
        headers,
        signal: ctx.signal,
        maxBodyBytes: o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
        what,
      });
      if ((answer.status >= 200 && answer.status < 300) || (etag && answer.status === 304)) return { ...answer, redirected: redirects > 0 };
      const location = REDIRECTS.has(answer.status) ? answer.headers['location'] : undefined;
      if (location === undefined) throw failureFor(answer, o.clock.now(), o.rateLimitHeaders, what);
      if (redirects >= MAX_REDIRECTS) throw new ProviderError(`${what}: more than ${MAX_REDIRECTS} redirects`, answer.status);
      const next = this.#belowApi(location, url)?.href;
      if (!next) throw new ProviderError(`${what}: HTTP ${answer.status} redirect leaves the configured API; not followed`, answer.status);
      url = next;
    }
  }

  /**
   * `url` (absolute, or relative to the full URL `from`) when it is below the configured API
   * base on its origin (scheme, host, port) and carries no credentials, else null: the only
   * place the token may go, whoever named the URL (a redirect, a `Link` header, a stored row).
   */
  #belowApi(url: string, from: string): URL | null {
    let target: URL;
    try {
      target = new URL(url, from);
    } catch {
      return null;
    }
    const api = new URL(this.#options.apiUrl);
    const base = api.pathname.replace(/\/+$/, '');
    const below = target.pathname === base || target.pathname.startsWith(`${base}/`);
    return target.origin === api.origin && below && !target.username && !target.password ? target : null;
  }

  /**
   * The path below the API base of a URL an answer pointed to (a `Link` target, absolute or
   * relative to the request at `from`), or null when it leads anywhere else.
   */
  pathBelowApi(url: string, from: string): string | null {
    const target = this.#belowApi(url, `${this.#options.apiUrl}${from}`);
    return target && `${target.pathname.slice(new URL(this.#options.apiUrl).pathname.replace(/\/+$/, '').length)}${target.search}`;
  }

  /**
   * A path kept from an earlier answer (stored with the row, so anyone who can write the
   * table could have changed it), checked like a `Link` target; null when it leads outside.
   */
  storedPathBelowApi(path: string): string | null {
    return path.startsWith('/') ? this.pathBelowApi(`${this.#options.apiUrl}${path}`, '') : null;
  }

  /**
   * A conditional GET: sends the stored ETag and rebuilds the result on 304 (which does not
   * count against GitHub's limit) from the stored compact form, or for a row-backed read from
   * the row's own fields. A stored form that no longer reads (older code, damaged row) is
   * dropped and the resource fetched in full. A row-backed ETag is sent only while the row's
   * fields still have the digest kept with it: a field cut by the size bounds, damaged or
   * rewritten by another service voids it, so the request goes out unconditionally.
   */
  async getCached<T>(path: string, ctx: ProviderCallContext, spec: CachedRead<T>): Promise<T> {
    return (await this.getCachedAnswer(path, ctx, spec)).value;
  }

  /**
   * `getCached`, also telling whether the answer came through a redirect (the resource moved,
   * so a query naming its old place, such as GitHub's `head=owner:branch`, may need asking again).
   */
  async getCachedAnswer<T>(path: string, ctx: ProviderCallContext, spec: CachedRead<T>): Promise<{ value: T; redirected: boolean }> {
    const entry = ctx.cache.get(spec.key);
    const fromRow = spec.row && entry ? rowResult(spec.row, entry.value) : undefined;
    const etag = spec.row && fromRow === undefined ? undefined : entry?.etag;
    let answer = await this.get(path, ctx, spec.what, etag);
    if (answer.status === 304) {
      // Only sent with an ETag, so a row-backed read has its result from the row here.
      if (fromRow !== undefined) return { value: fromRow, redirected: answer.redirected };
      const cached = spec.row ? { ok: false as const } : readCached(spec, entry?.value);
      if (cached.ok) return { value: cached.value, redirected: answer.redirected };
      answer = await this.get(path, ctx, spec.what);
    }
    const compact = spec.compact(answer);
    const value = spec.read(compact);
    const newEtag = answer.headers['etag'];
    if (newEtag) ctx.cache.set(spec.key, { etag: newEtag, value: spec.row ? { d: rowDigest(spec.row.stored(value)) } : compact });
    return { value, redirected: answer.redirected };
  }
}

function readCached<T>(spec: CachedRead<T>, value: unknown): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: spec.read(value) };
  } catch (err) {
    if (err instanceof ProviderError) return { ok: false };
    throw err;
  }
}

/** The row's result when the cached entry is a digest the row's fields still match. */
function rowResult<T>(row: RowBackedRead<T>, cached: unknown): T | undefined {
  const digest = typeof cached === 'object' && cached !== null ? (cached as { d?: unknown }).d : undefined;
  if (typeof digest !== 'string') return undefined;
  const value = row.read();
  return value !== undefined && rowDigest(row.stored(value)) === digest ? value : undefined;
}

/**
 * 16 base64url characters (96 bits) of SHA-256 over the fields in key order: tells a row
 * still holding what an answer said from one whose fields were cut or changed since.
 */
export function rowDigest(fields: unknown): string {
  return createHash('sha256').update(canonicalJson(fields)).digest('base64url').slice(0, 16);
}
