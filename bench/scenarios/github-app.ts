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
import { tokenReuseMarginMs } from '../../src/tokens/app-token-resolver.ts';
import { DEFAULT_SETTINGS } from '../../src/system/settings.ts';
import { withGitHubApps } from '../../src/tokens/app-tokens.ts';
import { readKeyFile } from '../../src/providers/github/app/app-key-source.ts';
import { DynamoTokenResolver } from '../../src/tokens/dynamo-token-resolver.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { SETUP_REQUEST_TIMEOUT_MS } from '../../src/store/document-client.ts';
import { localDocClient } from '../world.ts';

export interface GitHubAppResult {
  rows: number;
  installations: number;
  /** Installations of the App whose accounts have no rows: used by nothing, so never minted for. */
  idleInstallations: number;
  /** Lambda containers refreshing at once, each with its own memory, sharing the tokens table. */
  containers: number;
  /** Simulated hours of ticks (one tick per container every 10 s). */
  hours: number;
  /** How long GitHub's (the simulated App's) tokens live. */
  tokenLifetimeMs: number;
  /** How long before its expiry a token is replaced: the tick's budget and the expiry slack. */
  reuseMarginMs: number;
  mints: number;
  /** Mints for the idle installations (0: minting is lazy). */
  idleMints: number;
  /** The most any one installation was minted for in the run. */
  maxMintsOneInstallation: number;
  /** Measured: mints ÷ (used installations × hours), the first mint of each installation included. */
  mintsPerInstallationHour: number;
  /** Measured: the mean time between two mints of one installation, in minutes (continuous use). */
  meanMinutesBetweenMints: number;
  /** Measured, steady state: 60 minutes ÷ that mean time. */
  steadyMintsPerInstallationHour: number;
  /** Measured, steady state: a token's lifetime ÷ that mean time (1 would need a zero margin). */
  steadyMintsPerInstallationTokenLifetime: number;
  /** Token look-ups, and how many reached the tokens table (the rest were answered from a container's memory). */
  lookups: number;
}

/**
 * Mints per installation per hour for `rows` rows over `installations` organisations with the
 * App installed (and 10 more installed organisations without rows), refreshed by `containers` containers for `hours` simulated hours: every
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
  const idleInstallations = 10;
  const tokenLifetimeMs = 60 * 60_000;
  const accounts = Array.from({ length: installations + idleInstallations }, (_, i) => `org-${i}`);
  const sim = await start({
    clock,
    latency: 0,
    rates: { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0 },
    app: { appId: '77', publicKey, tokenLifetimeMs, installations: Object.fromEntries(accounts.map((a, i) => [a, 1000 + i])) },
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
    const longestUseMs = DEFAULT_SETTINGS.tickBudgetMs;
    const mintTimes = new Map<number, number[]>();
    const onMint = (_host: string, installationId: number) => mintTimes.set(installationId, [...(mintTimes.get(installationId) ?? []), clock.now()]);
    const fleet = Array.from({ length: containers }, () =>
      withGitHubApps(new DynamoTokenResolver(doc, tokensTable, clock), providers, {
        doc,
        tokensTableName: tokensTable,
        dispatcher: sharedHttpAgent(),
        clock: withRealWaits(clock),
        longestUseMs,
        log: silentLog,
        readKey: readKeyFile,
        onMint,
      }),
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
    const mints = sim.app!.stats.mints;
    const idleMints = [...mintTimes].filter(([id]) => id >= 1000 + installations).reduce((n, [, times]) => n + times.length, 0);
    const gaps = [...mintTimes.values()].flatMap((times) => times.slice(1).map((at, i) => at - times[i]!));
    const meanGapMs = gaps.length > 0 ? gaps.reduce((a, b) => a + b, 0) / gaps.length : Number.NaN;
    const round3 = (x: number) => Math.round(x * 1000) / 1000;
    return {
      rows,
      installations,
      idleInstallations,
      containers,
      hours,
      tokenLifetimeMs,
      reuseMarginMs: tokenReuseMarginMs(longestUseMs),
      mints,
      idleMints,
      maxMintsOneInstallation: Math.max(...byInstallation),
      mintsPerInstallationHour: round3(mints / installations / hours),
      meanMinutesBetweenMints: round3(meanGapMs / 60_000),
      steadyMintsPerInstallationHour: round3(3_600_000 / meanGapMs),
      steadyMintsPerInstallationTokenLifetime: round3(tokenLifetimeMs / meanGapMs),
      lookups,
    };
  } finally {
    await doc.send(new DeleteTableCommand({ TableName: tokensTable })).catch(() => {});
    doc.destroy();
    await sim.close();
  }
}
