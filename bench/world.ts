import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { CreateTableCommand, DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_AWS } from '../src/dev/dynamodb-local/local-aws.ts';
import { start, type GitHostSimOptions, type GitHostSim } from '../src/dev/git-host-sim/server.ts';
import { seedWorld, type SeedOptions } from '../src/dev/git-host-sim/seed.ts';
import { createTableInput } from '../src/dev/template.ts';
import { onceSlot } from '../src/store/due-slot.ts';
import { repoBranchKey } from '../src/store/repo-branch-key.ts';
import type { Clock } from '../src/domain/clock.ts';
import type { DiffStatusRow } from '../src/domain/row.ts';
import { createDocumentClient, SETUP_REQUEST_TIMEOUT_MS } from '../src/store/document-client.ts';
import { ROW_LEASE_INDEX, rowLeaseTableInput } from './stores/row-lease-store.ts';

/** The due index of each design (template.yaml has the slot design's). */
export const INDEX_NAME = { slots: 'byDueShard', 'row-lease': ROW_LEASE_INDEX.IndexName } as const;
export type DueIndexDesign = keyof typeof INDEX_NAME;

/** Where a worker finds everything: plain data, so a child process can be handed it. */
export interface WorldConfig {
  endpoint: string;
  tableName: string;
  tokensTableName: string;
  httpCacheTableName: string;
  shardCount: number;
  /** The due-index design the table is built for. */
  design: DueIndexDesign;
  /** `GIT_PROVIDERS` JSON pointing at the simulated host. */
  gitProviders: string;
}

export interface BenchWorld {
  config: WorldConfig;
  sim: GitHostSim;
  rows: DiffStatusRow[];
  /** Each owner's token, as seeded into the tokens table. */
  tokens: Record<string, string>;
  /** Closes the simulator and deletes the tables. */
  close(): Promise<void>;
}

export interface WorldOptions {
  endpoint: string;
  clock: Clock;
  rows: number;
  owners: number;
  shardCount: number;
  latencyMs: number;
  seed: number;
  /** The due-index design (default: slots, the template's). */
  design?: DueIndexDesign;
  /** Each row's first staleAt, by its position. */
  staleAt(index: number): number;
  sim?: Partial<GitHostSimOptions>;
  /** Writes the rows to the diff-status table (default true). */
  seedTable?: boolean;
}

/**
 * The functions' client (src/store/document-client.ts, with its timeouts) on DynamoDB Local,
 * except that opening a connection may take 5 s and a request 10 s (unless the caller says): on
 * a shared, loaded machine the local Java process can take longer than the 1 s and 2 s a
 * connection and a request to DynamoDB get in production.
 */
export function localDocClient(
  endpoint: string,
  setup?: (client: DynamoDBClient) => void,
  requestTimeoutMs?: number,
): DynamoDBDocumentClient {
  return createDocumentClient({
    endpoint,
    ...LOCAL_AWS,
    connectionTimeoutMs: 5_000,
    requestTimeoutMs: requestTimeoutMs ?? 10_000,
    instrument: (client) => {
      setup?.(client);
      return client;
    },
  });
}

/**
 * Fresh tables from template.yaml, a simulated GitHub with `latencyMs` per request, and
 * `rows` tracked branches that all have a pull request whose URL the row already knows
 * (the steady state of a table: every refresh is pull, reviews and the head commit's check runs
 * and combined status, four calls).
 */
export async function createWorld(o: WorldOptions): Promise<BenchWorld> {
  const sim = await start({ seed: o.seed, clock: o.clock, latency: o.latencyMs, rateLimit: { limit: 5_000 }, ...o.sim });
  const suffix = randomUUID().slice(0, 8);
  const config: WorldConfig = {
    endpoint: o.endpoint,
    tableName: `bench-diff-status-${suffix}`,
    tokensTableName: `bench-tokens-${suffix}`,
    httpCacheTableName: `bench-http-cache-${suffix}`,
    shardCount: o.shardCount,
    design: o.design ?? 'slots',
    gitProviders: JSON.stringify([{ type: 'github', webUrl: sim.url, apiUrl: sim.apiUrl }]),
  };
  // Setting the world up is not a tick: table creation and seeding get the setup timeout.
  const doc = localDocClient(o.endpoint, undefined, SETUP_REQUEST_TIMEOUT_MS);
  await doc.send(
    new CreateTableCommand(config.design === 'slots' ? createTableInput('DiffStatusTable', config.tableName) : rowLeaseTableInput(config.tableName)),
  );
  await doc.send(new CreateTableCommand(createTableInput('TokensTable', config.tokensTableName)));
  await doc.send(new CreateTableCommand(createTableInput('HttpCacheTable', config.httpCacheTableName)));

  const seedOptions: SeedOptions = {
    rows: o.rows,
    seed: o.seed,
    owners: o.owners,
    ownersWithoutToken: 0,
    // 0.9 open + 0.1 merged or closed: every branch has a pull request.
    openPullShare: 0.9,
    now: o.clock.now(),
    shardCount: o.shardCount,
  };
  const seeded = seedWorld(sim, seedOptions);
  settleMergeability(sim);
  // As gitsync's own writes leave them: with the webhook index key.
  const rows = seeded.rows.map((row, i) => ({
    ...row,
    url: pullUrlOf(sim, row),
    staleAt: o.staleAt(i),
    dueSlot: onceSlot(o.staleAt(i)),
    repoBranchKey: repoBranchKey(row.gitRemoteOrigin, row.gitBranch),
  }));
  const providerHost = new URL(sim.url).host;
  await putAll(doc, config.tokensTableName, Object.entries(seeded.tokens).map(([ownerId, accessToken]) => ({ ownerId, providerHost, accessToken })));
  // An in-memory store gets the rows from the caller instead (the table stays empty).
  if (o.seedTable !== false) await putAll(doc, config.tableName, rows);
  return {
    config,
    sim,
    rows,
    tokens: seeded.tokens,
    async close() {
      await sim.close();
      for (const TableName of [config.tableName, config.tokensTableName, config.httpCacheTableName]) {
        await doc.send(new DeleteTableCommand({ TableName })).catch(() => {});
      }
      doc.destroy();
    },
  };
}

/** GitHub computes mergeability lazily; settle it now so an unchanged PR keeps its ETag. */
function settleMergeability(sim: GitHostSim): void {
  for (const repo of sim.world.repos()) for (const pr of repo.pulls.values()) pr.mergeable ??= true;
}

function pullUrlOf(sim: GitHostSim, row: DiffStatusRow): string {
  const path = new URL(row.gitRemoteOrigin!).pathname.replace(/^\//, '').replace(/\.git$/, '');
  const [owner, name] = path.split('/') as [string, string];
  const number = sim.world.repo(owner, name)?.branches.get(row.gitBranch!)?.pulls[0];
  if (number === undefined) throw new Error(`seeded branch ${row.gitBranch} has no pull request`);
  return `${sim.url}/${owner}/${name}/pull/${number}`;
}

/** Batches of 25 (BatchWriteItem's most), a few in flight at once: seeding is set-up, not what a run measures. */
async function putAll(doc: DynamoDBDocumentClient, table: string, items: readonly object[]): Promise<void> {
  const limit = pLimit(SEEDING_WRITERS);
  const batches: Promise<void>[] = [];
  for (let i = 0; i < items.length; i += 25) {
    batches.push(
      limit(async () => {
        let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
        while (requests.length > 0) {
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
          requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      }),
    );
  }
  await Promise.all(batches);
}

/** BatchWriteItem calls in flight while seeding. */
const SEEDING_WRITERS = 4;

/** Every row's current staleAt (consistent scan), keyed by chat id. */
export async function scanStaleAts(doc: DynamoDBDocumentClient, table: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ProjectionExpression: 'chatId, staleAt', ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) out.set(item['chatId'] as string, item['staleAt'] as number);
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}
