import type { ReviewSummary } from '../review-summary.ts';

/** One reviewer's vote on an Azure DevOps pull request (`reviewers[].vote`). */
export interface Vote {
  reviewer: string;
  /** 10 approved, 5 approved with suggestions, 0 no vote, -5 waiting for the author, -10 rejected. */
  vote: number;
  /** A group or team: its vote repeats a member's, who is listed too. */
  isContainer: boolean;
}

/**
 * Approvals are votes 10 and 5; -5 and -10 request changes, which withholds `approved`. The
 * count is the people who voted; a group's vote is a member's vote again, so it decides
 * nothing new and is not counted.
 */
export function summarizeVotes(votes: readonly Vote[]): ReviewSummary {
  const people = votes.filter((v) => !v.isContainer && v.vote !== 0);
  const changesRequested = votes.some((v) => v.vote < 0);
  return {
    changesRequested,
    approved: !changesRequested && votes.some((v) => v.vote > 0),
    reviewerCount: people.length,
  };
}
