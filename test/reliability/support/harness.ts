import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { seededRandom } from '../../../src/dev/git-host-sim/prng.ts';
import { start, type GitHostSim, type GitHostSimOptions } from '../../../src/dev/git-host-sim/server.ts';
import type { SeededWorld } from '../../../src/dev/git-host-sim/seed.ts';
import type { PullRequest, Repo } from '../../../src/dev/git-host-sim/world.ts';
import { silentLog, type Log } from '../../../src/domain/log.ts';
import type { DiffStatusRow } from '../../../src/domain/row.ts';
import { parseProviderConfigs } from '../../../src/providers/config.ts';
import { createHttpAgent } from '../../../src/providers/http/agent.ts';
import { stripOriginCredentials } from '../../../src/providers/origin-credentials.ts';
import { DEFAULT_CADENCE } from '../../../src/cadence/policy.ts';
import { boundText } from '../../../src/refresh/size-bounds.ts';
import type { ChangePublisher } from '../../../src/refresh/change-publisher.ts';
import { Refresher } from '../../../src/refresh/refresher.ts';
import type { TickDeps, TickOptions } from '../../../src/refresh/tick.ts';
import type { TickSummary } from '../../../src/refresh/tick-summary.ts';
import { isBookkeepingItem } from '../../../src/store/bookkeeping.ts';
import { onceSlot } from '../../../src/store/due-slot.ts';
import { composeSystem, type System } from '../../../src/system/compose.ts';
import { settingsWith } from '../../../src/system/settings.ts';
import { BUCKET_MS, dueShardFor, SWEEP_SEGMENTS } from '../../../src/store/shard.ts';
import { createTestTables, localDocClient, type TestTables } from '../../support/dynamodb.ts';
import { DynamoDeliveryLog, DynamoWebhookStore, type WebhookRowStore } from '../../../src/store/dynamo-webhook-store.ts';
import { composeWebhookReceiver, DEFAULT_WEBHOOK_SETTINGS, type WebhookReceiver } from '../../../src/system/webhook-receiver.ts';
import { staticSecretSource } from '../../../src/webhooks/secrets.ts';
import { SteppingClock } from './clock.ts';
import { DynamoFaults } from './dynamo-faults.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { checkInvariants, longestWait, OWNED_FIELDS, scanAll, type InvariantReport, type OwnedFields } from './invariants.ts';
import { RecordingStore } from './recording-store.ts';

export const POLICY = DEFAULT_CADENCE;
/** After this long without faults every row has been due at least once. */
export const SETTLE_MS =
  Math.max(...[undefined, 'no_token', 'rate_limited', 'provider_error'].map((k) => longestWait({ chatId: '', lastErrorKind: k }, POLICY))) + 1_000;

export interface HarnessOptions {
  shardCount?: number;
  /** Backoff jitter (default Math.random). */
  random?: () => number;
  /** Seeds the simulator and the DynamoDB fault draws. */
  seed?: number;
  log?: Log;
  publisher?: ChangePublisher;
  sim?: Omit<GitHostSimOptions, 'clock'>;
  /**
   * The HTTP agent's header and body timeouts (default 1.5 s): short, so injected hangs end
   * quickly, yet long enough that a loaded CI machine answering a healthy request late is
   * not mistaken for a fault.
   */
  httpTimeoutMs?: number;
  /**
   * A second configured git host (another simulator behind its own proxy, on another port),
   * so rows can move between hosts. Default false.
   */
  secondHost?: boolean;
}

/** One simulated git host as the product reaches it: the simulator behind a fault proxy. */
export interface SimHost {
  sim: GitHostSim;
  proxy: FaultProxy;
}

export interface NewRow {
  chatId: string;
  ownerId: string;
  repo: Repo;
  branch?: string;
  /** Open a PR for the branch (default true). */
  pr?: boolean;
  extra?: Partial<DiffStatusRow>;
}

export const WEBHOOK_SECRET = 'soak-webhook-secret';

/** A budget no loaded CI machine runs out of; hangs end by the agent's short timeouts. */
export const TICK: TickOptions = { batchSize: 25, tickBudgetMs: 20_000, safetyMarginMs: 0, writeConcurrency: 10 };

/**
 * Everything real, on loopback: DynamoDB Local (the store's client with a fault middleware,
 * the checker's without), the git-host simulator behind a fault proxy, the GitHub provider,
 * the DynamoDB token resolver, the refresher, ticks and mark-stale, plus the history and the
 * expectations the invariant checker needs.
 */
export class Harness {
  readonly tables: TestTables;
  readonly clock: SteppingClock;
  readonly sim: GitHostSim;
  readonly proxy: FaultProxy;
  /** Every configured host; the first is `sim` / `proxy`. */
  readonly hosts: readonly SimHost[];
  readonly ddbFaults: DynamoFaults;
  readonly store: RecordingStore;
  readonly refresher: Refresher;
  readonly shardCount: number;
  readonly owned = new Map<string, OwnedFields>();
  readonly tokens = new Map<string, string>();
  readonly system: System;
  /** The webhook function over the same table (its own store, the same faults). */
  readonly receiver: WebhookReceiver;
  /**
   * Per row, the index in `store.writes` its history starts at: a row deleted and inserted
   * again is a new row, and the old one's writes say nothing about it.
   */
  readonly historyFrom = new Map<string, number>();
  /** Per row, when something outside the loop last made it due (a push, a delivery, a move). */
  readonly touchedAt = new Map<string, number>();
  readonly #storeDoc: DynamoDBDocumentClient;
  readonly #agent: ReturnType<typeof createHttpAgent>;

  private constructor(tables: TestTables, clock: SteppingClock, hosts: SimHost[], options: HarnessOptions) {
    this.tables = tables;
    this.clock = clock;
    this.hosts = hosts;
    this.sim = hosts[0]!.sim;
    this.proxy = hosts[0]!.proxy;
    this.shardCount = options.shardCount ?? 2;
    const draws = seededRandom(options.seed ?? 7).fork('dynamodb-faults');
    let faults: DynamoFaults | undefined;
    // The functions' client, with a fault middleware; the checker reads through its own (tables.doc).
    this.#storeDoc = localDocClient(tables.endpoint, {
      maxAttempts: 3,
      instrument: (client) => {
        faults = new DynamoFaults(client, () => draws.next());
        return client;
      },
    });
    this.ddbFaults = faults!;
    const timeout = options.httpTimeoutMs ?? 1_500;
    this.#agent = createHttpAgent({ connectTimeoutMs: 2_000, headersTimeoutMs: timeout, bodyTimeoutMs: timeout });
    let recording: RecordingStore | undefined;
    this.system = composeSystem({
      settings: settingsWith({
        tableName: tables.tableName,
        tokensTableName: tables.tokensTableName,
        httpCacheTableName: tables.httpCacheTableName,
        indexName: tables.indexName,
        deliveriesTableName: tables.deliveriesTableName,
        shardCount: this.shardCount,
        ...TICK,
        gitProviders: parseProviderConfigs(JSON.stringify(hosts.map((x) => ({ type: x.sim.dialect.type, webUrl: x.sim.url, apiUrl: x.proxy.apiUrl })))),
        // Twice the agent's timeouts: a trickling answer fails well before a tick's budget.
        rowTimeShareMs: 2 * timeout,
      }),
      doc: this.#storeDoc,
      observeStore: (inner) => (recording = new RecordingStore(inner, clock)),
      dispatcher: this.#agent,
      clock,
      log: options.log ?? silentLog,
      ...(options.random ? { random: options.random } : {}),
      ...(options.publisher ? { publisher: options.publisher } : {}),
    });
    this.store = recording!;
    this.refresher = this.system.refresher;
    const rows = new DynamoWebhookStore({ doc: this.#storeDoc, tableName: tables.tableName, shardCount: this.shardCount });
    const store = this.store;
    const recordedRows: WebhookRowStore = {
      candidates: (key, after, limit) => rows.candidates(key, after, limit),
      movedFrom: (chatId) => rows.movedFrom(chatId),
      markDueForWebhook: (chatId, key, receivedAt, now) => rows.markDueForWebhook(chatId, key, receivedAt, now),
      makeDueAgain: (chatId, key, receivedAt, now) => rows.makeDueAgain(chatId, key, receivedAt, now),
      async claimForWebhook(chatId, key, receivedAt, lease) {
        const sentAt = clock.now();
        const claim = await rows.claimForWebhook(chatId, key, receivedAt, lease);
        if (claim.kind === 'claimed') store.noteClaim(chatId, lease, 'delivery', sentAt);
        return claim;
      },
    };
    this.receiver = composeWebhookReceiver(this.system, {
      settings: DEFAULT_WEBHOOK_SETTINGS,
      secrets: staticSecretSource(JSON.stringify(Object.fromEntries(hosts.map((x) => [new URL(x.sim.url).host, WEBHOOK_SECRET])))),
      rows: recordedRows,
      deliveries: new DynamoDeliveryLog({ doc: this.#storeDoc, tableName: tables.deliveriesTableName }),
    });
  }

  static async create(options: HarnessOptions = {}): Promise<Harness> {
    const tables = await createTestTables();
    const clock = new SteppingClock();
    const hosts: SimHost[] = [];
    for (let i = 0; i < (options.secondHost ? 2 : 1); i++) {
      const sim = await start({ seed: `${options.seed ?? 7}-${i}`, rates: STILL_WORLD, ...options.sim, clock });
      hosts.push({ sim, proxy: await startFaultProxy(sim) });
    }
    return new Harness(tables, clock, hosts, options);
  }

  /** `host:port` of the simulated git host, as the tokens table keys it. */
  get host(): string {
    return new URL(this.sim.url).host;
  }

  repo(owner: string, name: string): Repo {
    return this.sim.world.repo(owner, name) ?? this.sim.world.addRepo(owner, name);
  }

  originOf(repo: Repo, host: SimHost = this.hosts[0]!): string {
    return host.sim.originOf(repo);
  }

  /**
   * The configured host an origin names, and the repository it names there (following moves):
   * the provider parses the origin; its path ends with the world's `owner/name`.
   */
  locate(origin: string | undefined): { host: SimHost; owner: string; name: string; repo: Repo | undefined } | undefined {
    const found = origin === undefined ? null : this.system.registry.forOrigin(origin);
    const host = this.hosts.find((x) => new URL(x.sim.url).host === found?.provider.host);
    if (!found || !host) return undefined;
    const [owner, name] = found.repo.path.split('/').slice(-2) as [string, string];
    return { host, owner, name, repo: host.sim.world.resolveRepo(owner, name)?.repo };
  }

  /** The PR's url as the product stores it for a repository of `host`. */
  pullUrlOf(repo: Repo, number: number, host: SimHost): string | undefined {
    const found = this.system.registry.forOrigin(this.originOf(repo, host));
    return found?.provider.buildPullRequestUrl({ repo: found.repo, number });
  }

  /** Links `token` for `ownerId` in the tokens table and, unless refused, the simulator. */
  async linkToken(ownerId: string, token: string, options: { hostAccepts?: boolean } = {}): Promise<void> {
    if (options.hostAccepts === false) this.tokens.delete(ownerId);
    else {
      this.tokens.set(ownerId, token);
      for (const host of this.hosts) host.sim.addToken(token, ownerId);
    }
    await this.#storeToken(ownerId, token);
  }

  /** Rows and tokens of a seeded simulator world (`seedWorld`), as the product would find them. */
  async adopt(seeded: SeededWorld): Promise<void> {
    for (const [ownerId, token] of Object.entries(seeded.tokens)) {
      this.tokens.set(ownerId, token);
      // seedWorld registered the token on the first host; the others accept it too.
      for (const host of this.hosts.slice(1)) host.sim.addToken(token, this.hosts[0]!.sim.loginOf(token) ?? ownerId);
      await this.#storeToken(ownerId, token);
    }
    await this.putRows(seeded.rows);
  }

  async #storeToken(ownerId: string, token: string): Promise<void> {
    for (const host of this.hosts) {
      const providerHost = new URL(host.sim.url).host;
      await this.tables.doc.send(new PutCommand({ TableName: this.tables.tokensTableName, Item: { ownerId, providerHost, accessToken: token } }));
    }
  }

  /** A branch in the simulator (with an open PR unless `pr: false`) and its row. */
  newRow(spec: NewRow): DiffStatusRow {
    const branchName = spec.branch ?? `${spec.ownerId}/${spec.chatId}`;
    const branch = spec.repo.branches.get(branchName) ?? this.sim.world.addBranch(spec.repo, branchName, spec.ownerId);
    const now = this.clock.now();
    if (spec.pr !== false) {
      const pr = this.sim.world.openPullRequest(spec.repo, branch, { title: `Work on ${spec.chatId}` }, now - 60_000);
      // Opened a minute ago: its CI has finished and the host knows its mergeability.
      this.sim.world.settle(pr, now - 30_000);
    }
    return {
      chatId: spec.chatId,
      ownerId: spec.ownerId,
      workspaceId: 'ws-1',
      gitRemoteOrigin: this.originOf(spec.repo),
      gitBranch: branchName,
      createdAt: now - 3_600_000,
      updatedAt: now - 3_600_000,
      staleAt: now - 1_000,
      dueSlot: onceSlot(now - 1_000),
      dueShard: dueShardFor(spec.chatId, this.shardCount),
      ...spec.extra,
    };
  }

  /** Writes rows as another service would, and remembers their owned attributes. */
  async putRows(rows: readonly DiffStatusRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 25) {
      const chunk = rows.slice(i, i + 25);
      await this.tables.doc.send(
        new BatchWriteCommand({ RequestItems: { [this.tables.tableName]: chunk.map((Item) => ({ PutRequest: { Item } })) } }),
      );
    }
    for (const row of rows) this.owned.set(row.chatId, pickOwned(row));
  }

  tick(options: Partial<TickOptions> = {}, overrides: Partial<TickDeps> = {}): Promise<TickSummary> {
    return this.system.tick(options, overrides);
  }

  /** The push hook; expectations follow what it wrote, also when a fault cut it short. */
  async markStale(chatIds: readonly string[], branch: string, origin: string): Promise<void> {
    const wanted = { gitBranch: branch.trim(), gitRemoteOrigin: stripOriginCredentials(origin) };
    for (const chatId of chatIds) this.touch(chatId);
    try {
      await this.system.markStale({ chatIds, branch, origin });
      for (const chatId of chatIds) this.#expect(chatId, wanted);
    } catch {
      for (const chatId of chatIds) {
        const row = await this.row(chatId);
        if (row?.gitBranch === wanted.gitBranch && row.gitRemoteOrigin === wanted.gitRemoteOrigin) this.#expect(chatId, wanted);
      }
    }
  }

  /** Notes that something outside the loop made `chatId` due now (the cadence check allows its refresh). */
  touch(chatId: string): void {
    this.touchedAt.set(chatId, this.clock.now());
  }

  /** A row deleted and inserted again: a new row as far as the history goes. */
  async reinsert(row: DiffStatusRow): Promise<void> {
    await this.tables.doc.send(new DeleteCommand({ TableName: this.tables.tableName, Key: { chatId: row.chatId } }));
    this.historyFrom.set(row.chatId, this.store.writes.length);
    this.touch(row.chatId);
    await this.putRows([row]);
  }

  async row(chatId: string): Promise<DiffStatusRow | undefined> {
    const out = await this.tables.doc.send(new GetCommand({ TableName: this.tables.tableName, Key: { chatId }, ConsistentRead: true }));
    return out.Item as DiffStatusRow | undefined;
  }

  /** The row's HTTP cache item's entries (the cache table's), undefined without an item. */
  async httpCache(chatId: string): Promise<unknown> {
    const out = await this.tables.doc.send(new GetCommand({ TableName: this.tables.httpCacheTableName, Key: { chatId }, ConsistentRead: true }));
    return out.Item?.['entries'];
  }

  /** Every row, by chat id, in one consistent scan (gitsync's own bookkeeping items left out). */
  async rows(): Promise<Map<string, DiffStatusRow>> {
    const rows = await scanAll(this.tables.doc, this.tables.tableName);
    return new Map(rows.filter((row) => !isBookkeepingItem(row.chatId)).map((row) => [row.chatId, row]));
  }

  check(): Promise<InvariantReport> {
    return checkInvariants({
      doc: this.tables.doc,
      tableName: this.tables.tableName,
      now: this.clock.now(),
      policy: POLICY,
      shardCount: this.shardCount,
      owned: this.owned,
      writes: this.store.writes.filter((w, i) => i >= (this.historyFrom.get(w.chatId) ?? 0)),
      touchedAt: this.touchedAt,
    });
  }

  /** Ends every fault. */
  heal(): void {
    this.ddbFaults.clear();
    for (const host of this.hosts) host.proxy.faults.clear();
  }

  /**
   * Liveness: stops all faults, lets every backoff run out (`SETTLE_MS`, the longest wait of
   * any outcome) and ticks until nothing is due; returns the rows whose host is reachable
   * (configured, token linked) that do not show their branch's PR as the host has it now,
   * whatever moved before (host, repository name, branch reuse, cache, answer size).
   * The machine itself can still fail a request (a loaded CI host answering after the agent's
   * short timeout): a row that failed that way gets its next retries, `retryRounds` error
   * backoffs later, before it counts as missed.
   */
  async settle(maxTicks = 40, retryRounds = 3): Promise<string[]> {
    this.heal();
    const stoppedAt = this.clock.now();
    this.clock.advance(SETTLE_MS);
    this.#advanceWorlds();
    let missed: string[] = [];
    for (let round = 0; round <= retryRounds; round++) {
      if (round > 0) {
        this.clock.advance(POLICY.errorCapMs * (1 + POLICY.errorJitterRatio) + 1_000);
        this.#advanceWorlds();
      }
      // The first round ticks through one sweep of the due index, 10 s apart as the loop does:
      // a row an outside writer put under a shard beyond the mark is found by it (README).
      const sweep = round === 0 ? SWEEP_SEGMENTS : 0;
      for (let i = 0; i < maxTicks + sweep; i++) {
        const summary = await this.tick();
        if (i >= sweep && summary.claimed === 0 && !summary.backlog) break;
        if (i < sweep) this.clock.advance(BUCKET_MS);
      }
      missed = await this.#notShowingTruth(stoppedAt);
      if (missed.length === 0) break;
    }
    return missed;
  }

  #advanceWorlds(): void {
    for (const host of this.hosts) host.sim.world.advanceTo(this.clock.now());
  }

  async #notShowingTruth(stoppedAt: number): Promise<string[]> {
    const missed: string[] = [];
    const rows = await this.rows();
    for (const [chatId, owned] of this.owned) {
      if (owned.archived === true || !owned.ownerId || !this.tokens.has(owned.ownerId) || !owned.gitBranch) continue;
      const where = this.locate(owned.gitRemoteOrigin);
      const branch = where?.repo?.branches.get(owned.gitBranch);
      if (!where?.repo || !branch) continue;
      const row = rows.get(chatId);
      const pulls = branch.pulls.map((n) => where.repo!.pulls.get(n)!);
      const open = pulls.filter((pr) => pr.state === 'open').sort((a, b) => b.updatedAt - a.updatedAt)[0];
      const problem = open
        ? showsPull(row, open, (n) => this.pullUrlOf(where.repo!, n, where.host), stoppedAt)
        : row?.url === undefined
          ? null // nothing open and nothing shown: the branch has no PR to show
          : showsPull(row, pulls.at(-1), (n) => this.pullUrlOf(where.repo!, n, where.host), stoppedAt);
      if (problem) missed.push(`${chatId}: ${problem} (${row?.lastErrorKind ?? 'no error'})`);
    }
    return missed;
  }

  #expect(chatId: string, fields: Partial<OwnedFields>): void {
    const owned = this.owned.get(chatId);
    if (owned) this.owned.set(chatId, { ...owned, ...fields });
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.hosts.flatMap((x) => [x.proxy.close(), x.sim.close()]));
    await this.#agent.close().catch(() => {});
    this.#storeDoc.destroy();
    await this.tables.close();
  }
}

/**
 * Why a row does not show `pr` as the host has it now (its url `urlOf(number)`), or null. A PR
 * that changed after the row's refresh is not held against it: the next refresh shows it.
 */
function showsPull(row: DiffStatusRow | undefined, pr: PullRequest | undefined, urlOf: (number: number) => string | undefined, stoppedAt: number): string | null {
  if (!row || !pr) return `shows ${row?.url ?? 'nothing'}, expected no PR`;
  if ((row.refreshedAt ?? 0) < stoppedAt) return 'not refreshed after faults stopped';
  const state = pr.state === 'open' ? 'open' : pr.merged ? 'merged' : 'closed';
  const title = boundText(pr.title);
  const wrong =
    row.url !== urlOf(pr.number) ? `url ${row.url}` :
    row.pullRequestState !== state ? `state ${row.pullRequestState}` :
    row.headBranch !== pr.headRef ? `the PR of branch ${row.headBranch}` :
    row.pullRequestTitle !== title ? `title ${JSON.stringify(row.pullRequestTitle?.slice(0, 40))}` : null;
  if (wrong === null || pr.updatedAt > row.refreshedAt!) return null;
  return `shows ${wrong}, expected ${urlOf(pr.number)} ${state}`;
}

/** No evolution: the world only changes when a test changes it. */
export const STILL_WORLD = { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0, ciFinish: 0 };

function pickOwned(row: DiffStatusRow): OwnedFields {
  const out: OwnedFields = {};
  for (const field of OWNED_FIELDS) {
    if (row[field] !== undefined) (out as Record<string, unknown>)[field] = row[field];
  }
  return out;
}

/** Polls `condition` until it holds; fails after `ms` so a broken scenario cannot hang the run. */
export async function waitFor(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const giveUpAt = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > giveUpAt) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
