import assert from 'node:assert/strict';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_AWS } from '../../src/dev/dynamodb-local/local-aws.ts';
import { simDialect } from '../../src/dev/git-host-sim/dialects.ts';
import { start, type GitHostSim } from '../../src/dev/git-host-sim/server.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import type { FromEnvOptions } from '../../src/system/from-env.ts';
import { readWebhookEnv, webhookReceiverFromEnv } from '../../src/system/webhook-from-env.ts';
import type { WebhookReceiver } from '../../src/system/webhook-receiver.ts';
import { repoBranchKey } from '../../src/store/repo-branch-key.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import type { TestTables } from '../support/dynamodb.ts';

export const GITHUB_SECRET = 'test-github-secret';
export const GITHUB_PREVIOUS_SECRET = 'test-github-secret-before-rotation';
export const GITLAB_TOKEN = 'test-gitlab-token';
/** A GitLab host nothing listens on: refreshes fail at once, stamps and matching still show. */
export const GITLAB_WEB = 'http://127.0.0.1:9';

/** A row as another service inserts it for alice: created an hour ago, due at `staleAt`; `row` wins. */
export function insertedRow(row: Partial<DiffStatusRow> & { chatId: string }, now: number, staleAt: number): DiffStatusRow {
  return { ownerId: 'alice', createdAt: now - 3_600_000, updatedAt: now - 3_600_000, staleAt, dueShard: dueShardFor(row.chatId, 1), ...row };
}

export interface WebhookWorld {
  sim: GitHostSim;
  runtime: WebhookReceiver;
  /** Host key of the simulated host (`127.0.0.1:PORT`). */
  host: string;
  put(row: Partial<DiffStatusRow> & { chatId: string }): Promise<DiffStatusRow>;
  scan(): Promise<DiffStatusRow[]>;
  scanDeliveries(): Promise<Record<string, unknown>[]>;
  /** Runs `run` and asserts it touched no row and recorded no delivery. */
  unchanged(run: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real webhook runtime over DynamoDB Local and a simulated host that does not evolve by
 * itself: GitHub unless `hostType` names another dialect of the simulator.
 */
export async function webhookWorld(t: TestTables, env: Record<string, string> = {}, options: FromEnvOptions = {}, hostType = 'github'): Promise<WebhookWorld> {
  const dialect = simDialect(hostType);
  if (!dialect) throw new Error(`the simulated host speaks no ${hostType}`);
  const sim = await start({
    dialect,
    seed: 'webhooks',
    latency: 0,
    rates: { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0, ciFinish: 0 },
    tokens: { 'tok-alice': 'alice' },
  });
  Object.assign(process.env, {
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
  });
  const host = new URL(sim.url).host;
  const runtime = webhookReceiverFromEnv(readWebhookEnv({
    TABLE_NAME: t.tableName,
    TOKENS_TABLE_NAME: t.tokensTableName,
    HTTP_CACHE_TABLE_NAME: t.httpCacheTableName,
    DELIVERIES_TABLE_NAME: t.deliveriesTableName,
    DYNAMODB_ENDPOINT: t.endpoint,
    GIT_PROVIDERS: JSON.stringify([
      sim.providerEntry(),
      { type: 'gitlab', webUrl: GITLAB_WEB },
    ]),
    WEBHOOK_SECRETS: JSON.stringify({ [host]: [GITHUB_SECRET, GITHUB_PREVIOUS_SECRET], '127.0.0.1:9': GITLAB_TOKEN }),
    ...env,
  }), options);
  await t.doc.send(new PutCommand({ TableName: t.tokensTableName, Item: { ownerId: 'alice', providerHost: host, accessToken: 'tok-alice' } }));
  const world: WebhookWorld = {
    sim,
    runtime,
    host,
    async put(row) {
      const now = Date.now();
      const full = insertedRow(row, now, now + 3_600_000);
      // As gitsync's own writes (mark-stale, refresh) set it; `repoBranchKey: undefined` leaves it off.
      if (!('repoBranchKey' in row)) full.repoBranchKey = repoBranchKey(full.gitRemoteOrigin, full.gitBranch);
      await t.doc.send(new PutCommand({ TableName: t.tableName, Item: full }));
      return full;
    },
    async scan() {
      const out = await t.doc.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }));
      return ((out.Items ?? []) as DiffStatusRow[]).sort((a, b) => a.chatId.localeCompare(b.chatId));
    },
    async scanDeliveries() {
      const out = await t.doc.send(new ScanCommand({ TableName: t.deliveriesTableName, ConsistentRead: true }));
      return out.Items ?? [];
    },
    async unchanged(run) {
      const rows = await world.scan();
      const deliveries = await world.scanDeliveries();
      await run();
      assert.deepEqual(await world.scan(), rows, 'no row touched');
      assert.deepEqual(await world.scanDeliveries(), deliveries, 'nothing recorded');
    },
    close: () => sim.close(),
  };
  return world;
}
