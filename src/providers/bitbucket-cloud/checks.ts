import type { CheckReport, VerdictTable } from '../../domain/checks.ts';
import { keyedBuildReports } from '../check-reports.ts';

/**
 * Commit status states. `STOPPED` (a build someone stopped) fails the PR's checks, as a
 * cancelled GitHub run does: the commit was not shown to pass. Others are neutral.
 */
export const COMMIT_STATUS_VERDICTS: VerdictTable = { SUCCESSFUL: 'passed', FAILED: 'failed', STOPPED: 'failed', INPROGRESS: 'pending' };

/**
 * The reports on one page of `GET .../commit/{sha}/statuses`: each status is its `key`'s
 * (posting the same key again overwrites it), placed in time by `updated_on`.
 */
export function commitStatusReports(body: unknown): CheckReport[] {
  return keyedBuildReports(body, 'Bitbucket Cloud commit statuses', COMMIT_STATUS_VERDICTS, (status) => {
    const updated = Date.parse(status.optionalString('updated_on') ?? '');
    return Number.isNaN(updated) ? 0 : updated;
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
