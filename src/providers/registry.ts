import { systemClock, type Clock } from '../domain/clock.ts';
import type { ProviderConfig } from './provider-config.ts';
import { sharedHttpAgent, type HttpAgent } from './http/agent.ts';
import type { GitProvider, ProviderRegistry, PullRequestRef } from './provider.ts';
import { providerType } from './provider-types.ts';

export interface ProviderRegistryOptions {
  /** Defaults to the container's shared agent. */
  dispatcher?: HttpAgent;
  clock?: Clock;
  maxBodyBytes?: number;
}

export interface ConfiguredProviderRegistry extends ProviderRegistry {
  readonly providers: readonly GitProvider[];
  /** The provider whose host a PR / MR URL is on (used by the operator CLI). */
  forPullRequestUrl(url: string): { provider: GitProvider; ref: PullRequestRef } | null;
}

/** One provider per configured host; a row only ever reaches a provider by exact host match. */
export function createProviderRegistry(
  configs: readonly ProviderConfig[],
  options: ProviderRegistryOptions = {},
): ConfiguredProviderRegistry {
  const deps = {
    dispatcher: options.dispatcher ?? sharedHttpAgent(),
    clock: options.clock ?? systemClock,
    maxBodyBytes: options.maxBodyBytes,
  };
  const providers: GitProvider[] = configs.map((config) => {
    const type = providerType(config.type);
    if (!type) throw new Error(`no provider type named ${JSON.stringify(config.type)}`);
    return type.create(config, deps);
  });
  return {
    providers,
    forOrigin(origin) {
      for (const provider of providers) {
        const repo = provider.parseOrigin(origin);
        if (repo) return { provider, repo };
      }
      return null;
    },
    forPullRequestUrl(url) {
      for (const provider of providers) {
        const ref = provider.parsePullRequestUrl(url);
        if (ref) return { provider, ref };
      }
      return null;
    },
  };
}
