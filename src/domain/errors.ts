/**
 * Every `RefreshError.kind`: stored on the row (`lastErrorKind`), used in metrics and mapped to
 * an outcome in `src/cadence/outcomes.ts` (a new kind fails the type check until it is mapped).
 */
export type RefreshErrorKind =
  | 'no_token'
  | 'no_provider'
  | 'invalid_row'
  | 'rate_limited'
  | 'skipped_rate_limit'
  | 'provider_error'
  | 'auth_error'
  | 'deadline_exceeded'
  | 'slow_host'
  | 'item_too_large'
  | 'unexpected';

/**
 * Why a row could not be refreshed. Each failure is its own class so the cadence and the
 * operators' `lastErrorKind` never depend on message text.
 */
export abstract class RefreshError extends Error {
  /** Stable identifier stored on the row (`lastErrorKind`) and used in metrics. */
  abstract readonly kind: RefreshErrorKind;
}

export class NoTokenError extends RefreshError {
  readonly kind = 'no_token';
  constructor(message = 'no git token is linked for this owner and provider') {
    super(message);
    this.name = 'NoTokenError';
  }
}

export class NoProviderError extends RefreshError {
  readonly kind = 'no_provider';
  constructor(message = 'no configured git provider serves this origin') {
    super(message);
    this.name = 'NoProviderError';
  }
}

/** The row's origin, branch or PR url cannot be understood. Retrying will not help soon. */
export class InvalidRowError extends RefreshError {
  readonly kind = 'invalid_row';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRowError';
  }
}

export class RateLimitedError extends RefreshError {
  readonly kind: 'rate_limited' | 'skipped_rate_limit' = 'rate_limited';
  /** Epoch ms at which the provider says the limit resets. */
  readonly resetAt: number;
  constructor(resetAt: number, message = `rate limited until ${new Date(resetAt).toISOString()}`) {
    super(message);
    this.name = 'RateLimitedError';
    this.resetAt = resetAt;
  }
}

/** Not attempted because another request with the same token hit its rate limit. */
export class SkippedByRateLimit extends RateLimitedError {
  override readonly kind = 'skipped_rate_limit';
  constructor(resetAt: number) {
    super(resetAt, `skipped due to rate limit until ${new Date(resetAt).toISOString()}`);
    this.name = 'SkippedByRateLimit';
  }
}

export class ProviderError extends RefreshError {
  readonly kind = 'provider_error';
  /** HTTP status of the failing answer, when there was one. */
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderError';
    this.status = status;
  }
}

/** The token was refused (401, or 403 that is not a rate limit). */
export class AuthError extends RefreshError {
  readonly kind = 'auth_error';
  readonly status: number;
  constructor(status: number, message = `the provider refused the token (HTTP ${status})`) {
    super(message);
    this.name = 'AuthError';
    this.status = status;
  }
}

export class DeadlineExceeded extends RefreshError {
  readonly kind = 'deadline_exceeded';
  /**
   * True when the row's own requests were still running at the deadline (a slow host may be
   * the cause, so repeats back off); false when its turn never came (nothing to blame).
   */
  readonly inFlight: boolean;
  constructor(options: { inFlight?: boolean } = {}) {
    super(options.inFlight ? 'the tick deadline passed while this row was being refreshed' : 'the tick deadline passed before this row was refreshed');
    this.name = 'DeadlineExceeded';
    this.inFlight = options.inFlight ?? false;
  }
}

/** The row's requests took longer than its time share of the tick: the host answers too slowly. */
export class SlowHostError extends RefreshError {
  readonly kind = 'slow_host';
  constructor(shareMs: number) {
    super(`the host did not answer within this row's time share of the tick (${shareMs} ms)`);
    this.name = 'SlowHostError';
  }
}

/** DynamoDB refused the write-back because the item would exceed its size limit (400 KB). */
export class ItemTooLargeError extends RefreshError {
  readonly kind = 'item_too_large';
  constructor(message = 'the refreshed row would exceed DynamoDB\'s 400 KB item limit; its cache and PR fields were not written') {
    super(message);
    this.name = 'ItemTooLargeError';
  }
}

/** Anything unexpected, wrapped so it still carries a kind. */
export class UnexpectedError extends RefreshError {
  readonly kind = 'unexpected';
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'UnexpectedError';
  }
}

export function asRefreshError(err: unknown): RefreshError {
  return err instanceof RefreshError ? err : new UnexpectedError(err);
}

/** One line for logs: the error's class and message, never its properties (which may hold secrets). */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
