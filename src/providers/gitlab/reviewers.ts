import { JsonReader } from '../http/json-reader.ts';
import { groupByState, readGroupedDecisions, type ReviewDecision } from '../review-summary.ts';

/**
 * A reviewer's state from `GET /projects/:id/merge_requests/:iid/reviewers` (GitLab 15.3+;
 * `requested_changes` since 16.x): `unreviewed`, `review_started`, `reviewed` (comments
 * only), `requested_changes`, `approved`, `unapproved` (an approval taken back).
 */
export type Reviewer = ReviewDecision;

/** States that are a decision, like GitHub's approved / changes requested / dismissed; the rest are not counted. */
const DECISIVE = ['requested_changes', 'approved', 'unapproved'];

/**
 * The reviewers with a decisive state, by state (`{"approved": ["alice"]}`): all the summary
 * needs, kept for 304s. A state GitLab adds later is not a decision until gitsync knows it.
 */
export function compactReviewers(items: readonly unknown[]): Record<string, string[]> {
  const decisive: Reviewer[] = [];
  items.forEach((entry, i) => {
    const reviewer = JsonReader.object(entry, 'GitLab reviewers', String(i));
    const state = reviewer.string('state');
    if (DECISIVE.includes(state)) decisive.push({ reviewer: reviewer.object('user').string('username'), state });
  });
  return groupByState(decisive);
}

export function readReviewers(compact: unknown): Reviewer[] {
  return readGroupedDecisions(compact, DECISIVE, 'cached GitLab reviewers');
}
