import { JsonReader } from '../http/json-reader.ts';
import { groupByState, readGroupedDecisions, type ReviewDecision, type ReviewSummary } from '../review-summary.ts';

/** One submitted review, in the order GitHub lists them (oldest first). */
export type Review = ReviewDecision;

const DECISIVE = ['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'];

/**
 * Per reviewer, only the latest decisive review counts (comments do not undo an approval).
 * Changes requested when any latest says so; approved when any latest approves and none
 * requests changes; the count is the reviewers with a decisive latest review.
 */
export function summarizeReviews(reviews: readonly Review[]): ReviewSummary {
  const latest = new Map<string, string>();
  for (const review of reviews) {
    if (DECISIVE.includes(review.state)) latest.set(review.reviewer, review.state);
  }
  const states = [...latest.values()];
  const changesRequested = states.includes('CHANGES_REQUESTED');
  return {
    changesRequested,
    approved: !changesRequested && states.includes('APPROVED'),
    reviewerCount: latest.size,
  };
}

/**
 * One page of `GET .../reviews` as its reviewers' latest decisive state on that page, by
 * state (`{"APPROVED": ["alice"]}`): all that folding the pages in order needs, and small
 * enough to keep per page for 304s.
 */
export function compactReviewPage(items: readonly unknown[]): Record<string, string[]> {
  const latest = new Map<string, string>();
  for (const item of items) {
    const review = JsonReader.object(item, 'GitHub review');
    const user = review.optionalObject('user');
    const state = review.string('state');
    if (user && DECISIVE.includes(state)) latest.set(user.string('login'), state);
  }
  return groupByState([...latest].map(([reviewer, state]) => ({ reviewer, state })));
}

/** A compact page back as reviews, one per reviewer (their order on the page no longer matters). */
export function readReviewPage(compact: unknown): Review[] {
  return readGroupedDecisions(compact, DECISIVE, 'cached GitHub reviews');
}
