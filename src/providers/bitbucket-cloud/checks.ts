import type { CheckReport, CheckVerdict } from '../../domain/checks.ts';
import { JsonReader } from '../http/json-reader.ts';
import { pageValues } from '../http/values-page.ts';

const WHAT = 'Bitbucket Cloud commit statuses';

/**
 * A commit status's verdict. `STOPPED` (a build someone stopped) fails the PR's checks, as a
 * cancelled GitHub run does: the commit was not shown to pass. A state gitsync does not know
 * is neutral: it neither fails nor passes the PR.
 */
export function commitStatusVerdict(state: string): CheckVerdict {
  switch (state) {
    case 'SUCCESSFUL':
      return 'passed';
    case 'FAILED':
    case 'STOPPED':
      return 'failed';
    case 'INPROGRESS':
      return 'pending';
    default:
      return 'neutral';
  }
}

/**
 * The reports on one page of `GET .../commit/{sha}/statuses`: each status is its `key`'s
 * (posting the same key again overwrites it), shown by its `name` (or key), placed in time
 * by `updated_on`.
 */
export function commitStatusReports(body: unknown): CheckReport[] {
  return pageValues(body, WHAT).map((entry, i) => {
    const status = JsonReader.object(entry, WHAT, `values.${i}`);
    const key = status.string('key');
    const updated = Date.parse(status.optionalString('updated_on') ?? '');
    return { key, name: status.optionalString('name') || key, verdict: commitStatusVerdict(status.string('state')), order: Number.isNaN(updated) ? 0 : updated };
  });
}

/**
 * Diffstat `status` values of a PR's merge that mean a conflict (Bitbucket lists them per
 * file). Bitbucket Cloud's API has no merge check of its own: these are all it tells of a
 * PR's mergeability.
 */
const CONFLICT_STATUSES: ReadonlySet<string> = new Set(['merge conflict', 'rename conflict', 'rename/delete conflict', 'subrepo conflict', 'local deleted', 'remote deleted']);

export function isConflictStatus(status: string | undefined): boolean {
  return status !== undefined && CONFLICT_STATUSES.has(status);
}
