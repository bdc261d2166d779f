import type { HttpAgent } from './http/agent.ts';
import type { Clock } from '../domain/clock.ts';
import type { GitHubAppConfig } from './github/app/app-config.ts';
import type { RateLimitHeaderNames } from './http/rate-limit.ts';
import type { GitProvider } from './provider.ts';
import type { ProviderConfig } from './provider-config.ts';
import type { ProviderWebhook } from './provider-webhook.ts';
import type { RepoShape } from './repo-shape.ts';

/** What a provider type's `create` is given besides its configuration. */
export interface ProviderDeps {
  dispatcher: HttpAgent;
  clock: Clock;
  maxBodyBytes?: number;
}

/**
 * Everything the rest of gitsync needs to know about one kind of git host. Each type lives
 * in its own folder and is listed once in `provider-types.ts`; configuration, the registry,
 * the HTTP client, the webhook receiver and the CLI read it from there.
 */
export interface ProviderType {
  /** The `type` of a `GIT_PROVIDERS` entry: "github". */
  readonly name: string;
  /** The public service configured when `GIT_PROVIDERS` is unset; absent for a server-only product. */
  readonly publicHost?: { webUrl: string; apiUrl: string };
  /** API base of a server at `webUrl` (no trailing slash) whose entry names none. */
  defaultApiUrl(webUrl: string): string;
  /** A server of this type may live below a context path (`https://host/bitbucket`), so `webUrl` may carry one. */
  readonly contextPath?: boolean;
  /** How origins and pull-request URLs of this type are laid out. */
  readonly shape: RepoShape;
  /** Header names of the type's primary rate limit. */
  readonly rateLimitHeaders: RateLimitHeaderNames;
  /**
   * Requests one token may make in an hour, when the host caps it so low that gitsync must
   * pace itself (Bitbucket Cloud: 1,000): the provider then sends no more than this in any
   * rolling hour and defers the rest as rate limited, instead of spending the host's quota
   * on 429s. Absent: the host's own limit answers decide (GitHub, GitLab).
   */
  readonly hourlyRequestBudget?: number;
  /** The CLI's default token variable for this type. */
  readonly tokenEnv: string;
  /**
   * How its webhook deliveries are recognised, authenticated, named and parsed; `NO_WEBHOOKS`
   * for a type that takes none (its rows are polled).
   */
  readonly webhook: ProviderWebhook;
  create(config: ProviderConfig, deps: ProviderDeps): GitProvider;
  /** Reads an entry's `"app"` (hosts that can act as an App); absent: an entry with `app` is refused. */
  parseApp?(value: unknown, fail: (message: string) => never): GitHubAppConfig;
}
