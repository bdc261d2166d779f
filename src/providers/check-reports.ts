import { boundCheckName, isCheckVerdict, verdictIn, type CheckReport, type VerdictTable } from '../domain/checks.ts';
import { AuthError, ProviderError } from '../domain/errors.ts';
import { readBodyPages } from './http/body-pages.ts';
import type { ApiClient } from './http/api-client.ts';
import { JsonReader, readArray } from './http/json-reader.ts';
import { pageValues } from './http/values-page.ts';
import type { ProviderCallContext } from './provider.ts';

/** How a host's list of check reports (commit statuses, builds, PR statuses) is paged and read. */
export interface ReportPagesRead {
  /** Cache key of the first page (its ETag and compact reports). */
  key: string;
  what: string;
  /** Pages read at most; a longer list is reported through `ctx.truncated`. */
  maxPages: number;
  /** Where the page after this one is (absolute, or relative to the page's own URL), or null on the last page. */
  next(body: unknown): string | null;
  /** The reports on one page, in the host's terms mapped (names not cut yet). */
  reports(body: unknown): CheckReport[];
}

/** A report as kept in the row's cache: small, its name already cut. */
type StoredReport = [key: string, name: string, verdict: CheckReport['verdict'], order: number];

/**
 * Every report of a check list. The first page is a conditional request kept in the row's
 * cache (its reports and the next page's path), so an unchanged list of one page (nearly
 * every commit's) costs a 304; later pages are read in full. Keys and names are cut to the
 * length a stored name may have, so the cache stays small whatever the host sends.
 */
export async function readReportPages(api: ApiClient, firstPath: string, ctx: ProviderCallContext, spec: ReportPagesRead): Promise<CheckReport[]> {
  const first = await api.getCached(firstPath, ctx, {
    key: spec.key,
    what: spec.what,
    compact: (answer) => ({ r: spec.reports(answer.body).map(storedReport), n: nextPath(api, firstPath, spec.next(answer.body), spec.what) }),
    read: (compact) => readStoredPage(api, compact, spec.what),
  });
  const reports = [...first.reports];
  if (first.next === null) return reports;
  if (spec.maxPages <= 1) {
    ctx.truncated({ what: spec.what, pages: 1 });
    return reports;
  }
  await readBodyPages(api, first.next, ctx, {
    what: spec.what,
    maxPages: spec.maxPages - 1,
    next: spec.next,
    page: (body) => reports.push(...spec.reports(body).map(storedReport).map(reportOf)),
  });
  return reports;
}

function storedReport(report: CheckReport): StoredReport {
  return [boundCheckName(report.key), boundCheckName(report.name), report.verdict, report.order];
}

function reportOf([key, name, verdict, order]: StoredReport): CheckReport {
  return { key, name, verdict, order };
}

/** The next page as a path below the API, or null; a next page anywhere else is an error. */
function nextPath(api: ApiClient, from: string, next: string | null, what: string): string | null {
  if (next === null) return null;
  const below = api.pathBelowApi(next, from);
  if (below === null) throw new ProviderError(`${what}: the next page is outside the API`);
  return below;
}

/** A stored first page; a damaged one (or a next path leading outside the API) throws `ProviderError`, so it is fetched again. */
function readStoredPage(api: ApiClient, compact: unknown, what: string): { reports: CheckReport[]; next: string | null } {
  const page = JsonReader.object(compact, `cached ${what}`);
  const reports = readArray(page.field('r'), `cached ${what}`).map((entry) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string' || !isCheckVerdict(entry[2]) || typeof entry[3] !== 'number') {
      throw new ProviderError(`unexpected cached ${what} answer: an entry should be [key, name, verdict, order]`);
    }
    return reportOf(entry as StoredReport);
  });
  const next = page.field('n');
  if (next === null) return { reports, next: null };
  const checked = typeof next === 'string' ? api.storedPathBelowApi(next) : null;
  if (checked === null) throw new ProviderError(`cached ${what}: the next page is outside the API`);
  return { reports, next: checked };
}

/**
 * A checks read that a token may not make (403: a scope without build or status reading) or
 * that names a commit the host does not know (404) leaves the checks unknown (undefined)
 * instead of failing the whole row; every other failure is the row's.
 */
export async function unlessRefused<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if ((err instanceof AuthError && err.status === 403) || (err instanceof ProviderError && err.status === 404)) return undefined;
    throw err;
  }
}

/**
 * The reports on one page of a Bitbucket list of keyed builds (`values[]` with `key`, `name`,
 * `state`; Cloud's commit statuses, Data Center's build statuses): shown by the name, else the
 * key; placed in time by `order` (each product dates them its own way).
 */
export function keyedBuildReports(body: unknown, what: string, verdicts: VerdictTable, order: (entry: JsonReader) => number): CheckReport[] {
  return pageValues(body, what).map((value, i) => {
    const entry = JsonReader.object(value, what, `values.${i}`);
    const key = entry.string('key');
    return { key, name: entry.optionalString('name') || key, verdict: verdictIn(verdicts, entry.string('state')), order: order(entry) };
  });
}
