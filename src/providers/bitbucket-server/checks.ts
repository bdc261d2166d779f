import type { CheckReport, Mergeability, VerdictTable } from '../../domain/checks.ts';
import { keyedBuildReports } from '../check-reports.ts';
import { JsonReader } from '../http/json-reader.ts';

const BUILDS = 'Bitbucket Data Center build statuses';
const MERGE = 'Bitbucket Data Center merge check';

/**
 * Build status states. `CANCELLED` fails the PR's checks, as a cancelled GitHub run does;
 * `UNKNOWN` and any other state are neutral.
 */
export const BUILD_VERDICTS: VerdictTable = { SUCCESSFUL: 'passed', FAILED: 'failed', CANCELLED: 'failed', INPROGRESS: 'pending' };

/**
 * The reports on one page of `GET {base}/rest/build-status/1.0/commits/{sha}`: a commit built
 * again under the same `key` is listed again, so `dateAdded` (epoch ms) says which is latest.
 */
export function buildReports(body: unknown): CheckReport[] {
  return keyedBuildReports(body, BUILDS, BUILD_VERDICTS, (build) => {
    const added = build.field('dateAdded');
    return typeof added === 'number' && Number.isFinite(added) ? added : 0;
  });
}

/**
 * The build-status API's base: it sits beside the core REST API (`.../rest/api/latest` ->
 * `.../rest/build-status/1.0`); a core API configured elsewhere puts it below the web URL.
 */
export function buildStatusApiUrl(apiUrl: string, webUrl: string): string {
  const core = /\/rest\/api\/(?:latest|1\.0)\/*$/.exec(apiUrl);
  return core ? `${apiUrl.slice(0, core.index)}/rest/build-status/1.0` : `${webUrl}/rest/build-status/1.0`;
}

/**
 * An open PR's merge check (`GET .../pull-requests/{id}/merge`): `conflicted` (or outcome
 * `CONFLICTED`) is conflicts; `canMerge` is clean; a veto (a merge check such as required
 * approvals or builds) is blocked; outcome `UNKNOWN` without a veto is the server still
 * computing the merge (`unknown`, asked again soon). A merge it refuses for no reason it
 * names is blocked too.
 */
export function mergeCheckOutcome(body: unknown): Mergeability {
  const check = JsonReader.object(body, MERGE);
  if (check.optionalBoolean('conflicted') === true || check.optionalString('outcome') === 'CONFLICTED') return 'conflicts';
  if (check.boolean('canMerge')) return 'clean';
  const vetoes = check.field('vetoes');
  if (Array.isArray(vetoes) && vetoes.length > 0) return 'blocked';
  return check.optionalString('outcome') === 'UNKNOWN' ? 'unknown' : 'blocked';
}
