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
  /**
   * Which pages of a longer list are read: the first ones, or page 1 and the newest ones
   * (for lists oldest first whose latest entries decide, like GitHub's reviews).
   */
  beyondCap: 'first' | 'newest';
  /** A page's items from its body; absent: the body is the array (GitHub's lists, but not its check runs). */
  items?(body: unknown): unknown[];
  /** The part of one page's items needed later (stored with its ETag): keep it small. */
  compact(items: unknown[]): unknown;
  /** One page's result from its compact form, fresh or cached; throws `ProviderError` on a bad shape. */
  read(compact: unknown): T;
}

interface PageRead<T> {
  value: T;
  /** The next page: the `Link` header's, the stored one, or a probe after a full page. */
  next: string | null;
  /** False when `next` is only that probe. */
  linked: boolean;
  /** The last page named by the `Link` header (or stored with the page). */
  last: string | null;
  /** Items on the page (stored with it for 304s). */
  count: number;
  /** Read in full now, not rebuilt from a 304. */
  fresh: boolean;
}

/**
 * Reads a list page by page, following the `Link` header's `rel="next"`, each page a
 * conditional request, so an unchanged list costs only 304s. The stored form of a page keeps
 * its `next` and `last` paths: a 304 need not repeat the header. A full last page may have
 * been followed by a new page that its own 304 cannot show, so the page after it is asked too.
 */
export async function readPages<T>(api: ApiClient, firstPath: string, ctx: ProviderCallContext, spec: PagedRead<T>): Promise<T[]> {
  let page = await readPage(api, firstPath, 1, ctx, spec);
  const lastNumber = page.last === null ? null : pageNumber(page.last);
  if (spec.beyondCap === 'newest' && page.last !== null && lastNumber !== null && lastNumber > spec.maxPages) {
    ctx.truncated({ what: spec.what, pages: spec.maxPages });
    return [page.value, ...(await readNewest(api, page.last, lastNumber, ctx, spec))];
  }
  const values = [page.value];
  for (let n = 2; page.next !== null; n++) {
    if (n > spec.maxPages) {
      // A probe past the cap is still asked, so a list that grows past the cap is never cut silently.
      const past = page.linked ? null : await readPage(api, page.next, n, ctx, spec);
      if (past) values.push(past.value);
      if (!past || past.count > 0) {
        ctx.truncated({ what: spec.what, pages: spec.maxPages });
        // Page 1 named an older last page (its 304 says nothing new): from the next refresh on, the newest pages are read.
        if (spec.beyondCap === 'newest') moveLastPage(ctx, spec.key, (past ?? page).last ?? page.next);
      }
      break;
    }
    page = await readPage(api, page.next, n, ctx, spec);
    values.push(page.value);
  }
  return values;
}

/**
 * The newest `maxPages - 1` pages, up to the last page page 1 named, then the page after
 * them when there is one (a page that appeared since; it moves the stored last page on, so
 * the next refresh reads the newest pages again).
 */
async function readNewest<T>(api: ApiClient, lastPath: string, lastNumber: number, ctx: ProviderCallContext, spec: PagedRead<T>): Promise<T[]> {
  const values: T[] = [];
  let page: PageRead<T> | undefined;
  for (let n = lastNumber - spec.maxPages + 2; n <= lastNumber; n++) {
    page = await readPage(api, withPage(lastPath, n), n, ctx, spec);
    values.push(page.value);
  }
  if (page?.next) {
    const after = await readPage(api, page.next, lastNumber + 1, ctx, spec);
    values.push(after.value);
    if (after.fresh && after.count > 0) moveLastPage(ctx, spec.key, after.last ?? page.next);
  }
  return values;
}

async function readPage<T>(api: ApiClient, path: string, n: number, ctx: ProviderCallContext, spec: PagedRead<T>): Promise<PageRead<T>> {
  const key = n === 1 ? spec.key : `${spec.key}${n}`;
  const entry = ctx.cache.get(key);
  let answer = await api.get(path, ctx, spec.what, entry?.etag);
  if (answer.status === 304) {
    const stored = readStored(api, entry?.value, spec);
    if (stored) {
      const links = linkPaths(api, path, answer, spec.what);
      const last = links.last ?? stored.last;
      const next = links.next ?? stored.next;
      const { value, count } = stored;
      if (next !== null) return { value, next, linked: true, last, count, fresh: false };
      return { value, next: count >= spec.perPage ? withPage(path, n + 1) : null, linked: false, last, count, fresh: false };
    }
    answer = await api.get(path, ctx, spec.what);
  }
  const items = spec.items ? spec.items(answer.body) : readArray(answer.body, spec.what);
  const compact = spec.compact(items);
  const value = spec.read(compact);
  const { next, last } = linkPaths(api, path, answer, spec.what);
  const etag = answer.headers['etag'];
  if (etag) {
    ctx.cache.set(key, { etag, value: { page: compact, count: items.length, ...(next !== null ? { next } : {}), ...(last !== null ? { last } : {}) } });
  }
  return { value, next, linked: true, last, count: items.length, fresh: true };
}

/** Page 1 keeps naming the last page it named when the list grew past it: the newest page is now `last`. */
function moveLastPage(ctx: ProviderCallContext, key: string, last: string): void {
  const entry = ctx.cache.get(key);
  if (entry && typeof entry.value === 'object' && entry.value !== null) ctx.cache.set(key, { etag: entry.etag, value: { ...entry.value, last } });
}

/** The `next` and `last` targets of the answer's `Link` header, as paths below the API. */
function linkPaths(api: ApiClient, path: string, answer: HttpAnswer, what: string): { next: string | null; last: string | null } {
  const targets = linkTargets(answer.headers['link']);
  const below = (rel: string) => {
    const target = targets.get(rel);
    if (target === undefined) return null;
    const found = api.pathBelowApi(target, path);
    if (found === null) throw new ProviderError(`${what}: the Link header's ${rel} page is outside the API`);
    return found;
  };
  return { next: below('next'), last: below('last') };
}

/**
 * A stored page, or null when it no longer reads (older code, a damaged row, a path that
 * leads outside the API): then it is fetched in full.
 */
function readStored<T>(api: ApiClient, value: unknown, spec: PagedRead<T>): { value: T; next: string | null; last: string | null; count: number } | null {
  try {
    const stored = JsonReader.object(value, `cached ${spec.what}`);
    const path = (name: string) => {
      const text = stored.optionalString(name);
      if (text === undefined) return null;
      const checked = api.storedPathBelowApi(text);
      if (checked === null) throw new ProviderError(`cached ${spec.what}: ${name} page is outside the API`);
      return checked;
    };
    return { value: spec.read(stored.field('page')), next: path('next'), last: path('last'), count: stored.number('count') };
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

/** The `page` query parameter of a path, or null when it has none that reads. */
function pageNumber(path: string): number | null {
  const page = new URL(path, 'http://path.invalid').searchParams.get('page');
  return page !== null && /^[1-9]\d{0,8}$/.test(page) ? Number(page) : null;
}
