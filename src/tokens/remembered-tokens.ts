import type { Clock } from '../domain/clock.ts';
import type { GitProvider, RepoRef } from '../providers/provider.ts';
import { tokenScope, type ResolvedToken, type TokenResolver } from './token-resolver.ts';

/** `TOKEN_MEMORY_MS`: how long a container uses a personal token it read before reading it again. @default 5 min */
export const DEFAULT_TOKEN_MEMORY_MS = 5 * 60_000;

interface Held {
  token: ResolvedToken;
  readAt: number;
  /** The last resolve answered from memory (not from a read of the table). */
  recalled: boolean;
}

/**
 * A container's memory of the personal tokens it read, each used for `memoryMs` before the
 * tokens table is read again: the loop checks an owner's rows minutes apart, mostly in
 * different batches, and paid a table read for nearly every check. What it costs:
 * - a token replaced or removed in the table is still used for up to `memoryMs` (a revoked
 *   one answers 401: `refused` forgets it and the row is refreshed again with what the table
 *   holds now);
 * - a rate limit another container recorded is seen up to `memoryMs` late (the host's own
 *   answer records it here at once, so each container spends at most one request on it).
 * Only tokens are remembered: an owner without one is read again every time (linking a token
 * makes the owner's rows due, and they must find it). A token past its `expiresAt` is never used.
 */
export class RememberedTokens implements TokenResolver {
  readonly #inner: TokenResolver;
  readonly #clock: Clock;
  readonly #memoryMs: number;
  readonly #held = new Map<string, Held>();

  constructor(inner: TokenResolver, clock: Clock, memoryMs: number) {
    this.#inner = inner;
    this.#clock = clock;
    this.#memoryMs = memoryMs;
  }

  scope(ownerId: string, provider: GitProvider, repo: RepoRef): string {
    return tokenScope(this.#inner, ownerId, provider, repo);
  }

  async resolve(ownerId: string, provider: GitProvider, repo: RepoRef): Promise<ResolvedToken> {
    const scope = this.scope(ownerId, provider, repo);
    const now = this.#clock.now();
    const held = this.#held.get(scope);
    if (held && now - held.readAt < this.#memoryMs && !(held.token.expiresAt !== undefined && held.token.expiresAt <= now)) {
      held.recalled = true;
      return withCurrentLimit(held.token, now);
    }
    this.#held.delete(scope);
    const token = await this.#inner.resolve(ownerId, provider, repo);
    if (this.#memoryMs > 0) this.#held.set(scope, { token, readAt: now, recalled: false });
    return token;
  }

  async recordRateLimit(token: ResolvedToken, resetAt: number): Promise<void> {
    for (const held of this.#held.values()) {
      if (held.token.key === token.key) held.token = { ...held.token, rateLimitedUntil: Math.max(held.token.rateLimitedUntil ?? 0, resetAt) };
    }
    await this.#inner.recordRateLimit(token, resetAt);
  }

  /** Forgets the refused token; resolving again may give another when it was answered from memory. */
  async refused(token: ResolvedToken): Promise<boolean> {
    let remembered = false;
    for (const [scope, held] of this.#held) {
      if (held.token.key !== token.key || held.token.value !== token.value) continue;
      this.#held.delete(scope);
      // Read for an earlier batch: the table may hold a replacement by now.
      remembered ||= held.recalled;
    }
    const inner = (await this.#inner.refused?.(token)) ?? false;
    return inner || remembered;
  }
}

/** The held token without a limit that has passed. */
function withCurrentLimit(token: ResolvedToken, now: number): ResolvedToken {
  if (token.rateLimitedUntil === undefined || token.rateLimitedUntil > now) return token;
  const { rateLimitedUntil: _passed, ...rest } = token;
  return rest;
}
