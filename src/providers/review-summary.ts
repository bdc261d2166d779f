import { ProviderError } from '../domain/errors.ts';
import { JsonReader } from './http/json-reader.ts';

/** The review fields of a status, as each provider derives them. */
export interface ReviewSummary {
  changesRequested: boolean;
  approved: boolean;
  reviewerCount: number;
}

/** One reviewer's review or state, in the provider's own state names. */
export interface ReviewDecision {
  reviewer: string;
  state: string;
}

/** Decisions grouped by state (`{"APPROVED": ["alice"]}`): the small stored form of a review list. */
export function groupByState(decisions: Iterable<ReviewDecision>): Record<string, string[]> {
  const byState: Record<string, string[]> = {};
  for (const { reviewer, state } of decisions) (byState[state] ??= []).push(reviewer);
  return byState;
}

/** Reads `groupByState`'s form back, for the given states; throws `ProviderError` on a bad shape. */
export function readGroupedDecisions(compact: unknown, states: readonly string[], what: string): ReviewDecision[] {
  const byState = JsonReader.object(compact, what);
  return states.flatMap((state) => {
    if (byState.field(state) === undefined) return [];
    return byState.array(state).map((reviewer) => {
      if (typeof reviewer !== 'string') throw new ProviderError(`unexpected ${what} answer: field ${state} should hold names`);
      return { reviewer, state };
    });
  });
}
