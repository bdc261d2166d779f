import { AuthError, ProviderError, RateLimitedError, type RefreshError } from '../../domain/errors.ts';
import { answerMessage, type HttpAnswer } from './answer.ts';
import { rateLimitResetAt, type RateLimitHeaderNames } from './rate-limit.ts';

/** The typed error for a non-2xx answer: rate limit, refused token, or a provider error. */
export function failureFor(answer: HttpAnswer, now: number, names: RateLimitHeaderNames, what: string): RefreshError {
  const resetAt = rateLimitResetAt(answer, now, names);
  if (resetAt !== null) return new RateLimitedError(resetAt);
  if (answer.status === 401 || answer.status === 403) return new AuthError(answer.status);
  const message = answerMessage(answer);
  return new ProviderError(`${what}: HTTP ${answer.status}${message ? ` (${message})` : ''}`, answer.status);
}
