import type { HttpAgent } from '../../http/agent.ts';
import type { Clock } from '../../../domain/clock.ts';
import { AuthError, ProviderError } from '../../../domain/errors.ts';
import { answerMessage, type HttpAnswer } from '../../http/answer.ts';
import { failureFor } from '../../http/failure.ts';
import { getJson } from '../../http/json-get.ts';
import type { RateLimitHeaderNames } from '../../http/rate-limit.ts';
import { appJwt } from './app-jwt.ts';
import type { AppKeySource } from './app-key-source.ts';

/** What gitsync reads with an installation token, and nothing more. */
export const INSTALLATION_PERMISSIONS: Readonly<Record<string, 'read'>> = { pull_requests: 'read', metadata: 'read' };

/** One attempt at a webhook delivery, as the App's delivery log lists it. */
export interface HookDelivery {
  id: number;
  /** The same for every attempt at one event. */
  guid: string;
  /** Epoch ms. */
  deliveredAt: number;
  /** The receiver's HTTP status; 0 when it could not be reached. */
  statusCode: number;
  redelivery: boolean;
}

/** An installation access token as GitHub minted it. Its length is not fixed: nothing may assume one. */
export interface MintedToken {
  token: string;
  /** Epoch ms of `expires_at`, on this process's clock (GitHub's may be ahead). */
  expiresAt: number;
}

export interface AppClientOptions {
  apiUrl: string;
  appId: string;
  /** The App's key, read once per container (`System.start` reads it before the first tick). */
  key: AppKeySource;
  dispatcher: HttpAgent;
  clock: Clock;
  rateLimitHeaders: RateLimitHeaderNames;
}

const MAX_BODY_BYTES = 256 * 1024;

/**
 * The App's own calls, authenticated with its JWT: which installation covers a repository,
 * and minting that installation's tokens. A JWT refused because GitHub's clock disagrees with
 * ours is signed again once with the skew read from GitHub's `Date` header.
 */
export class GitHubAppClient {
  readonly #o: AppClientOptions;
  /** Seconds GitHub's clock is ahead of ours, as last learned. */
  #skewS = 0;

  constructor(options: AppClientOptions) {
    this.#o = options;
  }

  /** The installation id covering `owner/repo`, or null when the App is not installed there (404). */
  async installationFor(owner: string, repo: string, signal: AbortSignal): Promise<number | null> {
    const path = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/installation`;
    const answer = await this.#call('GET', path, undefined, signal, 'GitHub App installation');
    if (answer.status === 404) return null;
    const id = (answer.body as { id?: unknown } | null)?.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) throw new ProviderError('GitHub App installation: answer has no numeric id');
    return id;
  }

  /** A new installation token with gitsync's read permissions; null when the installation is gone (404). */
  async mint(installationId: number, signal: AbortSignal): Promise<MintedToken | null> {
    const path = `/app/installations/${installationId}/access_tokens`;
    const answer = await this.#call('POST', path, JSON.stringify({ permissions: INSTALLATION_PERMISSIONS }), signal, 'GitHub App token');
    if (answer.status === 404) return null;
    const { token, expires_at: expires } = (answer.body ?? {}) as { token?: unknown; expires_at?: unknown };
    const expiresAt = typeof expires === 'string' ? Date.parse(expires) : Number.NaN;
    if (typeof token !== 'string' || token.length < 8 || /\s/.test(token) || !Number.isFinite(expiresAt)) {
      throw new ProviderError('GitHub App token: answer has no usable token and expires_at');
    }
    // `expires_at` is on GitHub's clock: when it is ahead of ours (its `Date` header says so),
    // the token expires that much earlier on ours. Behind, it is left as is (an early mint).
    const githubNow = Date.parse(answer.headers['date'] ?? '');
    const ahead = Number.isFinite(githubNow) ? Math.max(0, githubNow - this.#o.clock.now()) : 0;
    return { token, expiresAt: expiresAt - ahead };
  }

  /**
   * One page of the App's webhook deliveries, newest first (`GET /app/hook/deliveries`,
   * cursor paging through `Link`), and the next page's cursor when there is one.
   */
  async deliveries(cursor: string | undefined, signal: AbortSignal): Promise<{ deliveries: HookDelivery[]; next?: string }> {
    const query = `per_page=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const answer = await this.#call('GET', `/app/hook/deliveries?${query}`, undefined, signal, 'GitHub App deliveries');
    if (answer.status === 404) throw new ProviderError('GitHub App deliveries: HTTP 404 (the App has no webhook)', 404);
    if (!Array.isArray(answer.body)) throw new ProviderError('GitHub App deliveries: answer is not a list');
    const deliveries = answer.body.flatMap((d: unknown) => {
      const { id, guid, delivered_at: at, status_code: code, redelivery } = (d ?? {}) as Record<string, unknown>;
      const deliveredAt = typeof at === 'string' ? Date.parse(at) : Number.NaN;
      if (typeof id !== 'number' || typeof guid !== 'string' || !Number.isFinite(deliveredAt) || typeof code !== 'number') return [];
      return [{ id, guid, deliveredAt, statusCode: code, redelivery: redelivery === true }];
    });
    const next = /<[^>]*[?&]cursor=([^&>]+)[^>]*>;\s*rel="next"/.exec(answer.headers['link'] ?? '')?.[1];
    return { deliveries, ...(next ? { next: decodeURIComponent(next) } : {}) };
  }

  /** Asks GitHub to send delivery `id` again (`POST /app/hook/deliveries/{id}/attempts`). */
  async redeliver(id: number, signal: AbortSignal): Promise<void> {
    const answer = await this.#call('POST', `/app/hook/deliveries/${id}/attempts`, '', signal, 'GitHub App redelivery');
    if (answer.status === 404) throw new ProviderError(`GitHub App redelivery of ${id}: HTTP 404 (no longer kept)`, 404);
  }

  async #call(method: 'GET' | 'POST', path: string, body: string | undefined, signal: AbortSignal, what: string): Promise<HttpAnswer> {
    const key = await this.#o.key();
    for (let attempt = 0; ; attempt++) {
      const answer = await getJson({
        dispatcher: this.#o.dispatcher,
        url: `${this.#o.apiUrl}${path}`,
        method,
        ...(body !== undefined ? { body } : {}),
        headers: {
          authorization: `Bearer ${appJwt(key, this.#o.appId, this.#o.clock.now(), this.#skewS)}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': 'gitsync',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        signal,
        maxBodyBytes: MAX_BODY_BYTES,
        what,
      });
      // A 404 says "not installed" or "no such installation": the caller reads it.
      if ((answer.status >= 200 && answer.status < 300) || answer.status === 404) return answer;
      const skew = answer.status === 401 && attempt === 0 ? clockSkewS(answer, this.#o.clock.now()) : null;
      if (skew !== null) {
        this.#skewS = skew;
        continue;
      }
      const error = failureFor(answer, this.#o.clock.now(), this.#o.rateLimitHeaders, what);
      // A refused JWT is the App's key or id, not a row's token: say so.
      throw error instanceof AuthError ? new AuthError(error.status, `${what}: GitHub refused the App's JWT (HTTP ${error.status}${answerMessage(answer) ? `: ${answerMessage(answer)}` : ''})`) : error;
    }
  }
}

/**
 * When GitHub refused a JWT for its issue or expiry time ("'Issued at' claim must be an Integer
 * representing a time in the past", "'Expiration time' claim ... too far in the future"), the
 * seconds its clock is ahead of ours, from its `Date` header; otherwise null.
 */
export function clockSkewS(answer: HttpAnswer, nowMs: number): number | null {
  if (!/issued at|expiration time|\biat\b|\bexp\b/i.test(answerMessage(answer))) return null;
  const date = Date.parse(answer.headers['date'] ?? '');
  if (!Number.isFinite(date)) return null;
  return Math.round((date - nowMs) / 1000);
}
