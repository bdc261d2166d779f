import { ProviderError } from '../../domain/errors.ts';
import type { ProviderCallContext } from '../provider.ts';
import type { HttpAnswer } from './answer.ts';
import type { ApiClient } from './api-client.ts';
import { JsonReader, readArray } from './json-reader.ts';
import { linkTargets } from './link-header.ts';

/** How a paginated list is read with conditional requests, one stored ETag per page. */
export interface PagedRead<T> {
  /** Cache key of the first page; page n is kept under `${key}${n}`. */
  key: string;
  what: string;
  /** The `per_page` the first path asks for. */
  perPage: number;
  /** Pages read at most; a longer list is reported through `ctx.truncated`. */
  maxPages: number;
  /** The part of one page's items needed later (stored with its ETag): keep it small. */
  compact(items: unknown[]): unknown;
  /** One page's result from its compact form, fresh or cached; throws `ProviderError` on a bad shape. */
  read(compact: unknown): T;
}

interface PageRead<T> {
  value: T;
  next: string | null;
  /** False when `next` is only a probe for a page that may have appeared after a full last page. */
  linked: boolean;
}

/**
 * Reads a list page by page, following the `Link` header's `rel="next"`, each page a
 * conditional request, so an unchanged list costs only 304s. The stored form of a page keeps
 * its `next` path: a 304 need not repeat the header. A full last page may have been followed
 * by a new page that its own 304 cannot show, so the page after it is asked too.
 */
export async function readPages<T>(api: ApiClient, firstPath: string, ctx: ProviderCallContext, spec: PagedRead<T>): Promise<T[]> {
  const values: T[] = [];
  let next: string | null = firstPath;
  let linked = true;
  for (let n = 1; next !== null; n++) {
    if (n > spec.maxPages) {
      if (linked) ctx.truncated({ what: spec.what, pages: spec.maxPages });
      break;
    }
    const page: PageRead<T> = await readPage(api, next, n, ctx, spec);
    values.push(page.value);
    ({ next, linked } = page);
  }
  return values;
}

async function readPage<T>(api: ApiClient, path: string, n: number, ctx: ProviderCallContext, spec: PagedRead<T>): Promise<PageRead<T>> {
  const key = n === 1 ? spec.key : `${spec.key}${n}`;
  const entry = ctx.cache.get(key);
  let answer = await api.get(path, ctx, spec.what, entry?.etag);
  if (answer.status === 304) {
    const stored = readStored(entry?.value, spec);
    if (stored) {
      const next = nextPath(api, path, answer, spec.what) ?? stored.next;
      if (next !== null) return { value: stored.value, next, linked: true };
      return { value: stored.value, next: stored.full ? withPage(path, n + 1) : null, linked: false };
    }
    answer = await api.get(path, ctx, spec.what);
  }
  const items = readArray(answer.body, spec.what);
  const compact = spec.compact(items);
  const value = spec.read(compact);
  const next = nextPath(api, path, answer, spec.what);
  const etag = answer.headers['etag'];
  if (etag) {
    ctx.cache.set(key, { etag, value: { page: compact, ...(next !== null ? { next } : {}), ...(items.length >= spec.perPage ? { full: true } : {}) } });
  }
  return { value, next, linked: true };
}

function nextPath(api: ApiClient, path: string, answer: HttpAnswer, what: string): string | null {
  const target = linkTargets(answer.headers['link']).get('next');
  if (target === undefined) return null;
  const below = api.pathBelowApi(target, path);
  if (below === null) throw new ProviderError(`${what}: the Link header's next page is outside the API`);
  return below;
}

/** A stored page, or null when it no longer reads (older code, damaged row): then it is fetched in full. */
function readStored<T>(value: unknown, spec: PagedRead<T>): { value: T; next: string | null; full: boolean } | null {
  try {
    const stored = JsonReader.object(value, `cached ${spec.what}`);
    const next = stored.optionalString('next') ?? null;
    return { value: spec.read(stored.field('page')), next, full: stored.optionalBoolean('full') ?? false };
  } catch (err) {
    if (err instanceof ProviderError) return null;
    throw err;
  }
}

function withPage(path: string, page: number): string {
  const url = new URL(path, 'http://path.invalid');
  url.searchParams.set('page', String(page));
  return `${url.pathname}${url.search}`;
}
