import type { ReviewSummary } from '../review-summary.ts';

/** One submitted review, in the order GitHub lists them (oldest first). */
export interface Review {
  reviewer: string;
  state: string;
}


const DECISIVE = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

/**
 * Per reviewer, only the latest decisive review counts (comments do not undo an approval).
 * Changes requested when any latest says so; approved when any latest approves and none
 * requests changes; the count is the reviewers with a decisive latest review.
 */
export function summarizeReviews(reviews: readonly Review[]): ReviewSummary {
  const latest = new Map<string, string>();
  for (const review of reviews) {
    if (DECISIVE.has(review.state)) latest.set(review.reviewer, review.state);
  }
  const states = [...latest.values()];
  const changesRequested = states.includes('CHANGES_REQUESTED');
  return {
    changesRequested,
    approved: !changesRequested && states.includes('APPROVED'),
    reviewerCount: latest.size,
  };
}
