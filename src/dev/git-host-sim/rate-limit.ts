import type { Clock } from '../../domain/clock.ts';

export interface PrimaryLimitOptions {
  /** Requests per window, for every token or per token. Default 5,000. */
  limit?: number | ((token: string) => number);
  /** Default one hour, as GitHub. */
  windowMs?: number;
  /** Status of an exhausted-limit answer. GitHub sends 403 or 429. Default 403. */
  status?: 403 | 429;
  /** `x-ratelimit-resource`. Default `core`. */
  resource?: string;
}

export interface RateLimitState {
  limit: number;
  remaining: number;
  used: number;
  /** Epoch seconds at which the window resets. */
  reset: number;
  resource: string;
}

/**
 * GitHub's primary limit: a fixed window per token that starts with the token's first
 * request after the previous window ended.
 */
export interface PrimaryLimiter {
  readonly status: 403 | 429;
  /** The token's state now, without counting anything. */
  peek(token: string): RateLimitState;
  /** Counts one request and returns the state after it. */
  consume(token: string): RateLimitState;
}

export function createPrimaryLimiter(clock: Clock, options: PrimaryLimitOptions = {}): PrimaryLimiter {
  const windowMs = options.windowMs ?? 3_600_000;
  const limitOf = typeof options.limit === 'function' ? options.limit : () => (options.limit as number | undefined) ?? 5_000;
  const resource = options.resource ?? 'core';
  const windows = new Map<string, { startedAt: number; used: number }>();

  const current = (token: string) => {
    const now = clock.now();
    let w = windows.get(token);
    if (!w || now >= w.startedAt + windowMs) windows.set(token, (w = { startedAt: now, used: 0 }));
    return w;
  };
  const view = (token: string, w: { startedAt: number; used: number }): RateLimitState => {
    const limit = limitOf(token);
    return {
      limit,
      used: w.used,
      remaining: Math.max(0, limit - w.used),
      reset: Math.ceil((w.startedAt + windowMs) / 1000),
      resource,
    };
  };
  return {
    status: options.status ?? 403,
    peek: (token) => view(token, current(token)),
    consume(token) {
      const w = current(token);
      w.used++;
      return view(token, w);
    },
  };
}

export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(state.remaining),
    'x-ratelimit-used': String(state.used),
    'x-ratelimit-reset': String(state.reset),
    'x-ratelimit-resource': state.resource,
  };
}

export interface SecondaryLimitOptions {
  /** Requests per token allowed inside `windowMs` (sliding). */
  maxRequests?: number;
  windowMs?: number;
  /** Requests per token in flight at once. */
  maxConcurrent?: number;
  /** Seconds sent in `retry-after`. Default 60. */
  retryAfterSeconds?: number;
  /** Default 403, as GitHub mostly answers. */
  status?: 403 | 429;
}

/**
 * GitHub's secondary ("abuse") limits: too many requests in a short window or at once.
 * `admit` returns false when the request must be refused; `release` ends an admitted one.
 */
export interface SecondaryLimiter {
  readonly status: 403 | 429;
  readonly retryAfterSeconds: number;
  admit(token: string): boolean;
  release(token: string): void;
}

export function createSecondaryLimiter(clock: Clock, options: SecondaryLimitOptions): SecondaryLimiter {
  const windowMs = options.windowMs ?? 60_000;
  const recent = new Map<string, number[]>();
  const inFlight = new Map<string, number>();
  return {
    status: options.status ?? 403,
    retryAfterSeconds: options.retryAfterSeconds ?? 60,
    admit(token) {
      const now = clock.now();
      const times = (recent.get(token) ?? []).filter((t) => t > now - windowMs);
      recent.set(token, times);
      const running = inFlight.get(token) ?? 0;
      if (options.maxRequests !== undefined && times.length >= options.maxRequests) return false;
      if (options.maxConcurrent !== undefined && running >= options.maxConcurrent) return false;
      times.push(now);
      inFlight.set(token, running + 1);
      return true;
    },
    release(token) {
      inFlight.set(token, Math.max(0, (inFlight.get(token) ?? 0) - 1));
    },
  };
}
