import { ProviderError } from '../../domain/errors.ts';
import { JsonReader } from './json-reader.ts';

/** The `values` of a paged answer (Bitbucket Cloud and Data Center both page this way). */
export function pageValues(body: unknown, what: string): unknown[] {
  return JsonReader.object(body, what).array('values');
}

/** The `id` of a paged search answer's first entry, or null when it has none: the compact form of a search. */
export function firstValueId(body: unknown, what: string): number | null {
  const first = pageValues(body, what)[0];
  return first === undefined ? null : JsonReader.object(first, what, 'values.0').number('id');
}

/** `firstValueId`'s compact form read back. */
export function readCachedId(compact: unknown, what: string): number | null {
  if (compact === null || (typeof compact === 'number' && Number.isInteger(compact))) return compact;
  throw new ProviderError(`unexpected cached ${what} answer: should be an id or null`);
}
