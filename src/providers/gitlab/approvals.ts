import type { ReviewSummary } from '../review-summary.ts';
import type { Reviewer } from './reviewers.ts';

export interface Approvals {
  /** GitLab's flag: also true when no approval is required at all. */
  approved: boolean;
  approvedBy: readonly string[];
}

/**
 * GitLab's `approved` alone would call every MR of a project without approval rules
 * approved; here approved means someone approved and nothing is left to approve, and no
 * reviewer requests changes. `reviewers` are those with a decisive state, or null when the
 * server has no reviewers endpoint (then nobody can be seen requesting changes). The count
 * is everyone who decided: approvers and decisive reviewers.
 */
export function summarizeApprovals(approvals: Approvals, reviewers: readonly Reviewer[] | null): ReviewSummary {
  const approvers = new Set(approvals.approvedBy);
  const changesRequested = reviewers?.some((r) => r.state === 'requested_changes') ?? false;
  const decided = new Set([...approvers, ...(reviewers ?? []).map((r) => r.reviewer)]);
  return {
    changesRequested,
    approved: !changesRequested && approvals.approved && approvers.size > 0,
    reviewerCount: decided.size,
  };
}
