import { JsonReader } from './http/json-reader.ts';

/** The review fields of a status, as each provider derives them. */
export interface ReviewSummary {
  changesRequested: boolean;
  approved: boolean;
  reviewerCount: number;
}

/** Reads a summary kept in the conditional cache. */
export function readReviewSummary(value: unknown): ReviewSummary {
  const s = JsonReader.object(value, 'cached review summary');
  return {
    changesRequested: s.boolean('changesRequested'),
    approved: s.boolean('approved'),
    reviewerCount: s.number('reviewerCount'),
  };
}
