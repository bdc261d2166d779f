import { simDialect } from '../git-host-sim/dialects.ts';
import { start, type GitHostSim } from '../git-host-sim/server.ts';
import { parseProviderConfigs } from '../../providers/config.ts';
import type { ProviderConfig } from '../../providers/provider-config.ts';

export interface SimulatedHost {
  sim: GitHostSim;
  /** `GIT_PROVIDERS` naming the simulated host (a GitHub Enterprise, a Bitbucket Data Center, ...). */
  gitProviders: string;
  provider: ProviderConfig;
  /**
   * Spends the rest of a token's hourly quota, as another app of the same user would: from now
   * on the host answers as its limit is spent (GitHub: 403 with `x-ratelimit-remaining: 0`)
   * until the window resets.
   */
  exhaustQuota(token: string): void;
}

/**
 * The simulated host a local run talks to, speaking `hostType` (a provider type the simulator
 * has a dialect for): realistic latency with jitter, the host's hourly limit per token
 * (changeable per token), ETags and 304s, a world that evolves with real time.
 */
export async function startSimulatedHost(seed: string, hostType = 'github'): Promise<SimulatedHost> {
  const dialect = simDialect(hostType);
  if (!dialect) throw new Error(`the simulated host speaks no ${JSON.stringify(hostType)}`);
  const limits = new Map<string, number>();
  const sim = await start({
    seed,
    dialect,
    latency: { baseMs: 20, jitterMs: 120 },
    rateLimit: { limit: (token) => limits.get(token) ?? dialect.hourlyLimit },
  });
  const gitProviders = JSON.stringify([sim.providerEntry()]);
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
