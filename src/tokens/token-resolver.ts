import type { GitProvider } from '../providers/provider.ts';

export interface ResolvedToken {
  /** The secret itself: never log, store or put it in an error. */
  value: string;
  /** Opaque, non-secret identity of the token (owner + host) for limits and bookkeeping. */
  key: string;
  /** Epoch ms until which the provider said this token is rate limited, if known. */
  rateLimitedUntil?: number;
}

/**
 * Finds the git token an owner linked for a provider. Throws `NoTokenError` when there is
 * none, it is empty or it has expired.
 */
export interface TokenResolver {
  resolve(ownerId: string, provider: GitProvider): Promise<ResolvedToken>;
  /** Remembers, for every container, that the token is limited until `resetAt`. */
  recordRateLimit(token: ResolvedToken, resetAt: number): Promise<void>;
}
