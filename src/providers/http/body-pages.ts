import { ProviderError } from '../../domain/errors.ts';
import type { ProviderCallContext } from '../provider.ts';
import type { ApiClient } from './api-client.ts';

/** A list whose pages name the next one in their body (Bitbucket's `next` URL, `nextPageStart`). */
export interface BodyPagedRead {
  what: string;
  /** Pages read at most; a longer list is reported through `ctx.truncated`. */
  maxPages: number;
  /** Where the page after this one is (absolute, or relative to the page's own URL), or null on the last page. */
  next(body: unknown): string | null;
  /** Hears each page's body, in order. */
  page(body: unknown): void;
}

/**
 * Reads up to `maxPages` pages, each named by the one before. A next page outside the
 * configured API is an error (the token goes nowhere else); a list longer than the cap is
 * read in part and reported, never cut silently.
 */
export async function readBodyPages(api: ApiClient, firstPath: string, ctx: ProviderCallContext, spec: BodyPagedRead): Promise<void> {
  let path = firstPath;
  for (let n = 1; ; n++) {
    const { body } = await api.get(path, ctx, spec.what);
    spec.page(body);
    const next = spec.next(body);
    if (next === null) return;
    if (n >= spec.maxPages) {
      ctx.truncated({ what: spec.what, pages: n });
      return;
    }
    const below = api.pathBelowApi(next, path);
    if (below === null) throw new ProviderError(`${spec.what}: the next page is outside the API`);
    path = below;
  }
}
