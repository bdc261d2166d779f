import type { ReviewSummary } from '../review-summary.ts';

export interface Approvals {
  /** GitLab's flag: also true when no approval is required at all. */
  approved: boolean;
  approvedBy: readonly string[];
}

/**
 * GitLab's `approved` alone would call every MR of a project without approval rules
 * approved; here approved means someone approved and nothing is left to approve. REST
 * approvals carry no "changes requested".
 */
export function summarizeApprovals(approvals: Approvals): ReviewSummary {
  const approvers = new Set(approvals.approvedBy);
  return {
    changesRequested: false,
    approved: approvals.approved && approvers.size > 0,
    reviewerCount: approvers.size,
  };
}
