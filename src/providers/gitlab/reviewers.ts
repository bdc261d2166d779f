import { ProviderError } from '../../domain/errors.ts';
import { JsonReader, readArray } from '../http/json-reader.ts';

/**
 * A reviewer's state from `GET /projects/:id/merge_requests/:iid/reviewers` (GitLab 15.3+;
 * `requested_changes` since 16.x): `unreviewed`, `review_started`, `reviewed` (comments
 * only), `requested_changes`, `approved`, `unapproved` (an approval taken back).
 */
export interface Reviewer {
  username: string;
  state: string;
}

/** States that are a decision, like GitHub's approved / changes requested / dismissed; the rest are not counted. */
const DECISIVE = ['requested_changes', 'approved', 'unapproved'];

/**
 * The reviewers with a decisive state, by state (`{"approved": ["alice"]}`): all the summary
 * needs, kept for 304s. A state GitLab adds later is not a decision until gitsync knows it.
 */
export function compactReviewers(body: unknown): Record<string, string[]> {
  const byState: Record<string, string[]> = {};
  readArray(body, 'GitLab reviewers').forEach((entry, i) => {
    const reviewer = JsonReader.object(entry, 'GitLab reviewers', String(i));
    const state = reviewer.string('state');
    if (DECISIVE.includes(state)) (byState[state] ??= []).push(reviewer.object('user').string('username'));
  });
  return byState;
}

export function readReviewers(compact: unknown): Reviewer[] {
  const byState = JsonReader.object(compact, 'cached GitLab reviewers');
  return DECISIVE.flatMap((state) => {
    if (byState.field(state) === undefined) return [];
    return byState.array(state).map((username) => {
      if (typeof username !== 'string') throw new ProviderError(`unexpected cached GitLab reviewers answer: field ${state} should hold usernames`);
      return { username, state };
    });
  });
}
