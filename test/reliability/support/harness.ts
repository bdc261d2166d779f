import { BatchWriteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { seededRandom } from '../../../src/dev/git-host-sim/prng.ts';
import { start, type GitHostSim, type GitHostSimOptions } from '../../../src/dev/git-host-sim/server.ts';
import type { SeededWorld } from '../../../src/dev/git-host-sim/seed.ts';
import type { Repo } from '../../../src/dev/git-host-sim/world.ts';
import { silentLog, type Log } from '../../../src/domain/log.ts';
import type { DiffStatusRow } from '../../../src/domain/row.ts';
import { parseProviderConfigs } from '../../../src/providers/config.ts';
import { createHttpAgent } from '../../../src/providers/http/agent.ts';
import { stripOriginCredentials } from '../../../src/providers/origin-credentials.ts';
import { DEFAULT_CADENCE } from '../../../src/cadence/policy.ts';
import type { ChangePublisher } from '../../../src/refresh/change-publisher.ts';
import { Refresher } from '../../../src/refresh/refresher.ts';
import type { TickDeps, TickOptions } from '../../../src/refresh/tick.ts';
import type { TickSummary } from '../../../src/refresh/tick-summary.ts';
import { composeSystem, type System } from '../../../src/system/compose.ts';
import { settingsWith } from '../../../src/system/settings.ts';
import { dueShardFor } from '../../../src/store/shard.ts';
import { createTestTables, localDocClient, type TestTables } from '../../support/dynamodb.ts';
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
  readonly ddbFaults: DynamoFaults;
  readonly store: RecordingStore;
  readonly refresher: Refresher;
  readonly shardCount: number;
  readonly owned = new Map<string, OwnedFields>();
  readonly tokens = new Map<string, string>();
  readonly system: System;
  readonly #storeDoc: DynamoDBDocumentClient;
  readonly #agent: ReturnType<typeof createHttpAgent>;

  private constructor(tables: TestTables, clock: SteppingClock, sim: GitHostSim, proxy: FaultProxy, options: HarnessOptions) {
    this.tables = tables;
    this.clock = clock;
    this.sim = sim;
    this.proxy = proxy;
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
        indexName: tables.indexName,
        shardCount: this.shardCount,
        ...TICK,
        gitProviders: parseProviderConfigs(JSON.stringify([{ type: 'github', webUrl: sim.url, apiUrl: proxy.apiUrl }])),
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
  }

  static async create(options: HarnessOptions = {}): Promise<Harness> {
    const tables = await createTestTables();
    const clock = new SteppingClock();
    const sim = await start({ seed: options.seed ?? 7, rates: STILL_WORLD, ...options.sim, clock });
    const proxy = await startFaultProxy(sim.url);
    return new Harness(tables, clock, sim, proxy, options);
  }

  /** `host:port` of the simulated git host, as the tokens table keys it. */
  get host(): string {
    return new URL(this.sim.url).host;
  }

  repo(owner: string, name: string): Repo {
    return this.sim.world.repo(owner, name) ?? this.sim.world.addRepo(owner, name);
  }

  originOf(repo: Repo): string {
    return `${this.sim.url}/${repo.owner}/${repo.name}.git`;
  }

  /** Links `token` for `ownerId` in the tokens table and, unless refused, the simulator. */
  async linkToken(ownerId: string, token: string, options: { hostAccepts?: boolean } = {}): Promise<void> {
    if (options.hostAccepts === false) this.tokens.delete(ownerId);
    else {
      this.tokens.set(ownerId, token);
      this.sim.addToken(token, ownerId);
    }
    await this.#storeToken(ownerId, token);
  }

  /** Rows and tokens of a seeded simulator world (`seedWorld`), as the product would find them. */
  async adopt(seeded: SeededWorld): Promise<void> {
    for (const [ownerId, token] of Object.entries(seeded.tokens)) {
      this.tokens.set(ownerId, token);
      await this.#storeToken(ownerId, token);
    }
    await this.putRows(seeded.rows);
  }

  async #storeToken(ownerId: string, token: string): Promise<void> {
    await this.tables.doc.send(
      new PutCommand({ TableName: this.tables.tokensTableName, Item: { ownerId, providerHost: this.host, accessToken: token } }),
    );
  }

  /** A branch in the simulator (with an open PR unless `pr: false`) and its row. */
  newRow(spec: NewRow): DiffStatusRow {
    const branchName = spec.branch ?? `${spec.ownerId}/${spec.chatId}`;
    const branch = spec.repo.branches.get(branchName) ?? this.sim.world.addBranch(spec.repo, branchName, spec.ownerId);
    const now = this.clock.now();
    if (spec.pr !== false) this.sim.world.openPullRequest(spec.repo, branch, { title: `Work on ${spec.chatId}` }, now - 60_000);
    return {
      chatId: spec.chatId,
      ownerId: spec.ownerId,
      workspaceId: 'ws-1',
      gitRemoteOrigin: this.originOf(spec.repo),
      gitBranch: branchName,
      createdAt: now - 3_600_000,
      updatedAt: now - 3_600_000,
      staleAt: now - 1_000,
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

  async row(chatId: string): Promise<DiffStatusRow | undefined> {
    const out = await this.tables.doc.send(new GetCommand({ TableName: this.tables.tableName, Key: { chatId }, ConsistentRead: true }));
    return out.Item as DiffStatusRow | undefined;
  }

  /** Every row, by chat id, in one consistent scan. */
  async rows(): Promise<Map<string, DiffStatusRow>> {
    return new Map((await scanAll(this.tables.doc, this.tables.tableName)).map((row) => [row.chatId, row]));
  }

  check(): Promise<InvariantReport> {
    return checkInvariants({
      doc: this.tables.doc,
      tableName: this.tables.tableName,
      now: this.clock.now(),
      policy: POLICY,
      shardCount: this.shardCount,
      owned: this.owned,
      writes: this.store.writes,
    });
  }

  /** Ends every fault. */
  heal(): void {
    this.ddbFaults.clear();
    this.proxy.faults.clear();
  }

  /**
   * Liveness: once faults stop, every pollable row with a token and an open PR is refreshed
   * within the longest backoff. Moves the clock past it, ticks until nothing is due, and
   * returns the rows that were not refreshed since faults stopped.
   */
  /**
   * Stops all faults, lets every backoff run out and ticks until nothing is due; returns the
   * rows with a token and an open PR that were not refreshed with their own branch's PR.
   * The machine itself can still fail a request (a loaded CI host answering after the agent's
   * short timeout): a row that failed that way gets its next retries, `retryRounds` error
   * backoffs later, before it counts as missed.
   */
  async settle(maxTicks = 40, retryRounds = 3): Promise<string[]> {
    this.heal();
    const stoppedAt = this.clock.now();
    this.clock.advance(SETTLE_MS);
    this.sim.world.advanceTo(this.clock.now());
    const eligible = [...this.owned].filter(([, row]) => this.#hasOpenPull(row)).map(([chatId]) => chatId);
    let missed: string[] = [];
    for (let round = 0; round <= retryRounds; round++) {
      if (round > 0) {
        this.clock.advance(POLICY.errorCapMs * (1 + POLICY.errorJitterRatio) + 1_000);
        this.sim.world.advanceTo(this.clock.now());
      }
      for (let i = 0; i < maxTicks; i++) {
        const summary = await this.tick();
        if (summary.claimed === 0 && !summary.backlog) break;
      }
      missed = await this.#missedSince(stoppedAt, eligible);
      if (missed.length === 0) break;
    }
    return missed;
  }

  async #missedSince(stoppedAt: number, eligible: string[]): Promise<string[]> {
    const missed: string[] = [];
    const rows = await this.rows();
    for (const chatId of eligible) {
      const owned = this.owned.get(chatId)!;
      if (!this.#hasOpenPull(owned)) continue; // closed meanwhile by the world's evolution
      const row = rows.get(chatId);
      if (!row || (row.refreshedAt ?? 0) < stoppedAt) missed.push(`${chatId}: not refreshed after faults stopped (${row?.lastErrorKind ?? 'no error'})`);
      else if (row.headBranch !== owned.gitBranch) missed.push(`${chatId}: shows the PR of branch ${row.headBranch}, not of ${owned.gitBranch}`);
    }
    return missed;
  }

  #hasOpenPull(row: OwnedFields): boolean {
    if (row.archived === true || !row.ownerId || !this.tokens.has(row.ownerId) || !row.gitBranch) return false;
    const match = /\/([^/]+)\/([^/]+?)\.git$/.exec(row.gitRemoteOrigin ?? '');
    if (!match || row.gitRemoteOrigin !== `${this.sim.url}/${match[1]}/${match[2]}.git`) return false;
    const repo = this.sim.world.repo(match[1]!, match[2]!);
    return repo !== undefined && this.sim.world.openPullsFor(repo, row.gitBranch).length > 0;
  }

  #expect(chatId: string, fields: Partial<OwnedFields>): void {
    const owned = this.owned.get(chatId);
    if (owned) this.owned.set(chatId, { ...owned, ...fields });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.proxy.close(), this.sim.close()]);
    await this.#agent.close().catch(() => {});
    this.#storeDoc.destroy();
    await this.tables.close();
  }
}

/** No evolution: the world only changes when a test changes it. */
export const STILL_WORLD = { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0 };

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
