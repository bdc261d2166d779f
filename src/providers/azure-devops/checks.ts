import { verdictIn, type CheckReport, type Mergeability, type VerdictTable } from '../../domain/checks.ts';
import { JsonReader, readArray } from '../http/json-reader.ts';

const WHAT = 'Azure DevOps pull request statuses';

/** Pull-request status states (`GitStatusState`): `error` fails like `failed`; `notSet`, `notApplicable` and others are neutral. */
export const PULL_REQUEST_STATUS_VERDICTS: VerdictTable = { succeeded: 'passed', failed: 'failed', error: 'failed', pending: 'pending' };

/**
 * The reports of `GET .../pullRequests/{id}/statuses` (`{ count, value }`, not paged). A
 * status is updated by posting a new one with the same context (`genre` and `name`), so the
 * context is the key, shown as `genre/name`, and the larger `id` is the later report.
 */
export function pullRequestStatusReports(body: unknown): CheckReport[] {
  return readArray(JsonReader.object(body, WHAT).field('value'), WHAT).map((entry, i) => {
    const status = JsonReader.object(entry, WHAT, `value.${i}`);
    const context = status.object('context');
    const genre = context.optionalString('genre');
    const name = genre ? `${genre}/${context.string('name')}` : context.string('name');
    return { key: name, name, verdict: verdictIn(PULL_REQUEST_STATUS_VERDICTS, status.optionalString('state') ?? 'notSet'), order: status.number('id') };
  });
}

/**
 * An active PR's `mergeStatus`: `succeeded` is clean (the merge commit computes; branch
 * policies are Azure's own business and not read), `conflicts`, `rejectedByPolicy` (a
 * policy refuses the merge) and `failure` (the merge failed for another reason) are blocked
 * or conflicts; `queued`, `notSet` or absent is Azure still computing: `unknown`.
 */
export function mergeStatusMergeability(mergeStatus: string | undefined): Mergeability {
  switch (mergeStatus) {
    case 'succeeded':
      return 'clean';
    case 'conflicts':
      return 'conflicts';
    case 'rejectedByPolicy':
    case 'failure':
      return 'blocked';
    default:
      return 'unknown';
  }
}
