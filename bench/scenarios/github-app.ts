import { withRealWaits } from '../../src/domain/clock.ts';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { start } from '../../src/dev/git-host-sim/server.ts';
import { createTableInput } from '../../src/dev/template.ts';
import { silentLog } from '../../src/domain/log.ts';
import { parseProviderConfigs } from '../../src/providers/config.ts';
import { sharedHttpAgent } from '../../src/providers/http/agent.ts';
import { createProviderRegistry } from '../../src/providers/registry.ts';
import { TOKEN_REUSE_MARGIN_MS } from '../../src/tokens/app-token-resolver.ts';
import { withGitHubApps } from '../../src/tokens/app-tokens.ts';
import { readKeyFile } from '../../src/providers/github/app/app-key-source.ts';
import { DynamoTokenResolver } from '../../src/tokens/dynamo-token-resolver.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { SETUP_REQUEST_TIMEOUT_MS } from '../../src/store/document-client.ts';
import { localDocClient } from '../world.ts';

export interface GitHubAppResult {
  rows: number;
  installations: number;
  /** Lambda containers refreshing at once, each with its own memory, sharing the tokens table. */
  containers: number;
  /** Simulated hours of ticks (one tick per container every 10 s). */
  hours: number;
  mints: number;
  /** The most any one installation was minted for in the run. */
  maxMintsOneInstallation: number;
  /**
   * Mints if each installation is minted exactly once per token use (at the start, then each
   * time its token is within the reuse margin of expiry): whatever the containers and rows.
   */
  floorMints: number;
  /** `mints / floorMints`: 1 means one mint per installation per token lifetime, never one per container. */
  mintsOverFloor: number;
  /** Steady state per installation per hour with one-hour tokens reused until the margin: 60 / (60 - margin in minutes). */
  steadyMintsPerInstallationHour: number;
  /** Token look-ups, and how many reached the tokens table (the rest were answered from a container's memory). */
  lookups: number;
}

/**
 * Mints per installation per hour for `rows` rows over `installations` organisations with the
 * App installed, refreshed by `containers` containers for `hours` simulated hours: every
 * container resolves the tokens of a batch of rows each 10 s through the real resolver, on
 * DynamoDB Local and the simulated GitHub App (JWT checked, tokens expiring after an hour).
 * The HTTP refreshes themselves are left out: they do not mint.
 */
export async function githubAppMints(endpoint: string, options: { rows?: number; installations?: number; containers?: number; hours?: number; batch?: number } = {}): Promise<GitHubAppResult> {
  const rows = options.rows ?? 10_000;
  const installations = options.installations ?? 50;
  const containers = options.containers ?? 4;
  const hours = options.hours ?? 2;
  const batch = options.batch ?? 50;
  const clock = new VirtualClock(Date.parse('2026-12-02T00:00:00Z'));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const keyPath = join(mkdtempSync(join(tmpdir(), 'gitsync-bench-app-')), 'app.pem');
  writeFileSync(keyPath, privateKey);
  const accounts = Array.from({ length: installations }, (_, i) => `org-${i}`);
  const sim = await start({
    clock,
    latency: 0,
    rates: { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0 },
    app: { appId: '77', publicKey, installations: Object.fromEntries(accounts.map((a, i) => [a, 1000 + i])) },
  });
  // Setup-sized timeouts: what is measured is mints, not DynamoDB Local's speed on a busy machine.
  const doc = localDocClient(endpoint, undefined, SETUP_REQUEST_TIMEOUT_MS);
  const tokensTable = `bench-app-tokens-${Date.now()}`;
  await doc.send(new CreateTableCommand(createTableInput('TokensTable', tokensTable)));
  try {
    const providers = parseProviderConfigs(JSON.stringify([{ type: 'github', webUrl: sim.url, apiUrl: sim.apiUrl, app: { appId: '77', privateKeyPath: keyPath } }]));
    const registry = createProviderRegistry(providers, { clock });
    // Each row: an owner (200 of them) and a repository of one of the installed organisations.
    const origins = Array.from({ length: rows }, (_, i) => ({ ownerId: `owner-${i % 200}`, origin: `${sim.url}/${accounts[i % installations]}/repo-${i % 7}.git` }));
    const fleet = Array.from({ length: containers }, () =>
      withGitHubApps(new DynamoTokenResolver(doc, tokensTable, clock), providers, { doc, tokensTableName: tokensTable, dispatcher: sharedHttpAgent(), clock: withRealWaits(clock), log: silentLog, readKey: readKeyFile }),
    );
    let lookups = 0;
    let next = 0;
    const ticks = Math.round((hours * 3_600_000) / 10_000);
    for (let tick = 0; tick < ticks; tick++) {
      await Promise.all(
        fleet.map(async ({ tokens }) => {
          const seen = new Map<string, Promise<unknown>>();
          for (let r = 0; r < batch; r++) {
            const row = origins[next++ % rows]!;
            const found = registry.forOrigin(row.origin)!;
            const scope = tokens.scope!(row.ownerId, found.provider, found.repo);
            if (!seen.has(scope)) {
              lookups++;
              seen.set(scope, tokens.resolve(row.ownerId, found.provider, found.repo));
            }
          }
          await Promise.all(seen.values());
        }),
      );
      clock.skipTo(clock.now() + 10_000);
    }
    const byInstallation = Object.values(sim.app!.stats.mintsByInstallation);
    const floorMints = installations * Math.ceil((hours * 3_600_000) / (3_600_000 - TOKEN_REUSE_MARGIN_MS));
    const mints = sim.app!.stats.mints;
    return {
      rows,
      installations,
      containers,
      hours,
      mints,
      maxMintsOneInstallation: Math.max(...byInstallation),
      floorMints,
      mintsOverFloor: Math.round((mints / floorMints) * 1000) / 1000,
      steadyMintsPerInstallationHour: Math.round((3_600_000 / (3_600_000 - TOKEN_REUSE_MARGIN_MS)) * 1000) / 1000,
      lookups,
    };
  } finally {
    await doc.send(new DeleteTableCommand({ TableName: tokensTable })).catch(() => {});
    doc.destroy();
    await sim.close();
  }
}
