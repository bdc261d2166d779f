import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Repo } from '../../../src/dev/git-host-sim/world.ts';
import { SHARD_HIGH_WATER_KEY, shardLeaseKey } from '../../../src/store/bookkeeping.ts';
import { onceSlot } from '../../../src/store/due-slot.ts';
import { bucketOf, dueShardFor } from '../../../src/store/shard.ts';
import { WEBHOOK_SECRET, type Harness } from './harness.ts';

/**
 * What users and hosts do to a tracked chat that the refresh must heal from by itself
 * (issue "No row stuck for good"): each is made on one row, through the same doors the
 * real world uses (the host's own state, mark-stale, or another service writing the table).
 */
export const MOVE_KINDS = [
  'hostMove',
  'rename',
  'transfer',
  'branchReuse',
  'cacheCorruption',
  'oversized',
  'trickle',
  // Issue 19: races, damaged bookkeeping, outside writers, injected failures.
  'webhookRace',
  'deleteReinsert',
  'bookkeepingDamage',
  'outsideShardCount',
  'wrongValues',
  'writeFailure',
  'claimFailure',
] as const;
export type MoveKind = (typeof MOVE_KINDS)[number];

/** A title far over DynamoDB's 400 KB item limit once stored with its cached answer. */
export const OVERSIZED_TITLE_CHARS = 450_000;

/**
 * Damaged caches as a fault, an operator or an older gitsync might leave them: in the cache
 * table's item, in a row's legacy `httpCache` attribute (read while the table has no item),
 * and a damaged `repoMove` on the row.
 */
const DAMAGED_CACHES: readonly { where: 'item' | 'row'; name: string; value: unknown }[] = [
  { where: 'item', name: 'entries', value: { p: { etag: 'W/"1"\r\nX-Injected: 1', value: {} }, b: { etag: 'W/"2"\n', value: [] } } },
  { where: 'row', name: 'httpCache', value: { p: { etag: 42, value: null }, r: 'not an entry' } },
  { where: 'item', name: 'entries', value: 'not a map' },
  { where: 'row', name: 'httpCache', value: [1, 2, 3] },
  { where: 'row', name: 'repoMove', value: { origin: 'whatever', path: 42 } },
];

/**
 * Makes one move of `kind` on `chatId`; false when the row is in no state for it (no
 * repository on a configured host, no second host, no PR to change).
 */
export async function makeMove(h: Harness, kind: MoveKind, chatId: string, pick: number): Promise<boolean> {
  const owned = h.owned.get(chatId);
  const where = h.locate(owned?.gitRemoteOrigin);
  const branchName = owned?.gitBranch;
  if (!owned || !where?.repo || !branchName) return false;
  const repo = where.repo;
  const now = h.clock.now();
  const world = where.host.sim.world;
  switch (kind) {
    case 'hostMove': {
      // The chat's remote now points at the same repository on another configured host.
      const target = h.hosts.find((x) => x !== where.host);
      if (!target) return false;
      const there = target.sim.world.repo(repo.owner, repo.name) ?? target.sim.world.addRepo(repo.owner, repo.name);
      const pusher = repo.branches.get(branchName)?.pusher ?? owned.ownerId ?? 'nobody';
      const branch = there.branches.get(branchName) ?? target.sim.world.addBranch(there, branchName, pusher);
      if (pick % 3 !== 0 && target.sim.world.openPullsFor(there, branchName).length === 0) {
        target.sim.world.openPullRequest(there, branch, { title: `Moved ${chatId}` }, now);
      }
      await h.markStale([chatId], branchName, h.originOf(there, target));
      return true;
    }
    case 'rename':
    case 'transfer': {
      // Only a host that still answers the old path can be followed there (Azure DevOps: 404).
      if (!where.host.sim.dialect.answersMovedRepos) return false;
      // The repository is renamed on its host, or transferred to another owner (whose name
      // GitHub's branch search needs); the chat's remote keeps the old path.
      const owner = kind === 'rename' ? repo.owner : `${repo.owner}-transferred`;
      const base = kind === 'rename' ? `${repo.name}-renamed` : repo.name;
      let name = base;
      for (let i = 2; world.resolveRepo(owner, name); i++) name = `${base}-${i}`;
      world.moveRepo(repo, owner, name);
      return true;
    }
    case 'branchReuse': {
      // The branch's PR is merged, more work is pushed to the same branch, a new PR is opened.
      const branch = repo.branches.get(branchName);
      if (!branch) return false;
      if (branch.pulls.length === 0) world.openPullRequest(repo, branch, { title: `First of ${chatId}` }, now - 2);
      for (const pr of world.openPullsFor(repo, branchName)) {
        if (pr.draft) world.setDraft(pr, false, now - 1);
        world.merge(pr, now - 1);
      }
      world.openPullRequest(repo, branch, { title: `Follow-up of ${chatId}` }, now);
      // Half the time the push reaches mark-stale; the other half only the host saw it.
      if (pick % 2 === 0) await h.markStale([chatId], branchName, owned.gitRemoteOrigin!);
      return true;
    }
    case 'cacheCorruption': {
      const { where: into, name, value } = DAMAGED_CACHES[pick % DAMAGED_CACHES.length]!;
      // A row's legacy attribute is read only while the table has no item: the item goes.
      if (into === 'row' && name === 'httpCache') await h.tables.doc.send(new DeleteCommand({ TableName: h.tables.httpCacheTableName, Key: { chatId } }));
      await h.tables.doc.send(
        new UpdateCommand({
          TableName: into === 'item' ? h.tables.httpCacheTableName : h.tables.tableName,
          Key: { chatId },
          UpdateExpression: 'SET #a = :v',
          ExpressionAttributeNames: { '#a': name },
          ExpressionAttributeValues: { ':v': value },
        }),
      );
      return true;
    }
    case 'oversized': {
      const pr = newestPull(repo, branchName);
      if (!pr) return false;
      world.retitle(pr, `${'T'.repeat(OVERSIZED_TITLE_CHARS)} ${chatId}`, now);
      return true;
    }
    case 'trickle':
      // The repository's API answers trickle in, never finishing (both the old and the current path).
      for (const path of [`${where.owner}/${where.name}`, `${repo.owner}/${repo.name}`]) where.host.proxy.faults.set(path.toLowerCase(), 'trickle');
      return true;
    case 'webhookRace': {
      // The PR changes on the host; its delivery and a tick run at once (either may claim first).
      const pr = newestPull(repo, branchName);
      if (!pr) return false;
      // A draft cannot be merged: it is edited instead.
      const merge = pr.state === 'open' && !pr.draft && pick % 2 === 0;
      if (merge) world.merge(pr, now);
      else world.retitle(pr, `Edited ${pick} ${chatId}`, now);
      for (const [id, other] of h.owned) if (other.gitRemoteOrigin === owned.gitRemoteOrigin && other.gitBranch === branchName) h.touch(id);
      const urls = { web: where.host.sim.url, api: where.host.proxy.apiUrl };
      // The delivery as the simulated host's own product sends it (none where it sends none).
      const delivery = where.host.sim.dialect.delivery?.({ kind: merge ? 'closed' : 'updated', repo, pr }, urls, WEBHOOK_SECRET);
      await Promise.all([h.tick({ batchSize: 10 }), delivery ? h.receiver.receive(delivery).catch(() => {}) : undefined]);
      return true;
    }
    case 'deleteReinsert': {
      // Deleted (a chat closed) and inserted again under the same id on another branch, while a tick runs.
      const branches = [...repo.branches.keys()].filter((b) => b !== branchName);
      const next = branches[pick % Math.max(1, branches.length)] ?? world.addBranch(repo, `reinserted-${pick}-${now}`, owned.ownerId ?? 'nobody').name;
      const row = {
        ...owned,
        chatId,
        gitBranch: next,
        createdAt: now,
        updatedAt: now,
        staleAt: now - 1_000,
        dueSlot: onceSlot(now - 1_000),
        dueShard: dueShardFor(chatId, h.shardCount),
      };
      await Promise.all([h.tick({ batchSize: 10 }), h.reinsert(row)]);
      return true;
    }
    case 'bookkeepingDamage': {
      // A clean-up job or a hand: the shard mark deleted, garbage, lowered, or a shard's lease item deleted.
      const key = { TableName: h.tables.tableName, Key: { chatId: SHARD_HIGH_WATER_KEY } };
      switch (pick % 4) {
        case 0:
          await h.tables.doc.send(new DeleteCommand(key));
          break;
        case 1:
          await h.tables.doc.send(new PutCommand({ TableName: h.tables.tableName, Item: { chatId: SHARD_HIGH_WATER_KEY, shardCount: 'four' } }));
          break;
        case 2:
          await h.tables.doc.send(new PutCommand({ TableName: h.tables.tableName, Item: { chatId: SHARD_HIGH_WATER_KEY, shardCount: 1 } }));
          break;
        default:
          // Its polledUntil is gone: the shard's periodic rows are served once more (allowed: touched).
          await h.tables.doc.send(new DeleteCommand({ TableName: h.tables.tableName, Key: { chatId: shardLeaseKey(pick % h.shardCount) } }));
          for (const id of h.owned.keys()) h.touch(id);
      }
      return true;
    }
    case 'outsideShardCount':
      // Another service following the contract with its own SHARD_COUNT (more shards than gitsync's) makes the row due.
      await setAttributes(h, chatId, { dueShard: dueShardFor(chatId, h.shardCount * 2 + (pick % 5)), dueSlot: onceSlot(now - 1_000), staleAt: now - 1_000 });
      h.touch(chatId);
      return true;
    case 'wrongValues': {
      // Another service writes values gitsync cannot use as they are.
      const anchor = now - 60_000;
      const base = dueShardFor(chatId, h.shardCount);
      const damage: Record<string, unknown>[] = [
        { dueSlot: `0/${(now - 1_000) * 1_000}` },
        { dueSlot: `120000/${anchor}`, dueShard: `${base}:${(bucketOf(anchor) + 1) % 6}` },
        { updatedAt: new Date(now).toISOString() },
        { version: `v${pick}` },
      ];
      await setAttributes(h, chatId, damage[pick % damage.length]!);
      h.touch(chatId);
      return true;
    }
    case 'writeFailure':
    case 'claimFailure':
      // DynamoDB fails a few write-backs (a 500) or claim reads (throttled past the SDK's retries) of a tick.
      h.ddbFaults.add(kind === 'writeFailure' ? { kind: 'server', operations: ['UpdateItem'], times: 3 } : { kind: 'throttle', operations: ['GetItem'], times: 3 });
      await h.tick({ batchSize: 10 });
      return true;
  }
}

async function setAttributes(h: Harness, chatId: string, values: Record<string, unknown>): Promise<void> {
  const names = Object.keys(values);
  await h.tables.doc.send(
    new UpdateCommand({
      TableName: h.tables.tableName,
      Key: { chatId },
      UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#a${i}`, n])),
      ExpressionAttributeValues: Object.fromEntries(Object.values(values).map((v, i) => [`:v${i}`, v])),
    }),
  );
}

function newestPull(repo: Repo, branch: string) {
  const numbers = repo.branches.get(branch)?.pulls ?? [];
  return numbers.length ? repo.pulls.get(numbers.at(-1)!) : undefined;
}
