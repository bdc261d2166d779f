import { ProviderError } from '../../domain/errors.ts';
import { JsonReader } from '../http/json-reader.ts';
import type { ReviewSummary } from '../review-summary.ts';

/** One submitted review, in the order GitHub lists them (oldest first). */
export interface Review {
  reviewer: string;
  state: string;
}

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
  const byState: Record<string, string[]> = {};
  for (const [reviewer, state] of latest) (byState[state] ??= []).push(reviewer);
  return byState;
}

/** A compact page back as reviews, one per reviewer (their order on the page no longer matters). */
export function readReviewPage(compact: unknown): Review[] {
  const page = JsonReader.object(compact, 'cached GitHub reviews');
  return DECISIVE.flatMap((state) => {
    if (page.field(state) === undefined) return [];
    return page.array(state).map((reviewer) => {
      if (typeof reviewer !== 'string') throw new ProviderError(`unexpected cached GitHub reviews answer: field ${state} should hold logins`);
      return { reviewer, state };
    });
  });
}
