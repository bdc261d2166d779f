import type { HttpAnswer } from './answer.ts';
import { answerMessage } from './answer.ts';

/** Header names of a provider's primary limit (lower case). */
export interface RateLimitHeaderNames {
  remaining: string;
  /** Epoch seconds at which the limit resets. */
  reset: string;
}

/** GitHub's names, which Bitbucket (both products) and Azure DevOps send as well. */
export const X_RATELIMIT_HEADERS: RateLimitHeaderNames = { remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' };

/** Wait when a limit is signalled without saying until when (GitHub asks for at least a minute). */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/**
 * The longest wait an answer can impose. GitHub's and GitLab's windows are at most an hour; a
 * larger `Retry-After` or reset (a broken proxy, a hostile host) would otherwise park the
 * token and every row polled with it for as long as the header says.
 */
export const MAX_RATE_LIMIT_WAIT_MS = 60 * 60_000;

/**
 * When the answer is a rate limit, the epoch ms at which to try again; otherwise null.
 * Only 403 and 429 can be limits. `Retry-After` wins; then a spent primary limit
 * (remaining 0, until its reset); then a "rate limit" message (secondary limits) or any
 * 429, for at least a minute. A 403 without these signs (bad credentials, no access) is not.
 * Never more than `MAX_RATE_LIMIT_WAIT_MS` ahead.
 */
export function rateLimitResetAt(answer: HttpAnswer, now: number, names: RateLimitHeaderNames): number | null {
  const resetAt = signalledResetAt(answer, now, names);
  return resetAt === null ? null : Math.min(resetAt, now + MAX_RATE_LIMIT_WAIT_MS);
}

function signalledResetAt(answer: HttpAnswer, now: number, names: RateLimitHeaderNames): number | null {
  if (answer.status !== 403 && answer.status !== 429) return null;
  const fallback = now + DEFAULT_RATE_LIMIT_WAIT_MS;
  const retryAfter = retryAfterMs(answer.headers['retry-after'], now);
  if (retryAfter !== null) return now + retryAfter;
  const reset = epochSecondsMs(answer.headers[names.reset]);
  const futureReset = reset !== null && reset > now ? reset : null;
  if (answer.headers[names.remaining]?.trim() === '0') return futureReset ?? fallback;
  if (/rate limit/i.test(answerMessage(answer))) return fallback;
  if (answer.status === 429) return futureReset ?? fallback;
  return null;
}

/** `Retry-After` as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function epochSecondsMs(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value.trim())) return null;
  return Number(value.trim()) * 1000;
}
