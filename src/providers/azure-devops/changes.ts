import { JsonReader, readArray } from '../http/json-reader.ts';

const WHAT = 'Azure DevOps iteration changes';
/** Azure's largest page of changes. */
const MAX_TOP = 2_000;

/** Files in one page of `.../iterations/{id}/changes` (`changeEntries`); folder entries are not files. */
export function changedFileCount(body: unknown): number {
  const entries = readArray(JsonReader.object(body, WHAT).field('changeEntries'), WHAT);
  return entries.filter((entry, i) => JsonReader.object(entry, WHAT, `changeEntries.${i}`).optionalObject('item')?.optionalBoolean('isFolder') !== true).length;
}

/**
 * The next page Azure names (`nextSkip`, `nextTop`; both 0 or absent at the end), or null.
 * A `nextTop` beyond Azure's own largest page reads as `fallbackTop`.
 */
export function nextChangesPage(body: unknown, fallbackTop: number): { skip: number; top: number } | null {
  const page = JsonReader.object(body, WHAT);
  const top = page.field('nextTop');
  const skip = page.field('nextSkip');
  if (typeof top !== 'number' || typeof skip !== 'number' || !Number.isInteger(top) || !Number.isInteger(skip) || top <= 0 || skip <= 0) return null;
  return { skip, top: top <= MAX_TOP ? top : fallbackTop };
}
