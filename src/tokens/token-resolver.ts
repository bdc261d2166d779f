import type { GitProvider, RepoRef } from '../providers/provider.ts';

export interface ResolvedToken {
  /** The secret itself: never log, store or put it in an error. */
  value: string;
  /** Opaque, non-secret identity of the token (owner + host, or the App installation) for limits and bookkeeping. */
  key: string;
  /** Epoch ms until which the provider said this token is rate limited, if known. */
  rateLimitedUntil?: number;
  /** Epoch ms at which the token stops being usable, if it has an end. */
  expiresAt?: number;
}

/**
 * Finds the git token a row is refreshed with: the token its owner linked for the provider,
 * or (see `app-token-resolver.ts`) a GitHub App's installation token for the repository's
 * account. Throws `NoTokenError` when there is none, it is empty or it has expired.
 */
export interface TokenResolver {
  resolve(ownerId: string, provider: GitProvider, repo: RepoRef): Promise<ResolvedToken>;
  /**
   * What `resolve`'s answer depends on, as a string: rows with the same scope share one
   * look-up per batch. Default: the owner and the host (a personal token).
   */
  scope?(ownerId: string, provider: GitProvider, repo: RepoRef): string;
  /** Remembers, for every container, that the token is limited until `resetAt`. */
  recordRateLimit(token: ResolvedToken, resetAt: number): Promise<void>;
  /**
   * Forgets a token the host refused (401). True when resolving again may give another (an App
   * installation token is minted anew, or the owner's own token used once the App is gone);
   * false when it cannot (a personal token is what it is). Absent: never.
   */
  refused?(token: ResolvedToken): Promise<boolean>;
}

/** `resolver`'s look-up scope for a row: its own, or the default (the owner and the host). */
export function tokenScope(resolver: TokenResolver, ownerId: string, provider: GitProvider, repo: RepoRef): string {
  return resolver.scope?.(ownerId, provider, repo) ?? JSON.stringify([ownerId, provider.host]);
}
