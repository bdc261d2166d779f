import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HttpAgent } from '../providers/http/agent.ts';
import type { WaitingClock } from '../domain/clock.ts';
import type { Log } from '../domain/log.ts';
import type { ProviderConfig } from '../providers/provider-config.ts';
import { GitHubAppClient } from '../providers/github/app/app-client.ts';
import { appKeySource, type AppKeyReader } from '../providers/github/app/app-key-source.ts';
import { providerType } from '../providers/provider-types.ts';
import { redeliverFailed, type RedeliveryReport } from '../ops/redeliver.ts';
import { AppTokenResolver } from './app-token-resolver.ts';
import { DynamoAppTokenStore } from './app-token-store.ts';
import type { TokenResolver } from './token-resolver.ts';

export interface AppTokensDeps {
  doc: DynamoDBDocumentClient;
  tokensTableName: string;
  dispatcher: HttpAgent;
  clock: WaitingClock;
  /** The longest a resolved token is used (the tick's budget): its reuse margin follows from it. */
  longestUseMs: number;
  log: Log;
  readKey: AppKeyReader;
  onMint?: (host: string, installationId: number) => void;
}

export interface AppTokens {
  tokens: TokenResolver;
  /** Reads every App's key: a missing or malformed key fails here, before any row is touched. */
  checkKeys(): Promise<void>;
  /** One redelivery pass per App (see `ops/redeliver.ts`); none without an App. */
  redeliver(): Promise<RedeliveryReport[]>;
}

/**
 * `personal`, or, when a configured host has an `app`, the resolver that prefers that App's
 * installation tokens (see `app-token-resolver.ts`).
 */
export function withGitHubApps(personal: TokenResolver, providers: readonly ProviderConfig[], deps: AppTokensDeps): AppTokens & { resolver?: AppTokenResolver } {
  const withApps = providers.filter((p) => p.app !== undefined);
  if (withApps.length === 0) return { tokens: personal, checkKeys: async () => {}, redeliver: async () => [] };
  const keys = withApps.map((p) => appKeySource(p.app!, deps.readKey));
  const apps = new Map(
    withApps.map((p, i) => [
      p.host,
      new GitHubAppClient({
        apiUrl: p.apiUrl,
        appId: p.app!.appId,
        key: keys[i]!,
        dispatcher: deps.dispatcher,
        clock: deps.clock,
        rateLimitHeaders: providerType(p.type)!.rateLimitHeaders,
      }),
    ]),
  );
  const store = new DynamoAppTokenStore(deps.doc, deps.tokensTableName);
  const resolver = new AppTokenResolver({
    personal,
    apps,
    store,
    clock: deps.clock,
    longestUseMs: deps.longestUseMs,
    log: deps.log,
    ...(deps.onMint ? { onMint: deps.onMint } : {}),
  });
  return {
    tokens: resolver,
    resolver,
    checkKeys: async () => {
      await Promise.all(keys.map((key) => key()));
    },
    redeliver: () => Promise.all([...apps].map(([host, app]) => redeliverFailed({ host, app, store, clock: deps.clock, log: deps.log }))),
  };
}
