import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DiffStatusRow } from '../../domain/row.ts';
import { seedWorld } from '../git-host-sim/seed.ts';
import type { SimulatedHost } from './simulated-host.ts';

export interface Seeded {
  rows: DiffStatusRow[];
  /** ownerId -> token, for owners with a token linked. */
  tokens: Record<string, string>;
  ownersWithoutToken: string[];
  /**
   * The owner whose quota runs out once their rows have been refreshed: one with a branch
   * pushed a moment ago and no PR yet, which polls again 15 s later and meets the limit.
   */
  quotaOwner: string | undefined;
}

export interface SeedTarget {
  doc: DynamoDBDocumentClient;
  tableName: string;
  tokensTableName: string;
  shardCount: number;
}

/** Seeds the simulated host and writes the matching rows and tokens into the tables. */
export async function seedTables(host: SimulatedHost, target: SeedTarget, rowCount: number, seed: string, now: number): Promise<Seeded> {
  const world = seedWorld(host.sim, { rows: rowCount, seed, now, shardCount: target.shardCount });
  const quotaOwner = pickQuotaOwner(host, world.rows, world.tokens);
  if (quotaOwner) quotaOwner.row.updatedAt = now;

  await batchPut(target.doc, target.tableName, world.rows);
  await batchPut(
    target.doc,
    target.tokensTableName,
    Object.entries(world.tokens).map(([ownerId, accessToken]) => ({ ownerId, providerHost: host.provider.host, accessToken })),
  );
  return {
    rows: world.rows,
    tokens: world.tokens,
    ownersWithoutToken: world.ownerIds.filter((id) => !(id in world.tokens)),
    quotaOwner: quotaOwner?.ownerId,
  };
}

/** The owner with a token and the most branches without an open PR, and one of those rows. */
function pickQuotaOwner(
  host: SimulatedHost,
  rows: DiffStatusRow[],
  tokens: Record<string, string>,
): { ownerId: string; row: DiffStatusRow } | undefined {
  const withoutPull = new Map<string, DiffStatusRow[]>();
  for (const row of rows) {
    if (!row.ownerId || !(row.ownerId in tokens)) continue;
    const [owner, name] = new URL(row.gitRemoteOrigin!).pathname.replace(/\.git$/, '').split('/').filter(Boolean);
    const repo = host.sim.world.repo(owner!, name!);
    if (repo && host.sim.world.openPullsFor(repo, row.gitBranch!).length === 0) {
      withoutPull.set(row.ownerId, [...(withoutPull.get(row.ownerId) ?? []), row]);
    }
  }
  const [best] = [...withoutPull].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  return best ? { ownerId: best[0], row: best[1][0]! } : undefined;
}

const BATCH = 25;

async function batchPut(doc: DynamoDBDocumentClient, tableName: string, items: readonly object[]): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH) {
    let pending: { PutRequest: { Item: Record<string, unknown> } }[] = items
      .slice(i, i + BATCH)
      .map((item) => ({ PutRequest: { Item: item as Record<string, unknown> } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 5) throw new Error(`seeding ${tableName}: DynamoDB kept ${pending.length} writes unprocessed`);
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (out.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  }
}
