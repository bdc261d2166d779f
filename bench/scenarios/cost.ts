import { webhookHostsAt } from '../../src/cadence/next-due.ts';
import { DEFAULT_CADENCE, type CadencePolicy } from '../../src/cadence/policy.ts';
import { etagFor } from '../../src/dev/git-host-sim/etag.ts';
import { seededRandom, type Random } from '../../src/dev/git-host-sim/prng.ts';
import { systemClock, type Clock } from '../../src/domain/clock.ts';
import { NoTokenError } from '../../src/domain/errors.ts';
import type { ConditionalCacheEntries, DiffStatusRow, PullRequestStatus } from '../../src/domain/row.ts';
import { markStale } from '../../src/ops/mark-stale.ts';
import { tokenLinked } from '../../src/ops/token-linked.ts';
import { refreshNow } from '../../src/ops/refresh-now.ts';
import type { ChangePublisher } from '../../src/refresh/change-publisher.ts';
import type { RefreshResult } from '../../src/domain/refresh-result.ts';
import type { RowRefresher } from '../../src/refresh/pipeline.ts';
import { RememberedCaches } from '../../src/refresh/remembered-caches.ts';
import { RememberedTokens } from '../../src/tokens/remembered-tokens.ts';
import type { TokenResolver } from '../../src/tokens/token-resolver.ts';
import { DEFAULT_PROVIDERS } from '../../src/providers/config.ts';
import { sharedHttpAgent } from '../../src/providers/http/agent.ts';
import { createProviderRegistry } from '../../src/providers/registry.ts';
import { runTick } from '../../src/refresh/tick.ts';
import { emptySummary, type TickSummary } from '../../src/refresh/tick-summary.ts';
import { leadTask, workerTask, type SlotParts } from '../../src/loop/slot.ts';
import { reportTick } from '../../src/handler/tick-metrics.ts';
import { reportDelivery, reportRedeliveryPass } from '../../src/handler/webhook-metrics.ts';
import { powertoolsLog } from '../../src/handler/powertools-log.ts';
import { BILL_PRICES, EXECUTIONS_PER_MONTH, InvocationMeter, monthlyBill, SLOTS_PER_MONTH, templateDefaults, type MonthQuantities } from '../bill.ts';
import { onceSlot } from '../../src/store/due-slot.ts';
import { itemSize } from '../../src/store/item-size.ts';
import { repoBranchKey } from '../../src/store/repo-branch-key.ts';
import { MemoryStore, type CapacityCharge } from '../stores/memory-store.ts';
import { MemoryHttpCache } from '../stores/memory-http-cache.ts';
import { httpCacheExpiry } from '../../src/store/http-cache-store.ts';
import { dueShardFor, parsePartition } from '../../src/store/shard.ts';
import type { Store } from '../../src/store/store.ts';
import { CapacityMeter, type CapacityTotals } from '../capacity-meter.ts';
import { byteCountingAgent } from '../request-bytes.ts';
import { PRICES } from '../cost.ts';
import { distribution } from '../stats.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { createWorker, type WorkerSettings } from '../worker.ts';
import { createWorld, type DueIndexDesign } from '../world.ts';
import { FIXED_CADENCE } from '../fixed-cadence.ts';
import { tableAlias } from './freshness.ts';
import { round } from './tick-speed.ts';
import { webhooks } from './webhooks.ts';

/** A design as the bench runs it: today's (row leases, fixed 120 s) and the new one (slots, adaptive). */
export interface Design {
  name: 'baseline' | 'gitsync';
  store: DueIndexDesign;
  cadence: CadencePolicy;
}
const BASELINE: Design = { name: 'baseline', store: 'row-lease', cadence: FIXED_CADENCE };
const GITSYNC: Design = { name: 'gitsync', store: 'slots', cadence: DEFAULT_CADENCE };

const CALIBRATION_ROWS = 200;
/** The bill is computed at template.yaml's defaults (shards, batch, concurrency, memory, tracing, alarms...). */
export const DEFAULTS = templateDefaults();
const SETTINGS: WorkerSettings = {
  concurrency: DEFAULTS.concurrency,
  perTokenConcurrency: DEFAULTS.perTokenConcurrency,
  batchSize: DEFAULTS.batchSize,
  tickBudgetMs: DEFAULTS.tickBudgetMs,
  safetyMarginMs: DEFAULTS.safetyMarginMs,
};
const SLOT_MS = 10_000;
/** The webhook function's scheduled redelivery pass (template.yaml: rate(5 minutes)). */
const REDELIVERY_PASS_MS = 5 * 60_000;

/** The safety cadences the cost section bills an App host at: other webhook hosts' (webhookSafetyTtlMs), the App default (appSafetyTtlMs), and longer. */
export const APP_SAFETY_TTLS_MS = [DEFAULT_CADENCE.webhookSafetyTtlMs, DEFAULT_CADENCE.appSafetyTtlMs, 6 * 3_600_000] as const;

/** A week on an App host: the App's webhook with the redelivery pass, and the safety cadence its open PRs poll at. */
export interface AppWeek {
  safetyTtlMs: number;
}
const DAY = 86_400_000;
const HOUR = 3_600_000;

export const MIX =
  'of every 100 rows: 40 open PRs (10 changing about hourly, 30 quiet for days: a change every ~3 days), 35 merged or closed (no change), ' +
  '15 branches with no PR yet (half pushed in the last hour, each pushed again about daily), 10 owners without a token';

// ------------------------------------------------------------------ calibration on DynamoDB Local

interface Units {
  wru: number;
  rru: number;
}

export interface Calibration {
  design: Design['name'];
  store: 'dynamodb-local' | 'in-memory';
  rows: number;
  /** Per refresh, the row's own operations (claim or read, write-back), tick overhead apart. */
  unchanged: Units;
  changed: Units;
  /** One tick that finds nothing due (lease, due-index query, release). */
  idleTick: Units;
  /** Mean size of a refreshed row, bytes (DynamoDB's rules). */
  rowBytes: number;
  /**
   * The HTTP cache table's units per refresh (its BatchGetItem share, its PutItem when the
   * validators changed), apart from the row's, and its mean item size in bytes.
   */
  cache: { unchanged: Units; changed: Units; itemBytes: number };
  /** Read units of one tokens-table GetItem (the Refresher's look-up of an owner's token), as DynamoDB reported them. */
  tokenReadRru: number;
  /** Bytes gitsync's HTTP client wrote per host API request (request line, headers), measured on the wire. */
  requestBytes: number;
  /** A refreshed open PR's cache and checks, as the real pipeline stored them: the simulated week's rows carry the same. */
  sample: RowSample;
}

/**
 * What the simulated week's PR rows carry besides their PR fields, taken from a row the real
 * pipeline refreshed against the simulated GitHub (GitHub-shaped ETags, its check runs and
 * statuses): without them the week's rows would be smaller than real ones, and DynamoDB bills
 * each write by the whole row's size, a unit per started KB.
 */
export type RowSample = Pick<DiffStatusRow, 'checks' | 'mergeable' | 'headSha'> & {
  /** Its HTTP cache item's entries (the cache table's, not the row's): the week's cache items are as large. */
  httpCache?: ConditionalCacheEntries;
};

/** A tick that remembers no cache item: the calibration measures what each refresh's table calls cost (the week models the memory). */
const UNREMEMBERED = { rememberedCaches: new RememberedCaches(0) };

/**
 * Runs the real pipeline (real tick, real GitHub provider, simulated host, no latency) over
 * `CALIBRATION_ROWS` rows that all have a PR: a first pass, a pass where nothing changed
 * (every answer a 304) and a pass after every PR changed (its draft flag), and reads what each
 * pass consumed. `store: 'in-memory'` runs the same passes on `MemoryStore` and its charges,
 * to check the model the simulated week bills with.
 */
export async function calibrate(endpoint: string, design: Design, store: 'dynamodb-local' | 'in-memory'): Promise<Calibration> {
  const clock = new VirtualClock(Date.UTC(2026, 10, 30, 12));
  const t0 = clock.now() + 60_000;
  const world = await createWorld({
    endpoint, clock, rows: CALIBRATION_ROWS, owners: 20, shardCount: DEFAULTS.shardCount, latencyMs: 0, seed: 1_111, design: design.store, staleAt: () => t0,
  });
  const meter = new CapacityMeter(tableAlias);
  const charges: Units = { wru: 0, rru: 0 };
  const memory = store === 'in-memory' ? new MemoryStore({ shardCount: DEFAULTS.shardCount, clock, onCharge: (c) => add(charges, c) }) : undefined;
  const cacheCharges: Units = { wru: 0, rru: 0 };
  const memoryCache = store === 'in-memory' ? new MemoryHttpCache({ clock, onCharge: (c) => add(cacheCharges, c) }) : undefined;
  for (const row of world.rows) memory?.put(row);
  const wire = byteCountingAgent();
  const worker = createWorker(world.config, SETTINGS, clock, {
    dispatcher: wire.agent,
    setupClient: (c) => meter.attach(c),
    cadence: design.cadence,
    ...(memory ? { store: memory as Store } : {}),
    ...(memoryCache ? { httpCache: memoryCache } : {}),
  });
  const consumed = (): Units => {
    if (memory) return { ...charges };
    const t = tableOnly(meter.totals(), 'diff-status');
    return { wru: t.write, rru: t.read };
  };
  const consumedCache = (): Units => {
    if (memoryCache) return { ...cacheCharges };
    const t = tableOnly(meter.totals(), 'http-cache');
    return { wru: t.write, rru: t.read };
  };
  const since = (before: Units, now = consumed()): Units => ({ wru: now.wru - before.wru, rru: now.rru - before.rru });
  const drain = async (): Promise<{ refreshes: number; ticks: number }> => {
    const before = worker.refreshes.length;
    let ticks = 0;
    for (;;) {
      const summary = await worker.system.tick({}, UNREMEMBERED);
      ticks += 1;
      if (summary.claimed === 0 && !summary.backlog) break;
    }
    return { refreshes: worker.refreshes.length - before, ticks };
  };
  try {
    clock.skipTo(t0);
    await drain();
    clock.skipTo(clock.now() + SLOT_MS);
    let mark = consumed();
    await worker.system.tick({}, UNREMEMBERED);
    const idleTick = since(mark);
    const pass = async (): Promise<{ refreshes: number; used: Units; cache: Units }> => {
      clock.skipTo(clock.now() + DEFAULT_CADENCE.successTtlMs + SLOT_MS);
      const start = consumed();
      const cacheStart = consumedCache();
      const { refreshes, ticks } = await drain();
      const used = since(start);
      // A tick that claims nothing reads no cache: the cache table's units are all the refreshes'.
      return { refreshes, used: { wru: used.wru - ticks * idleTick.wru, rru: used.rru - ticks * idleTick.rru }, cache: since(cacheStart, consumedCache()) };
    };
    const quiet = await pass();
    const unchanged = { wru: quiet.used.wru / quiet.refreshes, rru: quiet.used.rru / quiet.refreshes };
    const cacheUnchanged = { wru: quiet.cache.wru / quiet.refreshes, rru: quiet.cache.rru / quiet.refreshes };
    // Every open PR changes (its draft flag); merged and closed ones cannot, and are refreshed unchanged.
    let opened = 0;
    for (const repo of world.sim.world.repos()) {
      for (const pr of repo.pulls.values()) {
        if (pr.state !== 'open') continue;
        world.sim.world.setDraft(pr, !pr.draft, clock.now());
        opened += 1;
      }
    }
    const busy = await pass();
    const still = busy.refreshes - opened;
    const changed = { wru: (busy.used.wru - still * unchanged.wru) / opened, rru: (busy.used.rru - still * unchanged.rru) / opened };
    const cacheChanged = { wru: (busy.cache.wru - still * cacheUnchanged.wru) / opened, rru: (busy.cache.rru - still * cacheUnchanged.rru) / opened };
    const rows = memory ? [...memory.rows.values()] : await scanRows(worker, world.rows.map((r) => r.chatId));
    // The cache items as the table holds them (read after the passes: not in their units).
    const caches = [...(await worker.system.tickDeps().httpCache.read(world.rows.map((r) => r.chatId))).entries()];
    const itemBytes = caches.reduce((sum, [chatId, entries]) => sum + itemSize({ chatId, entries, expiresAt: httpCacheExpiry(clock.now()) }), 0) / Math.max(1, caches.length);
    const tokenReads = meter.totals()['GetItem tokens'];
    return {
      design: design.name,
      store,
      rows: CALIBRATION_ROWS,
      unchanged: roundUnits(unchanged),
      changed: roundUnits(changed),
      idleTick: roundUnits(idleTick),
      rowBytes: Math.round(rows.reduce((sum, r) => sum + itemSize(r), 0) / rows.length),
      cache: { unchanged: roundUnits(cacheUnchanged), changed: roundUnits(cacheChanged), itemBytes: Math.round(itemBytes) },
      tokenReadRru: tokenReads && tokenReads.calls > 0 ? round(tokenReads.read / tokenReads.calls, 3) : 0,
      requestBytes: Math.round(wire.bytesWritten() / Math.max(1, world.sim.stats.snapshot().requests)),
      sample: sampleOf(rows, caches),
    };
  } finally {
    worker.close();
    await wire.agent.close();
    await world.close();
  }
}

/** The first open PR with its cache and checks; throws when the calibration refreshed none (the week would bill rows too small). */
function sampleOf(rows: readonly DiffStatusRow[], caches: readonly [string, unknown][]): RowSample {
  const cacheOf = new Map(caches);
  const usable = (entries: unknown): entries is ConditionalCacheEntries => typeof entries === 'object' && entries !== null && Object.keys(entries).length > 0;
  const row = rows.find((r) => r.pullRequestState === 'open' && r.checks && r.headSha && usable(cacheOf.get(r.chatId)));
  if (!row) throw new Error('calibration: no refreshed open PR with checks and a cache item to size the week\'s rows by');
  return { httpCache: cacheOf.get(row.chatId) as ConditionalCacheEntries, checks: row.checks, mergeable: row.mergeable, headSha: row.headSha };
}

async function scanRows(worker: { system: { store: Store } }, chatIds: string[]): Promise<DiffStatusRow[]> {
  const rows = await Promise.all(chatIds.map((id) => worker.system.store.getRow(id)));
  return rows.filter((r): r is DiffStatusRow => r !== null);
}

/** One table's units (its label, e.g. `diff-status`, `http-cache`: its indexes included). */
function tableOnly(totals: CapacityTotals, table: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const [label, t] of Object.entries(totals)) {
    if (!label.includes(table)) continue;
    read += t.read;
    write += t.write;
  }
  return { read, write };
}

function add(into: Units, c: CapacityCharge): void {
  into.wru += c.write;
  into.rru += c.read;
}

function roundUnits(u: Units): Units {
  return { wru: round(u.wru, 3), rru: round(u.rru, 3) };
}

// ------------------------------------------------------------------ the simulated week

type Kind = 'active' | 'quiet' | 'closed' | 'noPr' | 'noToken';

/**
 * The path a change reaches its row by, for change-to-row per path: an ordinary change of an
 * active or quiet PR, and the slow paths: a closed PR reopened, a PR opened on a tracked branch,
 * a token linked for an owner that had none, a change whose webhook delivery was lost (the
 * safety poll finds it).
 */
export const CHANGE_PATHS = ['active', 'quiet', 'reopened', 'prOpened', 'tokenLinked', 'lostDelivery'] as const;
export type ChangePath = (typeof CHANGE_PATHS)[number];
/** Of each class, the share that takes its slow path once in the run (at a random instant), and the share of deliveries lost. */
export const SLOW_PATHS = { reopened: 1 / 7, prOpened: 1 / 3, tokenLinked: 1 / 2, lostDeliveries: 0.05 } as const;

interface SimRow {
  chatId: string;
  kind: Kind;
  status: PullRequestStatus;
  /** When the PR changed (sorted), and the change before the week (for "active"). */
  changes: number[];
  /** Changes that came by a slow path (their instant in `changes`); a lost delivery's change is added when the delivery is dropped. */
  paths: Map<number, ChangePath>;
  /** A closed PR reopened, a branch's PR opened, the owner's token linked: from then on the row answers as an open PR. */
  reopensAt?: number;
  opensAt?: number;
  tokenAt?: number;
  changedBefore: number;
  /** Changes already shown by a refresh, and when the row last showed a new one. */
  shown: number;
  shownChangeAt: number;
  pushes: number[];
}

export interface WeekResult {
  rows: number;
  days: number;
  /** Webhook deliveries received (one per PR change and per push, on a host that sends them); 0 in a polling-only week. */
  deliveries: number;
  /** Host API requests of the refreshes the deliveries ran (inside the webhook function); also in `apiRequests`. */
  deliveryApiRequests: number;
  refreshes: number;
  /** Refreshes by the row's class in `MIX`, to show where they go. */
  refreshesByKind: Record<Kind, number>;
  /** Write-backs of a successful PR refresh (today's design publishes an event for each). */
  prRefreshes: number;
  unchangedRefreshes: number;
  changedRefreshes: number;
  /** Model units of the rows' own operations (charges of `MemoryStore`). */
  rowWru: { unchanged: number; changed: number; other: number };
  rowRru: number;
  /**
   * The loop's own units, as the store charged them: shard-mark reads, shard leases and their
   * release, the lead's census; due-index queries (here and in the census) by the bytes each
   * read, so a bigger table's queries can be priced from the same calls.
   */
  loop: { wru: number; rru: number; queryBytes: Map<number, number> };
  /**
   * The HTTP cache table's units of the loop's refreshes (a BatchGetItem per batch, a PutItem
   * only when a row's validators changed: `writes`), and its stored bytes per row at the end
   * (items and DynamoDB's 100 bytes of overhead each).
   */
  /** The HTTP cache table's units; `recalled`: items the container's memory answered (no read). */
  cache: { wru: number; rru: number; writes: number; bytesPerRow: number; recalled: number };
  /**
   * Tokens-table GetItems of the loop's refreshes: the Refresher looks each owner's token up once
   * per batch, through the container's memory (`RememberedTokens`): a read when it does not hold it.
   */
  tokenReads: number;
  /** The look-ups themselves (one per owner and host per batch): what a container that remembers nothing reads. */
  tokenLookups: number;
  /** Deliveries lost (failed at the function), and of them those an App's redelivery pass had sent again; the passes and their billed ms. */
  lostDeliveries: number;
  redeliveries: number;
  redeliveryPasses: number;
  redeliveryPassMs: number;
  redeliveryLogBytes: number;
  /** The model's units of the deliveries' own row operations (billed instead at what DynamoDB Local measured per delivery). */
  deliveryModel: { wru: number; rru: number };
  apiRequests: number;
  events: number;
  pushes: number;
  /** Slots simulated, and the refresh function's invocations in them (leads, workers, reruns on a backlog). */
  slots: number;
  ticks: number;
  /** Billed milliseconds of the refresh function's invocations (tick base time plus its host requests over CONCURRENCY). */
  refreshBilledMs: number;
  /** The loop's Express executions (one a minute) and their billed time: 50 s to the last slot, that slot's invocations, by the 100 ms. */
  executions: number;
  executionBilledMs: number;
  /** What the refresh and webhook functions logged and the metric series they emitted (`InvocationMeter`). */
  logs: { refreshInvocationBytes: number; refreshRowBytes: number; webhookBytes: number; seriesCount: number; seriesHours: number };
  /** Of the rows in the due index, the share in a shard's base partition (not in a bucket), sampled hourly. */
  basePartitionShare: number;
  changeToRow: Record<ChangePath, number[]>;
}

/** The loop's own operations (shard leases, due-index reads, the lead's census): billed on the loop's line, not the rows'. */
const LOOP_OPERATIONS: ReadonlySet<CapacityCharge['operation']> = new Set(['lease', 'release', 'query', 'census', 'sweep']);

/**
 * A week of virtual time in memory, at the template's defaults (shards, batch size, fan-out):
 * each slot runs the real slot lead (census, then one tick or the workers' ticks), the real
 * tick, write-back plan, cadence and `MemoryStore` (which bills each operation by DynamoDB's
 * rules, the loop's own leases, queries and census included), with a model host in place of
 * HTTP: each PR's changes are drawn in advance (`MIX`), a refresh sees every change up to its
 * instant, and the change-to-row latency is the time from a change to the refresh that showed
 * it. Every invocation reports as the handler does (`reportTick`) into an `InvocationMeter`.
 * `webhooks`: the host sends a delivery for every PR change and every push; each delivery
 * refreshes its row at once as the webhook function does (`refreshNow`: the same refresh and
 * fenced write-back) and reports as the webhook handler does (`reportDelivery`).
 */
export async function simulateWeek(
  design: Design,
  rowCount: number,
  sample: RowSample,
  days = 7,
  webhooks = false,
  deliveryOwnMs = 0,
  app?: AppWeek,
): Promise<WeekResult> {
  const rng = seededRandom(2_026);
  const t0 = Date.UTC(2026, 10, 30, 0);
  const end = t0 + days * DAY;
  const clock = { current: t0, now(): number { return this.current; }, sleep: systemClock.sleep, abortAfter: systemClock.abortAfter };
  let category: 'unchanged' | 'changed' | 'other' = 'other';
  /** Inside a delivery's refresh: its units are the webhook path's, measured per delivery on DynamoDB Local, not the rows'. */
  let inDelivery = false;
  const chargeDelivery = (c: CapacityCharge): void => {
    result.deliveryModel.wru += c.write;
    result.deliveryModel.rru += c.read;
  };
  const rowWru = { unchanged: 0, changed: 0, other: 0 };
  let rowRru = 0;
  const loop = { wru: 0, rru: 0, queryBytes: new Map<number, number>() };
  const store = new MemoryStore({
    shardCount: DEFAULTS.shardCount,
    clock,
    onCharge: (c) => {
      if (LOOP_OPERATIONS.has(c.operation)) {
        loop.wru += c.write;
        if (c.bytes === undefined) loop.rru += c.read;
        else loop.queryBytes.set(c.bytes, (loop.queryBytes.get(c.bytes) ?? 0) + 1);
        return;
      }
      if (inDelivery) return chargeDelivery(c);
      rowWru[category] += c.write;
      rowRru += c.read;
    },
  });
  const cache = { wru: 0, rru: 0, writes: 0, bytesPerRow: 0, recalled: 0 };
  const httpCache = new MemoryHttpCache({
    clock,
    onCharge: (c) => {
      if (inDelivery) return chargeDelivery(c);
      cache.wru += c.write;
      cache.rru += c.read;
      if (c.operation === 'cacheWrite') cache.writes += 1;
    },
  });
  const rows = mixRows(rowCount, t0, end, rng, sample);
  const byId = new Map(rows.map((r) => [r.chatId, r]));
  for (const r of rows) store.put(seedRow(r, t0, rng));
  const refreshMeter = new InvocationMeter({ functionName: 'gitsync-RefreshFunction', memoryMb: DEFAULTS.refreshMemoryGb * 1024, logLevel: DEFAULTS.logLevel });
  const webhookMeter = new InvocationMeter({ functionName: 'gitsync-webhook', memoryMb: DEFAULTS.webhookMemoryGb * 1024, logLevel: DEFAULTS.logLevel });

  const result: WeekResult = {
    rows: rowCount, days, deliveries: 0, deliveryApiRequests: 0, refreshes: 0, refreshesByKind: { active: 0, quiet: 0, closed: 0, noPr: 0, noToken: 0 }, prRefreshes: 0, unchangedRefreshes: 0, changedRefreshes: 0, rowWru, rowRru: 0,
    loop, cache, tokenReads: 0, tokenLookups: 0, lostDeliveries: 0, redeliveries: 0, redeliveryPasses: 0, redeliveryPassMs: 0, redeliveryLogBytes: 0, deliveryModel: { wru: 0, rru: 0 }, apiRequests: 0, events: 0, pushes: 0, slots: 0, ticks: 0, refreshBilledMs: 0, executions: 0, executionBilledMs: 0,
    logs: { refreshInvocationBytes: 0, refreshRowBytes: 0, webhookBytes: 0, seriesCount: 0, seriesHours: 0 }, basePartitionShare: 0,
    changeToRow: { active: [], quiet: [], reopened: [], prOpened: [], tokenLinked: [], lostDelivery: [] },
  };
  // Owners without a token until it is linked (never, for the owner who does not link one).
  const tokenFrom = new Map(rows.filter((r) => r.kind === 'noToken').map((r) => [ownerOf(r), r.tokenAt ?? Infinity]));
  const tokensTable: TokenResolver = {
    async resolve(ownerId) {
      result.tokenReads += 1;
      if ((tokenFrom.get(ownerId) ?? -Infinity) > clock.now()) throw new NoTokenError();
      return { value: 'token', key: ownerId };
    },
    recordRateLimit: async () => {},
  };
  const github = createProviderRegistry(DEFAULT_PROVIDERS, { clock, dispatcher: sharedHttpAgent() }).forOrigin(ORIGIN)!;
  let container = refreshContainer(tokensTable, clock, cache);
  const refresher: RowRefresher = {
    async refresh(batch, _run, onResult) {
      // The Refresher looks each owner's token up once per batch (one host here), through the container's memory.
      // An App's installation tokens are kept by each container for their hour (mints are billed per installation-hour).
      if (!inDelivery && !app) {
        const owners = new Set(batch.map((row) => row.ownerId ?? ''));
        result.tokenLookups += owners.size;
        for (const owner of owners) await container.tokens.resolve(owner, github.provider, github.repo).catch(() => undefined);
      }
      return batch.map((row, i) => {
        const answer = answerFor(byId.get(row.chatId)!, clock.now(), sample.httpCache, result);
        onResult?.(i, answer);
        return answer;
      });
    },
  };
  const publisher: ChangePublisher = { publish: async () => void (result.events += 1) };
  // Tag each write-back as changed / unchanged for the per-refresh split.
  const tagged: Store = {
    beginRound: (lease, only) => store.beginRound(lease, only),
    queryDue: (round, now, limit) => store.queryDue(round, now, limit),
    claim: (round, chatId) => store.claim(round, chatId),
    endRound: (round) => store.endRound(round),
    claimNow: (chatId, lease) => store.claimNow(chatId, lease),
    getRow: (chatId) => store.getRow(chatId),
    markStale: (chatId, mark) => store.markStale(chatId, mark),
    async writeBack(claimed, lease, update) {
      // Every write-back is a refresh; it wrote a change when it carries a PR field.
      const changed = Object.keys(update.set).some((k) => k in byId.get(claimed.chatId)!.status);
      category = changed ? 'changed' : 'unchanged';
      const written = await store.writeBack(claimed, lease, update);
      if (written) {
        result.refreshes += 1;
        result.refreshesByKind[byId.get(claimed.chatId)!.kind] += 1;
        if (update.set.refreshedAt !== undefined) result.prRefreshes += 1;
        if (changed) result.changedRefreshes += 1;
        else result.unchangedRefreshes += 1;
      }
      category = 'other';
      return written;
    },
  };
  const pushes = rows.flatMap((r) => r.pushes.map((at) => ({ at, row: r, event: 'push' }))).sort((a, b) => a.at - b.at);
  // A token linked is no delivery: gitsync.TokenLinked makes the owner's rows due for the loop.
  const prChanges = rows.flatMap((r) => r.changes.filter((at) => at !== r.tokenAt).map((at) => ({ at, row: r, event: 'pull_request' })));
  const slowRng = seededRandom(4_242);
  const redeliveryAt = new Map<number, number>();
  // A lost delivery failed at the function: an App's redelivery pass asks GitHub for it again at the next pass.
  const delivered = prChanges.flatMap((change) => {
    if (!webhooks || slowRng.next() >= SLOW_PATHS.lostDeliveries) return [change];
    change.row.paths.set(change.at, 'lostDelivery');
    result.lostDeliveries += 1;
    if (!app) return [];
    result.redeliveries += 1;
    const pass = t0 + Math.ceil((change.at + 1 - t0) / REDELIVERY_PASS_MS) * REDELIVERY_PASS_MS;
    redeliveryAt.set(pass, (redeliveryAt.get(pass) ?? 0) + 1);
    return [{ ...change, at: pass }];
  });
  const deliveries = webhooks ? [...pushes, ...delivered].sort((a, b) => a.at - b.at) : [];
  const links = rows.filter((r) => r.tokenAt !== undefined).sort((a, b) => a.tokenAt! - b.tokenAt!);
  let nextLink = 0;
  const policy: CadencePolicy = app ? { ...design.cadence, appSafetyTtlMs: app.safetyTtlMs } : design.cadence;
  // The week's one host sends webhooks; an App host's PRs poll at its own safety cadence.
  const hosts = webhookHostsAt(t0, ['github.com'], new Map(), policy, new Set(app ? ['github.com'] : []));
  const webhookActivity = webhooks ? { activeHosts: async () => hosts } : undefined;
  const tickDeps = {
    store: tagged, httpCache, refresher, clock, policy, publisher, random: () => rng.next(), log: powertoolsLog(refreshMeter.logger),
    ...(webhookActivity ? { webhookActivity } : {}),
  };
  const tick = (shards?: readonly number[], fanOutWorker = false) =>
    runTick({ ...tickDeps, rememberedCaches: container.caches }, { batchSize: SETTINGS.batchSize, tickBudgetMs: SETTINGS.tickBudgetMs, safetyMarginMs: SETTINGS.safetyMarginMs, ...(shards ? { shards } : {}), fanOutWorker });
  const slotParts: SlotParts = { census: store, fanOut: DEFAULTS.fanOut, tick: (run) => tick(run.shards, run.fanOutWorker) };
  /** One refresh function invocation: its work, then its report; billed for its base time and its host requests over CONCURRENCY. */
  const invoke = async <T extends TickSummary>(at: number, work: () => Promise<T>): Promise<T> => {
    const requests = result.apiRequests;
    refreshMeter.at(at);
    const summary = await work();
    const ms = PROJECTION.tickBaseMs + ((result.apiRequests - requests) * PROJECTION.githubRequestMs) / SETTINGS.concurrency;
    result.refreshBilledMs += Math.ceil(ms);
    lastInvocationMs = ms;
    refreshMeter.invocation(at, () => reportTick(refreshMeter.metrics, refreshMeter.logger, summary), ms);
    result.ticks += 1;
    return summary;
  };
  let lastInvocationMs = 0;
  let nextPush = 0;
  let nextDelivery = 0;
  const baseShares: number[] = [];
  for (let t = t0, slot = 0; t < end; t += SLOT_MS, slot++) {
    clock.current = t;
    result.slots += 1;
    if (t - container.since >= PROJECTION.refreshContainerLifeMs) container = refreshContainer(tokensTable, clock, cache);
    if ((t - t0) % HOUR === 0) baseShares.push(basePartitionShare(store));
    while (nextPush < pushes.length && pushes[nextPush]!.at <= t) {
      const { row } = pushes[nextPush++]!;
      // A push to the row's own branch (a push elsewhere would move its byRepoBranch entry).
      await markStale(tagged, clock, { chatIds: [row.chatId], branch: `feature/${row.chatId}`, origin: ORIGIN }, { publisher });
      result.pushes += 1;
    }
    // The App's scheduled redelivery pass (every 5 minutes): the webhook function lists the App's deliveries and asks again for the failed ones.
    if (app && (t - t0) % REDELIVERY_PASS_MS === 0) {
      const redelivered = redeliveryAt.get(t) ?? 0;
      result.redeliveryPasses += 1;
      const ms = deliveryOwnMs + (1 + redelivered) * PROJECTION.githubRequestMs;
      result.apiRequests += 1 + redelivered;
      const bytes = webhookMeter.invocationBytes;
      webhookMeter.invocation(t, () => reportRedeliveryPass(webhookMeter.metrics, webhookMeter.logger, [{ host: 'github.com', listed: redelivered, redelivered, refused: 0 }]), ms);
      result.redeliveryPassMs += ms;
      result.redeliveryLogBytes += webhookMeter.invocationBytes - bytes;
    }
    while (nextLink < links.length && links[nextLink]!.tokenAt! <= t) {
      const row = links[nextLink++]!;
      await tokenLinked(store, clock, ownerOf(row));
    }
    while (nextDelivery < deliveries.length && deliveries[nextDelivery]!.at <= t) {
      const { row, event, at } = deliveries[nextDelivery++]!;
      result.deliveries += 1;
      const before = result.apiRequests;
      // A row without a PR yet answers null; one without a token fails: the loop keeps its rule.
      inDelivery = true;
      const fresh = await refreshNow({ store: tagged, httpCache, refresher, clock, policy, publisher, random: Math.random, ...(webhookActivity ? { webhookActivity } : {}) }, row.chatId).catch(() => null);
      inDelivery = false;
      const requests = result.apiRequests - before;
      result.deliveryApiRequests += requests;
      // The receiver's report for a delivery that matched this one row (what the handler logs).
      const ms = deliveryOwnMs + requests * PROJECTION.githubRequestMs;
      webhookMeter.invocation(t, () => reportDelivery(webhookMeter.metrics, webhookMeter.logger, {
        response: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"outcome":"processed"}' },
        outcome: 'processed', event, host: 'github.com', deliveryId: `d-${result.deliveries}-${row.chatId}`,
        applied: { matched: 1, summary: { ...emptySummary(), refreshed: fresh ? 1 : 0 }, madeDue: 0, skipped: 0, rowLatenciesMs: fresh ? [t - at + ms] : [], unwritten: 0 },
      }), ms);
    }
    // The loop's Task for the slot (the lead), its workers when it hands shards out, again while a backlog remains.
    // The slot's time in the execution: each round's lead, then its workers side by side (the Map).
    let slotMs = 0;
    for (let again = 0; again < 5; again++) {
      const lead = await invoke(t, () => leadTask(slotParts, slot, t));
      slotMs += lastInvocationMs;
      let backlog = lead.backlog;
      let workersMs = 0;
      for (const group of lead.groups) {
        backlog = (await invoke(t, () => workerTask(slotParts, group))).backlog || backlog;
        workersMs = Math.max(workersMs, lastInvocationMs);
      }
      slotMs += workersMs;
      if (!backlog) break;
    }
    // An Express execution starts at the minute and ends after its :50 slot (infra/refresh-loop.asl.json): billed by the 100 ms.
    if (slot % 6 === 5) {
      result.executions += 1;
      result.executionBilledMs += Math.ceil((50_000 + slotMs) / 100) * 100;
    }
  }
  result.rowRru = rowRru;
  cache.bytesPerRow = (httpCache.meanItemBytes() + PROJECTION.itemOverheadBytes) * (httpCache.items.size / Math.max(1, rowCount));
  result.basePartitionShare = baseShares.reduce((a, b) => a + b, 0) / Math.max(1, baseShares.length);
  const series = [refreshMeter.series(), webhookMeter.series()];
  result.logs = {
    refreshInvocationBytes: refreshMeter.invocationBytes,
    refreshRowBytes: refreshMeter.rowBytes,
    webhookBytes: webhookMeter.invocationBytes + webhookMeter.rowBytes,
    seriesCount: series.reduce((n, x) => n + x.count, 0),
    seriesHours: series.reduce((n, x) => n + x.hours, 0),
  };
  return result;
}

function basePartitionShare(store: MemoryStore): number {
  let indexed = 0;
  let base = 0;
  for (const [partition, entries] of store.table.dueIndex) {
    indexed += entries.size;
    if (parsePartition(partition)?.bucket === undefined) base += entries.size;
  }
  return base / Math.max(1, indexed);
}

function mixRows(count: number, t0: number, end: number, rng: Random, sample: RowSample): SimRow[] {
  const kinds = Object.entries(KIND_SHARE) as [Kind, number][];
  const rows: SimRow[] = [];
  let i = 0;
  for (const [kind, share] of kinds) {
    const n = Math.round(count * share);
    for (let k = 0; k < n; k++, i++) {
      const chatId = `chat-${String(i).padStart(6, '0')}`;
      const meanGap = kind === 'active' ? HOUR : kind === 'quiet' ? 3 * DAY : Infinity;
      const changedBefore = t0 - (kind === 'active' ? rng.next() * HOUR : kind === 'noPr' && k % 2 === 0 ? rng.next() * HOUR : DAY + rng.next() * 4 * DAY);
      rows.push({
        chatId,
        kind,
        status: statusOf(chatId, kind, sample),
        changes: kind === 'noPr' || kind === 'noToken' ? [] : poisson(changedBefore, end, meanGap, rng).filter((at) => at > t0),
        changedBefore,
        shown: 0,
        shownChangeAt: changedBefore,
        pushes: kind === 'noPr' ? poisson(t0, end, DAY, rng) : [],
        paths: new Map(),
      });
    }
  }
  // The slow paths, drawn apart so the ordinary mix stays what it was; each at an instant away from the run's edges.
  const slow = seededRandom(7_777);
  const instant = () => Math.round(t0 + HOUR + slow.next() * Math.max(0, end - t0 - 2 * HOUR));
  const take = (kind: Kind, share: number, path: ChangePath, field: 'reopensAt' | 'opensAt' | 'tokenAt') => {
    const ofKind = rows.filter((r) => r.kind === kind);
    for (const r of ofKind.slice(0, Math.round(ofKind.length * share))) {
      const at = instant();
      r[field] = at;
      r.changes = [...r.changes, at].sort((a, b) => a - b);
      r.paths.set(at, path);
    }
  };
  take('closed', SLOW_PATHS.reopened, 'reopened', 'reopensAt');
  take('noPr', SLOW_PATHS.prOpened, 'prOpened', 'opensAt');
  take('noToken', SLOW_PATHS.tokenLinked, 'tokenLinked', 'tokenAt');
  return rows;
}

/** Rows without a token share one owner who never links one; a row whose owner links one later has its own. */
function ownerOf(r: SimRow): string {
  if (r.kind !== 'noToken') return `owner-${r.chatId.slice(-2)}`;
  return r.tokenAt === undefined ? 'owner-without-token' : `owner-late-${r.chatId}`;
}

function poisson(from: number, until: number, meanGap: number, rng: Random): number[] {
  if (!Number.isFinite(meanGap)) return [];
  const out: number[] = [];
  for (let at = from - Math.log(1 - rng.next()) * meanGap; at < until; at -= Math.log(1 - rng.next()) * meanGap) out.push(Math.round(at));
  return out;
}

function statusOf(chatId: string, kind: Kind, sample: RowSample): PullRequestStatus {
  const number = Number(chatId.slice(5));
  return {
    url: `https://github.com/acme/api/pull/${number}`,
    pullRequestState: kind === 'closed' ? 'merged' : 'open',
    pullRequestTitle: `Work on ${chatId}: a title of ordinary length`,
    pullRequestDraft: false,
    changesRequested: false,
    additions: 120,
    deletions: 30,
    changedFiles: 7,
    authorLogin: 'some-developer',
    authorAvatarUrl: 'https://avatars.githubusercontent.com/u/1234567?v=4',
    baseBranch: 'main',
    headBranch: `feature/${chatId}`,
    prNumber: number,
    commits: 3,
    approved: false,
    reviewerCount: 1,
    ...(sample.checks ? { checks: sample.checks } : {}),
    ...(sample.mergeable && kind !== 'closed' ? { mergeable: sample.mergeable } : {}),
    ...(sample.headSha ? { headSha: sample.headSha } : {}),
  };
}

const ORIGIN = 'https://github.com/acme/api';

function seedRow(r: SimRow, t0: number, rng: Random): DiffStatusRow {
  const dueAt = t0 + Math.floor(rng.next() * 120_000);
  const base: DiffStatusRow = {
    chatId: r.chatId,
    ownerId: ownerOf(r),
    workspaceId: 'ws-1',
    gitRemoteOrigin: ORIGIN,
    gitBranch: `feature/${r.chatId}`,
    // As rows stand after their first write-back: in the webhooks' byRepoBranch index.
    repoBranchKey: repoBranchKey(ORIGIN, `feature/${r.chatId}`),
    createdAt: r.changedBefore - DAY,
    updatedAt: r.changedBefore,
    changedAt: r.changedBefore,
    staleAt: dueAt,
    dueSlot: onceSlot(dueAt),
    dueShard: dueShardFor(r.chatId, DEFAULTS.shardCount),
  };
  return r.kind === 'noPr' || r.kind === 'noToken' ? base : { ...base, ...r.status, refreshedAt: t0 - 60_000 };
}

/**
 * The host's answer at `now`: its `httpCache` is the sample cache's entries with validators
 * that follow the PR's version, so the pipeline writes the cache item only when a change
 * brought new ETags, as a real refresh's 304s leave it alone.
 */
function answerFor(r: SimRow, now: number, cache: ConditionalCacheEntries | undefined, out: WeekResult): RefreshResult {
  if (r.kind === 'noToken' && !(r.tokenAt! <= now)) return { kind: 'failed', error: new NoTokenError() };
  if (r.kind === 'noPr' && !(r.opensAt! <= now)) {
    out.apiRequests += 1;
    return { kind: 'no_pr', httpCache: {} };
  }
  out.apiRequests += 2;
  let seen = r.shown;
  while (seen < r.changes.length && r.changes[seen]! <= now) seen++;
  for (let i = r.shown; i < seen; i++) {
    const at = r.changes[i]!;
    // "Active": the row showed a change of its PR within the hour before this change.
    out.changeToRow[r.paths.get(at) ?? (at - r.shownChangeAt <= HOUR ? 'active' : 'quiet')].push(now - at);
  }
  if (seen > r.shown) r.shownChangeAt = now;
  r.shown = seen;
  const reopened = r.reopensAt !== undefined && r.reopensAt <= now;
  const status = { ...r.status, additions: (r.status.additions ?? 0) + seen, ...(reopened ? { pullRequestState: 'open' as const } : {}) };
  // The real cache's shape and size, with validators (GitHub's shape, as the simulated host sends them) that follow the PR's version.
  const httpCache = Object.fromEntries(Object.entries(cache ?? {}).map(([key, entry]) => [key, { ...entry, etag: etagFor(`${key} ${r.chatId} v${seen}`) }]));
  return { kind: 'refreshed', status, httpCache };
}

// ------------------------------------------------------------------ the figures

export interface CostFigures {
  /** The row's own units per refresh (claim read, write-back); the HTTP cache table's apart. */
  wruPerUnchangedRefresh: number;
  wruPerChangedRefresh: number;
  rruPerRefresh: number;
  /**
   * The HTTP cache table's units per refresh, the share of refreshes that wrote a cache item and
   * the share whose item the container's memory answered (no read).
   */
  httpCachePerRefresh: { wru: number; rru: number; writeShare: number; recalledShare: number };
  /** Tokens-table reads per token look-up of the loop (the container's token memory answers the rest). */
  tokenReadsPerLookup: number;
  refreshesPerRowPerDay: number;
  /** Refreshes per row per day of each row class (per row of that class). */
  refreshesPerRowPerDayByKind: Record<Kind, number>;
  apiRequestsPerRowPerDay: number;
  eventsPerRowPerDay: number;
  /** Webhook deliveries per row per day (0 when polling only). */
  deliveriesPerRowPerDay: number;
  monthlyUsdPer1000Rows: Record<'1000' | '10000' | '100000' | '1000000', number>;
  monthlyUsdBreakdownAt10000: Record<string, number>;
  changeToRow: {
    activeP50Ms: number;
    activeP99Ms: number;
    quietP50Ms: number;
    quietP99Ms: number;
    samples: number;
    /** Every path a change takes to its row (`CHANGE_PATHS`): how many changes took it, and their change-to-row p50 / p99. */
    byPath: Record<ChangePath, { count: number; p50Ms: number; p99Ms: number }>;
  };
}

/**
 * One webhook delivery as measured in the run (the webhooks scenario on DynamoDB Local, the host
 * answering at once): the function's own time (answer p50) and every DynamoDB unit its calls
 * reported (the dedup put, the host note, the `byRepoBranch` query, the claim, the token read,
 * the row's write-back), per delivery that matched a row; the week counts the deliveries.
 */
export interface DeliveryMeasure {
  ownMs: number;
  wru: number;
  rru: number;
}
const NO_DELIVERIES: DeliveryMeasure = { ownMs: 0, wru: 0, rru: 0 };

/** Assumptions of the bill besides the prices and the template's defaults (stated in the output). */
export const PROJECTION = {
  /** One invocation's own time (store round trips), and each GitHub request's, for the Lambda's duration. */
  tickBaseMs: 60,
  githubRequestMs: 250,
  /** A mark-stale invocation (a push): one conditional UpdateItem. */
  markStaleMs: 30,
  /**
   * Storage per row besides the row itself: DynamoDB's 100-byte overhead per item, and per
   * index entry (byDueShard: keys and dueSlot; byRepoBranch: keys, origin and branch).
   */
  itemOverheadBytes: 100,
  indexEntriesBytes: 70 + 100 + 160 + 100,
  /**
   * Data transfer out (what comes back is transfer in, free): per host API request, the bytes
   * the calibration measured gitsync's HTTP client writing (request line and headers) plus its
   * framing, which plain HTTP to the simulated host does not show: a TLS record (22 bytes) and
   * TCP/IP headers of the request's segment and of the ACK of the answer (2 x 52); connections
   * are kept alive, so handshakes are left out. Per webhook answer: 300 bytes (status line,
   * headers, a small JSON body, framing).
   */
  requestFramingBytes: 22 + 2 * 52,
  answerBytesOut: 300,
  /**
   * A GitHub App host: rows per installation (the github-app section's 10,000 rows over 50),
   * 1.016 mints per installation-hour (what that section measures in steady state: a token is used
   * until a minute before it expires, so one every 59 minutes), each mint's units
   * from the code (the mint lease's and the token's UpdateItem, one strongly consistent GetItem),
   * and one redelivery pass's (the pass mark's GetItem, eventually consistent, and its UpdateItem).
   * Installation tokens are kept by each container for their hour: a refresh reads no table for its token.
   */
  app: { rowsPerInstallation: 200, mintsPerInstallationHour: 1.016, mint: { wru: 2, rru: 1 }, pass: { wru: 1, rru: 0.5 } },
  /**
   * How long the refresh function's container lives, with what it remembers (tokens, HTTP cache
   * items): AWS does not publish it; the loop invokes the function every 10 s, so one warm
   * container serves it until Lambda replaces it, reported in hours; an hour is assumed. With
   * fan-out each worker's shards land on any of the slot's warm containers: the bill then counts
   * a container's memory as serving 1 in `workers` of what it served in the week.
   */
  refreshContainerLifeMs: 60 * 60_000,
  /** The webhook function reads its secret once per container; a container is taken to live 15 minutes. */
  secretCallsPerMonth: (30 * 24 * 60) / 15,
};

/**
 * A month of `rows` rows, every quantity the bill prices, from the week: what the week
 * measured per row (row units scaled by how DynamoDB Local billed the same operations in this
 * run, tokens reads, host requests, deliveries, events, the log lines a row causes) scales
 * with the rows; what it measured per slot (the loop's leases, census and queries, each
 * invocation's log bytes, the metric series) repeats every slot, its due-index queries priced
 * at the bytes they would read in a table `rows / week.rows` times as big. Workers beyond the
 * lead are extrapolated: ceil(due per slot / RowsPerWorker) when more than RowsPerWorker rows
 * are due (the week's tables are too small to need any).
 */
export function monthOf(design: Design, week: WeekResult, rows: number, dynamo: Calibration, model: Calibration | undefined, delivery: DeliveryMeasure): MonthQuantities {
  const perMonth = (weekly: number) => (weekly / Math.max(1, week.rows)) * rows * (30 / week.days);
  const slotsScale = SLOTS_PER_MONTH / week.slots;
  const growth = rows / Math.max(1, week.rows);
  let rowWru: number;
  let rowRru: number;
  if (design.store === 'row-lease' || !model) {
    // Today's design: every refresh costs what DynamoDB Local measured, changed or not.
    rowWru = perMonth(week.refreshes) * dynamo.unchanged.wru;
    rowRru = perMonth(week.refreshes) * ((dynamo.unchanged.rru + dynamo.changed.rru) / 2);
  } else {
    const w = dynamo.unchanged.wru / model.unchanged.wru;
    const r = (dynamo.unchanged.rru + dynamo.changed.rru) / Math.max(1e-9, model.unchanged.rru + model.changed.rru);
    rowWru = perMonth(week.rowWru.unchanged * w + week.rowWru.changed * (dynamo.changed.wru / model.changed.wru) + week.rowWru.other * w);
    rowRru = perMonth(week.rowRru) * r;
  }
  // The cache table's units as DynamoDB Local reported them over the model's charge for the same passes (1 when they agree).
  const cacheRatio = (pick: (u: Units) => number) => {
    const modelled = model ? pick(model.cache.unchanged) + pick(model.cache.changed) : 0;
    return modelled > 0 ? (pick(dynamo.cache.unchanged) + pick(dynamo.cache.changed)) / modelled : 1;
  };
  let queryRru = 0;
  for (const [bytes, calls] of week.loop.queryBytes) queryRru += calls * 0.5 * Math.max(1, Math.ceil((bytes * growth) / 4096));
  // The loop's units as DynamoDB Local reported them for an idle tick over the model's charge for the same tick (1 when they agree).
  const loopW = model && model.idleTick.wru > 0 ? dynamo.idleTick.wru / model.idleTick.wru : 1;
  const loopR = model && model.idleTick.rru > 0 ? dynamo.idleTick.rru / model.idleTick.rru : 1;
  const duePerSlot = perMonth(week.refreshes) / SLOTS_PER_MONTH;
  const workers = duePerSlot > DEFAULTS.fanOut.rowsPerWorker ? Math.min(DEFAULTS.fanOut.maxWorkers, Math.ceil(duePerSlot / DEFAULTS.fanOut.rowsPerWorker)) : 0;
  const refreshInvocations = week.ticks * slotsScale + workers * SLOTS_PER_MONTH;
  // Warm containers a slot's work spreads over (the week's tables need one).
  const containers = Math.max(1, workers);
  const apiRequests = perMonth(week.apiRequests - week.deliveryApiRequests);
  const refreshMs = (week.ticks * slotsScale + workers * SLOTS_PER_MONTH) * PROJECTION.tickBaseMs + (apiRequests * PROJECTION.githubRequestMs) / DEFAULTS.concurrency;
  const deliveries = perMonth(week.deliveries);
  const deliveryRequests = perMonth(week.deliveryApiRequests);
  const pushes = perMonth(week.pushes);
  // An App host: the redelivery passes are the deployment's (a month of them whatever the rows); mints one per installation-hour.
  const perDeployment = (weekly: number) => weekly * (30 / week.days);
  const passes = perDeployment(week.redeliveryPasses);
  const installations = week.redeliveryPasses > 0 ? Math.ceil(rows / PROJECTION.app.rowsPerInstallation) : 0;
  const mints = installations * 30 * 24 * PROJECTION.app.mintsPerInstallationHour;
  const logBytes =
    (week.logs.refreshInvocationBytes / Math.max(1, week.ticks)) * refreshInvocations +
    perMonth(week.logs.refreshRowBytes) +
    perMonth(week.logs.webhookBytes - week.redeliveryLogBytes) +
    perDeployment(week.redeliveryLogBytes);
  return {
    rows,
    dynamodb: {
      rowWru,
      rowRru,
      loopWru: week.loop.wru * slotsScale * loopW,
      loopRru: (week.loop.rru + queryRru) * slotsScale * loopR,
      tokensRru: perMonth(Math.min(week.tokenLookups, containers * week.tokenReads)) * dynamo.tokenReadRru + mints * PROJECTION.app.mint.rru,
      tokensWru: mints * PROJECTION.app.mint.wru,
      webhookWru: deliveries * delivery.wru + passes * PROJECTION.app.pass.wru,
      webhookRru: deliveries * delivery.rru + passes * PROJECTION.app.pass.rru,
      storageGb: (rows * (dynamo.rowBytes + PROJECTION.itemOverheadBytes + PROJECTION.indexEntriesBytes)) / 1024 ** 3,
      cacheWru: perMonth(week.cache.wru) * cacheRatio((u) => u.wru),
      // An item the week's one container recalled is read (0.5 RRU a key) when another container serves its shard.
      cacheRru: perMonth(week.cache.rru + week.cache.recalled * 0.5 * (1 - 1 / containers)) * cacheRatio((u) => u.rru),
      cacheStorageGb: (rows * week.cache.bytesPerRow) / 1024 ** 3,
    },
    refreshInvocations,
    refreshGbSeconds: ((refreshMs + mints * PROJECTION.githubRequestMs) / 1000) * DEFAULTS.refreshMemoryGb,
    webhookInvocations: deliveries + passes,
    webhookGbSeconds: ((deliveries * delivery.ownMs + deliveryRequests * PROJECTION.githubRequestMs + perDeployment(week.redeliveryPassMs)) / 1000) * DEFAULTS.webhookMemoryGb,
    markStaleInvocations: pushes,
    markStaleGbSeconds: ((pushes * PROJECTION.markStaleMs) / 1000) * DEFAULTS.markStaleMemoryGb,
    executions: EXECUTIONS_PER_MONTH,
    // The week's mean execution, at this many rows: its last slot's invocations grow with the due rows as the Lambda's time does.
    executionSeconds: executionSeconds(week, refreshMs / Math.max(1, refreshInvocations), (week.refreshBilledMs / Math.max(1, week.ticks))),
    changeEvents: perMonth(design.name === 'baseline' ? week.prRefreshes + week.pushes : week.events),
    logGb: logBytes / 1024 ** 3,
    metricMonths: week.logs.seriesHours / (week.days * 24),
    traces: DEFAULTS.tracing ? refreshInvocations + deliveries : 0,
    secretCalls: deliveries > 0 ? Math.min(deliveries, PROJECTION.secretCallsPerMonth) : 0,
    transferOutGb: ((perMonth(week.apiRequests) + mints) * (dynamo.requestBytes + PROJECTION.requestFramingBytes) + deliveries * PROJECTION.answerBytesOut) / 1024 ** 3,
  };
}

/**
 * The mean billed seconds of one Express execution at a month's rows: the week's own mean,
 * with its last slot's invocation time scaled as the refresh function's mean invocation time
 * scales from the week to the month (more due rows per slot, longer ticks).
 */
function executionSeconds(week: WeekResult, monthMsPerInvocation: number, weekMsPerInvocation: number): number {
  if (week.executions === 0) return 50;
  const lastSlotMs = week.executionBilledMs / week.executions - 50_000;
  return (50_000 + lastSlotMs * (monthMsPerInvocation / Math.max(1, weekMsPerInvocation))) / 1000;
}

export interface Bill {
  rows: number;
  totalUsd: number;
  usdPer1000Rows: number | null;
  /** What the free tiers would cover (not subtracted from the total). */
  freeTierUsd: number;
  lines: Record<string, number>;
}

function billOf(q: MonthQuantities): Bill {
  const b = monthlyBill(q, DEFAULTS);
  return {
    rows: q.rows,
    totalUsd: round(b.totalUsd, 2),
    usdPer1000Rows: b.usdPer1000Rows === null ? null : round(b.usdPer1000Rows, 2),
    freeTierUsd: round(b.freeTierUsd, 2),
    lines: Object.fromEntries(Object.entries(b.lines).map(([k, v]) => [k, round(v, 3)])),
  };
}

/**
 * Per-refresh figures and the whole monthly bill from the week, for 1k..1M rows.
 */
export function figures(design: Design, week: WeekResult, dynamo: Calibration, model: Calibration | undefined, delivery: DeliveryMeasure = NO_DELIVERIES): CostFigures & { bills: Record<'10000' | '100000', Bill> } {
  const perRefresh = (units: number) => units / Math.max(1, week.refreshes);
  const useModel = design.store !== 'row-lease' && model !== undefined;
  const wruUnchanged = useModel ? (week.rowWru.unchanged / Math.max(1, week.unchangedRefreshes)) * (dynamo.unchanged.wru / model.unchanged.wru) : dynamo.unchanged.wru;
  const wruChanged = useModel ? (week.rowWru.changed / Math.max(1, week.changedRefreshes)) * (dynamo.changed.wru / model.changed.wru) : dynamo.changed.wru;
  const rruPerRefresh = useModel
    ? perRefresh(week.rowRru) * ((dynamo.unchanged.rru + dynamo.changed.rru) / Math.max(1e-9, model.unchanged.rru + model.changed.rru))
    : (dynamo.unchanged.rru + dynamo.changed.rru) / 2;
  const perRowDay = (n: number) => n / Math.max(1, week.rows) / week.days;
  const bill = (rows: number) => billOf(monthOf(design, week, rows, dynamo, model, delivery));
  const per1000 = (rows: number) => bill(rows).usdPer1000Rows ?? 0;
  const at10k = bill(10_000);
  const active = distribution(week.changeToRow.active);
  const quiet = distribution(week.changeToRow.quiet);
  return {
    wruPerUnchangedRefresh: round(wruUnchanged, 2),
    wruPerChangedRefresh: round(wruChanged, 2),
    rruPerRefresh: round(rruPerRefresh, 2),
    httpCachePerRefresh: {
      wru: round(perRefresh(week.cache.wru), 3),
      rru: round(perRefresh(week.cache.rru), 3),
      writeShare: round(perRefresh(week.cache.writes), 3),
      recalledShare: round(perRefresh(week.cache.recalled), 3),
    },
    tokenReadsPerLookup: round(week.tokenReads / Math.max(1, week.tokenLookups), 3),
    refreshesPerRowPerDay: round(perRowDay(week.refreshes), 1),
    refreshesPerRowPerDayByKind: perKind(week),
    apiRequestsPerRowPerDay: round(perRowDay(week.apiRequests), 1),
    eventsPerRowPerDay: round(perRowDay(design.name === 'baseline' ? week.prRefreshes + week.pushes : week.events), 1),
    deliveriesPerRowPerDay: round(perRowDay(week.deliveries), 2),
    monthlyUsdPer1000Rows: { '1000': per1000(1_000), '10000': per1000(10_000), '100000': per1000(100_000), '1000000': per1000(1_000_000) },
    monthlyUsdBreakdownAt10000: Object.fromEntries(Object.entries(at10k.lines).map(([k, v]) => [k, round(v, 2)])),
    changeToRow: {
      activeP50Ms: active.p50,
      activeP99Ms: active.p99,
      quietP50Ms: quiet.p50,
      quietP99Ms: quiet.p99,
      samples: active.count + quiet.count,
      byPath: Object.fromEntries(
        CHANGE_PATHS.map((path) => {
          const d = distribution(week.changeToRow[path]);
          return [path, { count: d.count, p50Ms: d.count ? d.p50 : 0, p99Ms: d.count ? d.p99 : 0 }];
        }),
      ) as CostFigures['changeToRow']['byPath'],
    },
    bills: { '10000': at10k, '100000': bill(100_000) },
  };
}

const KIND_SHARE: Record<Kind, number> = { active: 0.1, quiet: 0.3, closed: 0.35, noPr: 0.15, noToken: 0.1 };

function perKind(week: WeekResult): Record<Kind, number> {
  const out = {} as Record<Kind, number>;
  for (const [kind, n] of Object.entries(week.refreshesByKind) as [Kind, number][]) {
    out[kind] = round(n / Math.max(1, Math.round(week.rows * KIND_SHARE[kind])) / week.days, 1);
  }
  return out;
}

export interface CostSection extends CostFigures {
  /**
   * The same projection where the host sends webhooks: PRs polled at the safety cadence (15
   * minutes, relaxing to `webhookQuietSafetyMs` as a PR stays quiet), every PR change and push
   * delivered and refreshed at once, the webhook function's own requests and invocations
   * included.
   */
  monthlyUsdPer1000RowsWithWebhooks: CostFigures['monthlyUsdPer1000Rows'];
  withWebhooks: CostFigures;
  baseline: CostFigures;
  /** The whole monthly bill, every line, at the template's defaults. */
  bill: {
    defaults: typeof DEFAULTS;
    pollingOnly10k: Bill;
    withWebhooks10k: Bill;
    withWebhooks100k: Bill;
    /** A deployment with no rows: what the loop, the alarms, the dashboard and the secret cost on their own. */
    idle: Bill;
    /**
     * A GitHub App host (issue 23): the App's webhook, lost deliveries sent again by the 5-minute
     * redelivery pass, installation tokens; at other webhook hosts' safety cadence (15 min) and
     * relaxed (each relaxing to `webhookQuietSafetyMs` as a PR stays quiet, when that is longer).
     */
    app: {
      safetyTtlMs: number;
      bill10k: Bill;
      bill100k: Bill;
      refreshesPerRowPerDay: number;
      lostDeliveries: number;
      redeliveries: number;
      redeliveryPasses: number;
      changeToRow: CostFigures['changeToRow'];
    }[];
    metricSeries: { pollingOnly: number; withWebhooks: number; idle: number };
    /** Log bytes per refresh invocation, measured (its report line, EMF, platform lines, 26 bytes per event). */
    logBytesPerInvocation: { pollingOnly: number; idle: number };
    prices: typeof BILL_PRICES;
  };
  mix: string;
  prices: typeof PRICES;
  projection: typeof PROJECTION & { note: string };
  /** One webhook delivery as measured on DynamoDB Local, by call (`unitsPerDelivery`), beside the model's units for the same delivery's row refresh. */
  delivery: DeliveryMeasure & { unitsPerDelivery: CapacityTotals; modelRowUnitsPerDelivery: { wru: number; rru: number } };
  calibration: Calibration[];
  week: {
    rows: number;
    days: number;
    store: string;
    refreshes: { gitsync: number; withWebhooks: number; baseline: number };
    basePartitionShare: { gitsync: number; withWebhooks: number };
  };
  realMs: number;
}

/** Bench section `cost`: both designs measured on DynamoDB Local, a simulated week each in memory, and the whole bill. */
export async function costSection(endpoint: string, quick: boolean, progress: (m: string) => void): Promise<CostSection> {
  const started = performance.now();
  const weekRows = quick ? 100 : 400;
  const days = quick ? 1 : 7;
  progress('cost: calibrating both designs on DynamoDB Local');
  const baseDynamo = await calibrate(endpoint, BASELINE, 'dynamodb-local');
  const newDynamo = await calibrate(endpoint, GITSYNC, 'dynamodb-local');
  const newModel = await calibrate(endpoint, GITSYNC, 'in-memory');
  progress('cost: the webhook function\'s own time per delivery (webhooks scenario, host answering at once)');
  const deliveryMeter = new CapacityMeter((table) => (table.endsWith('-deliveries') ? 'deliveries' : tableAlias(table)));
  const handler = await webhooks(endpoint, { deliveries: 21, concurrency: 1, latencyMs: 0, meter: deliveryMeter });
  const perDelivery = Object.values(handler.unitsPerDelivery ?? {});
  const delivery: DeliveryMeasure = {
    ownMs: handler.answerP50Ms,
    wru: round(perDelivery.reduce((n, t) => n + t.write, 0), 3),
    rru: round(perDelivery.reduce((n, t) => n + t.read, 0), 3),
  };
  progress(`cost: simulated ${days}-day week, ${weekRows} rows, today's design (fixed 120 s)`);
  const baseWeek = await simulateWeek(BASELINE, weekRows, newDynamo.sample, days);
  progress(`cost: simulated ${days}-day week, ${weekRows} rows, adaptive cadence`);
  const newWeek = await simulateWeek(GITSYNC, weekRows, newDynamo.sample, days);
  progress(`cost: simulated ${days}-day week, ${weekRows} rows, adaptive cadence on a host that sends webhooks`);
  const hookWeek = await simulateWeek(GITSYNC, weekRows, newDynamo.sample, days, true, handler.answerP50Ms);
  const appWeeks: { safetyTtlMs: number; week: WeekResult }[] = [];
  for (const safetyTtlMs of APP_SAFETY_TTLS_MS) {
    progress(`cost: simulated ${days}-day week, ${weekRows} rows, a GitHub App host (its webhook, the redelivery pass), safety poll every ${safetyTtlMs / 60_000} min`);
    appWeeks.push({ safetyTtlMs, week: await simulateWeek(GITSYNC, weekRows, newDynamo.sample, days, true, handler.answerP50Ms, { safetyTtlMs }) });
  }
  progress('cost: a simulated day with no rows (the idle floor)');
  const idleWeek = await simulateWeek(GITSYNC, 0, newDynamo.sample, 1);
  const ours = figures(GITSYNC, newWeek, newDynamo, newModel);
  const withWebhooks = figures(GITSYNC, hookWeek, newDynamo, newModel, delivery);
  const idle = billOf(monthOf(GITSYNC, idleWeek, 0, newDynamo, newModel, NO_DELIVERIES));
  const app = appWeeks.map(({ safetyTtlMs, week }) => {
    const f = figures(GITSYNC, week, newDynamo, newModel, delivery);
    return {
      safetyTtlMs,
      bill10k: f.bills['10000'],
      bill100k: f.bills['100000'],
      refreshesPerRowPerDay: f.refreshesPerRowPerDay,
      lostDeliveries: week.lostDeliveries,
      redeliveries: week.redeliveries,
      redeliveryPasses: week.redeliveryPasses,
      changeToRow: f.changeToRow,
    };
  });
  const { bills: _ours, ...oursFigures } = ours;
  const { bills: _hooks, ...hookFigures } = withWebhooks;
  const { bills: _base, ...baseFigures } = figures(BASELINE, baseWeek, baseDynamo, undefined);
  return {
    ...oursFigures,
    monthlyUsdPer1000RowsWithWebhooks: withWebhooks.monthlyUsdPer1000Rows,
    withWebhooks: hookFigures,
    baseline: baseFigures,
    bill: {
      defaults: DEFAULTS,
      pollingOnly10k: ours.bills['10000'],
      withWebhooks10k: withWebhooks.bills['10000'],
      withWebhooks100k: withWebhooks.bills['100000'],
      idle,
      app,
      metricSeries: { pollingOnly: newWeek.logs.seriesCount, withWebhooks: hookWeek.logs.seriesCount, idle: idleWeek.logs.seriesCount },
      logBytesPerInvocation: {
        pollingOnly: Math.round(newWeek.logs.refreshInvocationBytes / Math.max(1, newWeek.ticks)),
        idle: Math.round(idleWeek.logs.refreshInvocationBytes / Math.max(1, idleWeek.ticks)),
      },
      prices: BILL_PRICES,
    },
    mix: MIX,
    prices: PRICES,
    projection: {
      ...PROJECTION,
      note:
        'The week runs in memory (MemoryStore) at the template\'s defaults: every call of the real tick, slot lead, mark-stale and refresh-now is charged by DynamoDB\'s billing rules ' +
        '(test/bench/meter-agreement.test.ts holds those charges to DynamoDB Local\'s ConsumedCapacity for the same calls, within 1.5%), and scaled by the ratio DynamoDB Local reported for the same passes in this run (calibration: rows, and an idle tick for the loop). ' +
        'Extrapolated, and only from what was measured: a month is the week times 30 / days, more rows scale the per-row figures, a bigger table\'s due-index queries are priced at the bytes they would read; ' +
        'a webhook delivery is billed at the units DynamoDB Local reported for the webhooks scenario\'s deliveries (every call, the row\'s refresh included), a token look-up at the units it reported for the tokens table. ' +
        "Formulas, not measured: Lambda time (tickBaseMs, githubRequestMs), data transfer's framing and webhook answers (requestFramingBytes, answerBytesOut; the request bytes themselves are measured), storage overhead, the secret's calls. " +
        "Assumed: the refresh function's container, with what it remembers (tokens for TOKEN_MEMORY_MS, HTTP cache items), lives an hour (refreshContainerLifeMs; AWS does not publish it), and where the lead fans out a container's memory serves 1 in workers of what it served in the week; a webhook delivery is billed as the webhooks scenario measured it, a burst its warm container served (its token memory answered that burst's token look-ups: at most 0.5 RRU a delivery more when an owner's deliveries are minutes apart). " +
        "Today's design is billed per refresh at what DynamoDB Local measured for it; its week gives refresh counts, API requests, events and latency.",
    },
    delivery: {
      ...delivery,
      unitsPerDelivery: handler.unitsPerDelivery ?? {},
      modelRowUnitsPerDelivery: {
        wru: round(hookWeek.deliveryModel.wru / Math.max(1, hookWeek.deliveries), 3),
        rru: round(hookWeek.deliveryModel.rru / Math.max(1, hookWeek.deliveries), 3),
      },
    },
    calibration: [baseDynamo, newDynamo, newModel],
    week: { rows: weekRows, days, store: 'in-memory (calibrated on DynamoDB Local in this run)', refreshes: { gitsync: newWeek.refreshes, withWebhooks: hookWeek.refreshes, baseline: baseWeek.refreshes },
      basePartitionShare: { gitsync: round(newWeek.basePartitionShare, 3), withWebhooks: round(hookWeek.basePartitionShare, 3) },
    },
    realMs: Math.round(performance.now() - started),
  };
}

/**
 * The refresh function's warm container as the week runs it: its token memory over the tokens
 * table and its memory of HTTP cache items (the ones it recalls counted, for the bill at fan-out).
 */
function refreshContainer(tokensTable: TokenResolver, clock: Clock, cache: { recalled: number }) {
  const caches = new (class extends RememberedCaches {
    override recall(chatId: string, version: unknown) {
      const held = super.recall(chatId, version);
      if (held) cache.recalled += 1;
      return held;
    }
  })();
  return { since: clock.now(), tokens: new RememberedTokens(tokensTable, clock, DEFAULTS.tokenMemoryMs), caches };
}
