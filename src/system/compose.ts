import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, withRealWaits, type Clock, type WaitingClock } from '../domain/clock.ts';
import type { DiffStatusRow } from '../domain/row.ts';
import { silentLog, type Log } from '../domain/log.ts';
import { markStale, type MarkStaleInput } from '../ops/mark-stale.ts';
import { refreshNow } from '../ops/refresh-now.ts';
import { installationChanged } from '../ops/installation-changed.ts';
import { tokenLinked } from '../ops/token-linked.ts';
import type { ProviderRegistry } from '../providers/provider.ts';
import { readKeyFile, type AppKeyReader } from '../providers/github/app/app-key-source.ts';
import { sharedHttpAgent, type HttpAgent } from '../providers/http/agent.ts';
import { createProviderRegistry } from '../providers/registry.ts';
import type { ChangePublisher } from '../refresh/change-publisher.ts';
import { Refresher } from '../refresh/refresher.ts';
import { runTick, type TickDeps, type TickOptions } from '../refresh/tick.ts';
import type { TickSummary } from '../refresh/tick-summary.ts';
import { webhookActivity, type WebhookActivity } from '../cadence/webhook-activity.ts';
import type { DueCensus } from '../store/due-census.ts';
import { DynamoLastDeliveries } from '../store/dynamo-last-deliveries.ts';
import { DynamoStore } from '../store/dynamo-store.ts';
import { DynamoHttpCacheStore } from '../store/dynamo-http-cache-store.ts';
import type { HttpCacheStore } from '../store/http-cache-store.ts';
import type { Store } from '../store/store.ts';
import { DynamoTokenWaits, type TokenWaits } from '../store/token-waits.ts';
import { withGitHubApps } from '../tokens/app-tokens.ts';
import type { InstallationEvents } from '../tokens/installation-events.ts';
import type { RedeliveryReport } from '../ops/redeliver.ts';
import { DynamoTokenResolver } from '../tokens/dynamo-token-resolver.ts';
import { RememberedCaches } from '../refresh/remembered-caches.ts';
import { RememberedTokens } from '../tokens/remembered-tokens.ts';
import type { TokenResolver } from '../tokens/token-resolver.ts';
import type { Settings } from './settings.ts';

/**
 * The parts a system is built from. Every deployment of gitsync (the Lambda handlers, the
 * local run, the bench, the tests) passes its own: real ones from `from-env.ts`, fakes or
 * loopback ones elsewhere. Anything left out is built from `settings` and `doc`.
 */
export interface SystemParts {
  settings: Settings;
  /** The client from `src/store/document-client.ts`; the store and the token resolver are built on it unless given. */
  doc?: DynamoDBDocumentClient;
  store?: Store;
  /** Wraps the store, e.g. to record what it does (bench, reliability harness). */
  observeStore?: (store: Store) => Store;
  tokens?: TokenResolver;
  /** The rows' HTTP caches; default the `httpCacheTableName` table over `doc`. */
  httpCache?: HttpCacheStore;
  /** Wraps the HTTP cache store, e.g. to record or fail its calls (bench, tests). */
  observeHttpCache?: (cache: HttpCacheStore) => HttpCacheStore;
  /** Rows waiting for an owner's token; default: the table's `byAwaitingToken` index over `doc`. */
  tokenWaits?: TokenWaits;
  /** Default: one provider per `settings.gitProviders`, over `dispatcher`. */
  registry?: ProviderRegistry;
  /** HTTP dispatcher of the default registry. Default: the container's shared agent. */
  dispatcher?: HttpAgent;
  /** Default: the system clock. A clock that only tells the time waits in real time. */
  clock?: Clock | WaitingClock;
  /** Change events; none by default. */
  publisher?: ChangePublisher;
  /** Default: silent. */
  log?: Log;
  /** Reads a GitHub App's private key (see `providers/github/app/`). Default: `privateKeyPath` files only. */
  readAppKey?: AppKeyReader;
  /** Hears each GitHub App installation token minted (a metric). */
  onAppTokenMint?: (host: string, installationId: number) => void;
  /** Backoff jitter source, in [0, 1). Default: `Math.random`. */
  random?: () => number;
  /** The tick's default is a random UUID per lease. */
  newLeaseId?: () => string;
}

/** What a tick run may add or override: the Lambda's time left, the loop minute's end, a stop signal, a test's budget. */
export type TickRun = Partial<TickOptions>;

export interface System {
  readonly settings: Settings;
  readonly store: Store;
  /** The store's read-only view of the due index, for the slot's lead (the slot design's stores have one). */
  readonly census: DueCensus | undefined;
  readonly clock: WaitingClock;
  /** The configured git providers (webhooks match deliveries against them). */
  readonly registry: ProviderRegistry;
  /** Throws when the parts cannot refresh (no token resolver, or no tokens table to build one). */
  readonly refresher: Refresher;
  /** The tick's dependencies; `overrides` swap one part for one run (tests). */
  tickDeps(overrides?: Partial<TickDeps>): TickDeps;
  /** A GitHub App's installation events, when a host has an App: see `src/ops/installation-changed.ts`. */
  readonly installations: InstallationEvents | undefined;
  /** One pass asking each GitHub App's host to redeliver what this deployment failed to take (none without an App). */
  redeliverFailed(): Promise<RedeliveryReport[]>;
  /** Checks what must hold before the first tick (each GitHub App's key reads); throws a clear error otherwise. */
  start(): Promise<void>;
  /** One tick of the refresh loop. */
  tick(run?: TickRun, overrides?: Partial<TickDeps>): Promise<TickSummary>;
  /** A push: see `src/ops/mark-stale.ts`. */
  markStale(input: MarkStaleInput): Promise<{ marked: number }>;
  /** An owner linked a git token: see `src/ops/token-linked.ts`. */
  tokenLinked(ownerId: string): Promise<{ madeDue: number }>;
  /** One chat refreshed now: see `src/ops/refresh-now.ts`. */
  refreshNow(chatId: string, timeoutMs?: number): Promise<DiffStatusRow | null>;
}

/** Builds gitsync from its parts: the one place the pipeline is wired. Pure wiring, no I/O. */
export function composeSystem(parts: SystemParts): System {
  const { settings } = parts;
  const clock = withRealWaits(parts.clock ?? systemClock);
  const random = parts.random ?? Math.random;
  const log = parts.log ?? silentLog;
  const doc = parts.doc;
  const inner =
    parts.store ??
    (doc
      ? new DynamoStore({ doc, tableName: settings.tableName, indexName: settings.indexName, shardCount: settings.shardCount, clock, log })
      : missing('a store (or a DynamoDB client to build one)'));
  const store = parts.observeStore ? parts.observeStore(inner) : inner;
  const personal =
    parts.tokens ??
    (doc && settings.tokensTableName ? new RememberedTokens(new DynamoTokenResolver(doc, settings.tokensTableName, clock), clock, settings.tokenMemoryMs) : undefined);
  const dispatcher = parts.dispatcher ?? sharedHttpAgent();
  const registry = parts.registry ?? createProviderRegistry(settings.gitProviders, { clock, dispatcher });
  const apps =
    personal && doc && settings.tokensTableName
      ? withGitHubApps(personal, settings.gitProviders, {
          doc,
          tokensTableName: settings.tokensTableName,
          dispatcher,
          clock,
          longestUseMs: settings.tickBudgetMs,
          log,
          readKey: parts.readAppKey ?? readKeyFile,
          ...(parts.onAppTokenMint ? { onMint: parts.onAppTokenMint } : {}),
        })
      : undefined;
  const tokens = apps?.tokens ?? personal;
  const refresher = tokens
    ? new Refresher({
        registry,
        tokens,
        clock,
        concurrency: settings.concurrency,
        perTokenConcurrency: settings.perTokenConcurrency,
        rowTimeShareMs: settings.rowTimeShareMs,
        log,
      })
    : undefined;
  const innerCache =
    parts.httpCache ?? (doc && settings.httpCacheTableName ? new DynamoHttpCacheStore({ doc, tableName: settings.httpCacheTableName, clock }) : undefined);
  const httpCache = innerCache && parts.observeHttpCache ? parts.observeHttpCache(innerCache) : innerCache;
  const publisher = parts.publisher ? { publisher: parts.publisher } : {};
  const activity = webhookActivityOf(settings, doc, clock);
  const tokenWaits = (): TokenWaits =>
    parts.tokenWaits ??
    (doc
      ? new DynamoTokenWaits({ doc, tableName: settings.tableName, shardCount: settings.shardCount, log })
      : missing('the rows waiting for a token (or a DynamoDB client to read them)'));

  // The pipeline's parts, one bag for ticks, deliveries and refresh-now; built at first use
  // (a system that only marks rows stale has no refresher).
  let deps: TickDeps | undefined;
  const pipeline = (): TickDeps =>
    (deps ??= {
      store,
      refresher: system.refresher,
      httpCache: httpCache ?? missing('an HTTP cache store (or an HTTP cache table name and a DynamoDB client) to refresh rows'),
      rememberedCaches: new RememberedCaches(),
      clock,
      policy: settings.cadence,
      log,
      random,
      ...(activity ? { webhookActivity: activity } : {}),
      ...(parts.newLeaseId ? { newLeaseId: parts.newLeaseId } : {}),
      ...publisher,
    });

  const system: System = {
    settings,
    store,
    census: isDueCensus(inner) ? inner : undefined,
    clock,
    registry,
    get refresher() {
      return refresher ?? missing('a token resolver (or a tokens table name and a DynamoDB client) to refresh rows');
    },
    installations: apps?.resolver
      ? { changed: (host, accounts, installationId, at) => installationChanged({ records: apps.resolver!, waits: tokenWaits(), registry, clock }, { host, accounts, installationId, at }) }
      : undefined,
    redeliverFailed: async () => (apps ? apps.redeliver() : []),
    start: async () => {
      await apps?.checkKeys();
    },
    tickDeps: (overrides = {}) => ({ ...pipeline(), ...overrides }),
    tick: (run = {}, overrides = {}) =>
      runTick(system.tickDeps(overrides), {
        batchSize: settings.batchSize,
        tickBudgetMs: settings.tickBudgetMs,
        safetyMarginMs: settings.safetyMarginMs,
        writeConcurrency: settings.writeConcurrency,
        ...run,
      }),
    markStale: (input) => markStale(store, clock, input, { log, ...publisher }),
    tokenLinked: (ownerId) => tokenLinked(tokenWaits(), clock, ownerId),
    refreshNow: (chatId, timeoutMs) => refreshNow(pipeline(), chatId, timeoutMs),
  };
  return system;
}

function isDueCensus(store: Store): store is Store & DueCensus {
  return 'countDue' in store && 'shardsInUse' in store;
}

/** Which hosts send webhooks: configured ones, and (with the deliveries table) those delivering lately. */
function webhookActivityOf(settings: Settings, doc: DynamoDBDocumentClient | undefined, clock: Clock): WebhookActivity | undefined {
  const configured = settings.gitProviders.filter((p) => p.webhooks).map((p) => p.host);
  const source = doc && settings.deliveriesTableName ? new DynamoLastDeliveries({ doc, tableName: settings.deliveriesTableName }) : undefined;
  if (!source && configured.length === 0) return undefined;
  const appHosts = settings.gitProviders.filter((p) => p.app).map((p) => p.host);
  return webhookActivity({ hosts: settings.gitProviders.map((p) => p.host), configured, appHosts, source, policy: settings.cadence, clock });
}

function missing(what: string): never {
  throw new Error(`gitsync: the system needs ${what}`);
}
