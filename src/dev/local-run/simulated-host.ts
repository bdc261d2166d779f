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
  /** With `githubApp`: the accounts the App is installed on (lower-case). */
  appAccounts?: ReadonlySet<string>;
}

/** The App of `npm start -- --github-app`: installed on every seeded organisation but the last. */
const LOCAL_APP = { appId: '1001', installations: { acme: 101, globex: 102 } };

/**
 * The simulated host a local run talks to, speaking `hostType` (a provider type the simulator
 * has a dialect for): realistic latency with jitter, the host's hourly limit per token
 * (changeable per token), ETags and 304s, a world that evolves with real time.
 */
export async function startSimulatedHost(seed: string, hostType = 'github', options: { githubApp?: boolean } = {}): Promise<SimulatedHost> {
  const dialect = simDialect(hostType);
  if (!dialect) throw new Error(`the simulated host speaks no ${JSON.stringify(hostType)}`);
  const limits = new Map<string, number>();
  const app = options.githubApp ? await localAppKey() : undefined;
  const sim = await start({
    seed,
    dialect,
    latency: { baseMs: 20, jitterMs: 120 },
    rateLimit: { limit: (token) => limits.get(token) ?? dialect.hourlyLimit },
    ...(app ? { app: { appId: LOCAL_APP.appId, publicKey: app.publicKey, installations: LOCAL_APP.installations } } : {}),
  });
  const entry = sim.providerEntry();
  const gitProviders = JSON.stringify([app ? { ...entry, app: { appId: LOCAL_APP.appId, privateKeyPath: app.privateKeyPath } } : entry]);
  const [provider] = parseProviderConfigs(gitProviders);
  return {
    sim,
    gitProviders,
    provider: provider!,
    ...(app ? { appAccounts: new Set(Object.keys(LOCAL_APP.installations)) } : {}),
    exhaustQuota(token) {
      // The window started with the token's first request, so what it spent is what was counted.
      limits.set(token, sim.stats.snapshot().byToken[token]?.counted ?? 0);
    },
  };
}

/** A fresh App key pair for this run, the private key as GitHub hands it out (PKCS#1 PEM) in a file of its own. */
async function localAppKey(): Promise<{ publicKey: string; privateKeyPath: string }> {
  const { generateKeyPairSync } = await import('node:crypto');
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const privateKeyPath = join(await mkdtemp(join(tmpdir(), 'gitsync-app-')), 'app.pem');
  await writeFile(privateKeyPath, privateKey, { mode: 0o600 });
  return { publicKey, privateKeyPath };
}
