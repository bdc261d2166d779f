import { start, type GitHostSim } from '../git-host-sim/server.ts';
import { parseProviderConfigs } from '../../providers/config.ts';
import type { ProviderConfig } from '../../providers/provider-config.ts';

/** GitHub's primary limit for a user token. */
const HOURLY_LIMIT = 5_000;

export interface SimulatedHost {
  sim: GitHostSim;
  /** `GIT_PROVIDERS` naming the simulated host as a GitHub Enterprise. */
  gitProviders: string;
  provider: ProviderConfig;
  /**
   * Spends the rest of a token's hourly quota, as another app of the same user would: from now
   * on the host answers 403 with `x-ratelimit-remaining: 0` until the window resets.
   */
  exhaustQuota(token: string): void;
}

/**
 * The simulated GitHub a local run talks to: realistic latency with jitter, GitHub's hourly
 * limit per token (changeable per token), ETags and 304s, a world that evolves with real time.
 */
export async function startSimulatedHost(seed: string): Promise<SimulatedHost> {
  const limits = new Map<string, number>();
  const sim = await start({
    seed,
    latency: { baseMs: 20, jitterMs: 120 },
    rateLimit: { limit: (token) => limits.get(token) ?? HOURLY_LIMIT },
  });
  const gitProviders = JSON.stringify([{ type: 'github', webUrl: sim.url, apiUrl: sim.apiUrl }]);
  const [provider] = parseProviderConfigs(gitProviders);
  return {
    sim,
    gitProviders,
    provider: provider!,
    exhaustQuota(token) {
      // The window started with the token's first request, so what it spent is what was counted.
      limits.set(token, sim.stats.snapshot().byToken[token]?.counted ?? 0);
    },
  };
}
