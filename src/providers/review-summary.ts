/** The review fields of a status, as each provider derives them. */
export interface ReviewSummary {
  changesRequested: boolean;
  approved: boolean;
  reviewerCount: number;
}
