import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { SIZE_BOUNDS } from '../../src/refresh/size-bounds.ts';
import { Harness, POLICY, type SimHost } from './support/harness.ts';
import { makeMove, OVERSIZED_TITLE_CHARS } from './support/moves.ts';

/**
 * "No row stuck for good": each case of the issue on DynamoDB Local and loopback hosts,
 * through the real tick. Each row must end showing its PR as the host has it, without
 * anyone touching the table, within the bound docs/design/reliability.md states for the case.
 */
let h: Harness;
let other: SimHost;

before(async () => {
  h = await Harness.create({ random: () => 0, secondHost: true });
  other = h.hosts[1]!;
  await h.linkToken('alice', 'test-token-alice');
});
after(() => h.close());

async function put(row: DiffStatusRow): Promise<DiffStatusRow> {
  await h.putRows([row]);
  return row;
}

/** Ticks until nothing is due (the loop's next runs), at most `n`. */
async function drain(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) if ((await h.tick({ batchSize: 50 })).claimed === 0) return;
}

/** DynamoDB's item size, over-estimating numbers (21 bytes each). */
function itemBytes(row: DiffStatusRow): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(row)) bytes += name.length + (typeof value === 'string' ? Buffer.byteLength(value) : typeof value === 'number' ? 21 : 1);
  return bytes;
}

function later(ms: number): void {
  h.clock.advance(ms);
  for (const host of h.hosts) host.sim.world.advanceTo(h.clock.now());
}

test('case 1: the remote moves to another configured host (only the port differs): the next tick shows the PR there', async () => {
  const repo = h.repo('acme', 'move');
  const row = await put(h.newRow({ chatId: 'host-move', ownerId: 'alice', repo }));
  const gone = await put(h.newRow({ chatId: 'host-move-no-pr', ownerId: 'alice', repo }));
  await drain();
  assert.ok((await h.row(row.chatId))!.url!.startsWith(h.sim.url));

  // The same repository on the other host; one branch has a PR there, the other none yet.
  const there = other.sim.world.addRepo('acme', 'move');
  const branch = other.sim.world.addBranch(there, row.gitBranch!, 'alice');
  other.sim.world.openPullRequest(there, branch, { title: 'Moved over' }, h.clock.now());
  other.sim.world.addBranch(there, gone.gitBranch!, 'alice');
  await h.markStale([row.chatId, gone.chatId], row.gitBranch!, h.originOf(there, other));
  await h.markStale([gone.chatId], gone.gitBranch!, h.originOf(there, other));
  const before = other.proxy.requests;
  await drain();

  const moved = (await h.row(row.chatId))!;
  assert.equal(moved.lastErrorKind, undefined, moved.lastErrorMessage);
  assert.equal(moved.url, `${other.sim.url}/acme/move/pull/1`);
  assert.equal(moved.pullRequestTitle, 'Moved over');
  const empty = (await h.row(gone.chatId))!;
  assert.equal(empty.lastErrorKind, undefined, empty.lastErrorMessage);
  assert.equal(empty.url, undefined, 'the old host PR is not shown for a branch without a PR on the new host');
  assert.ok(other.proxy.requests > before, 'requests reached the new host');
  assert.deepEqual((await h.check()).violations, []);
});

test('case 2: a branch gets a new PR after its PR was merged: the open PR wins within a success TTL (with or without a push)', async () => {
  const repo = h.repo('acme', 'reuse');
  const pushed = await put(h.newRow({ chatId: 'reuse-pushed', ownerId: 'alice', repo }));
  const quiet = await put(h.newRow({ chatId: 'reuse-quiet', ownerId: 'alice', repo }));
  await drain();
  for (const [row, pick] of [[pushed, 0], [quiet, 1]] as const) {
    assert.equal((await h.row(row.chatId))!.prNumber !== undefined, true);
    // Merge, push more work to the same branch, open a new PR; a push reaches mark-stale for `pushed` only.
    assert.ok(await makeMove(h, 'branchReuse', row.chatId, pick));
  }
  await drain();
  const now = (await h.row(pushed.chatId))!;
  assert.equal(now.pullRequestState, 'open', 'after a push, the next tick shows the new PR');
  assert.equal(now.pullRequestTitle, `Follow-up of ${pushed.chatId}`);
  assert.equal((await h.row(quiet.chatId))!.pullRequestState, 'open', 'not due yet: still the stored PR (was open)');

  later(POLICY.successTtlMs + 1);
  await drain();
  const healed = (await h.row(quiet.chatId))!;
  assert.equal(healed.pullRequestTitle, `Follow-up of ${quiet.chatId}`, 'without a push: at its next refresh');
  assert.equal(healed.pullRequestState, 'open');

  // Merged with nothing after it: the merged PR stays shown (the branch's latest).
  const pr = repo.pulls.get(healed.prNumber!)!;
  h.sim.world.merge(pr, h.clock.now());
  later(POLICY.successTtlMs + 1);
  await drain();
  assert.equal((await h.row(quiet.chatId))!.pullRequestState, 'merged');
  assert.equal((await h.row(quiet.chatId))!.prNumber, pr.number);
  assert.deepEqual((await h.check()).violations, []);
});

test('case 3: a renamed repository: its 301 on the same API host is followed, and the next refresh goes straight to the new path', async () => {
  const repo = h.repo('acme', 'old-name');
  const known = await put(h.newRow({ chatId: 'rename-known', ownerId: 'alice', repo }));
  const fresh = await put(h.newRow({ chatId: 'rename-fresh', ownerId: 'alice', repo, pr: false }));
  await drain();
  h.sim.world.moveRepo(repo, 'acme', 'new-name');
  h.sim.world.openPullRequest(repo, repo.branches.get(fresh.gitBranch!)!, { title: 'Opened after the rename' }, h.clock.now());
  later(POLICY.successTtlMs + POLICY.noPullRequestLaterMs);
  await drain();

  for (const row of [known, fresh]) {
    const stored = (await h.row(row.chatId))!;
    assert.equal(stored.lastErrorKind, undefined, `${row.chatId}: ${stored.lastErrorMessage}`);
    assert.match(stored.url!, /\/acme\/new-name\/pull\/\d+$/, row.chatId);
    assert.deepEqual(stored.repoMove, { origin: row.gitRemoteOrigin, path: 'acme/new-name' }, row.chatId);
  }

  // Next refresh: straight to the new path.
  later(POLICY.successTtlMs + 1);
  const before = h.proxy.paths.length;
  await drain();
  const paths = h.proxy.paths.slice(before);
  assert.ok(paths.some((p) => p.includes('/acme/new-name/')), 'the rows were refreshed');
  assert.deepEqual(paths.filter((p) => p.includes('/acme/old-name/')), [], 'no request to the old path');
  for (const row of [known, fresh]) assert.equal((await h.row(row.chatId))!.lastErrorKind, undefined);
  assert.deepEqual((await h.check()).violations, []);
});

test('case 3: a repository transferred to another owner: a row that never showed a PR finds the new owner\'s PR, and the move is kept', async () => {
  const repo = h.repo('acme', 'moving');
  const known = await put(h.newRow({ chatId: 'transfer-known', ownerId: 'alice', repo }));
  const fresh = await put(h.newRow({ chatId: 'transfer-fresh', ownerId: 'alice', repo, pr: false }));
  const none = await put(h.newRow({ chatId: 'transfer-none', ownerId: 'alice', repo, pr: false }));
  await drain();
  assert.equal((await h.row(fresh.chatId))!.url, undefined);
  h.sim.world.moveRepo(repo, 'globex', 'moving');
  h.sim.world.openPullRequest(repo, repo.branches.get(fresh.gitBranch!)!, { title: 'Opened after the transfer' }, h.clock.now());
  later(POLICY.successTtlMs + POLICY.noPullRequestLaterMs);
  await drain();

  for (const row of [known, fresh, none]) {
    const stored = (await h.row(row.chatId))!;
    assert.equal(stored.lastErrorKind, undefined, `${row.chatId}: ${stored.lastErrorMessage}`);
    assert.deepEqual(stored.repoMove, { origin: row.gitRemoteOrigin, path: 'globex/moving' }, row.chatId);
  }
  for (const row of [known, fresh]) assert.match((await h.row(row.chatId))!.url!, /\/globex\/moving\/pull\/\d+$/, row.chatId);
  const shown = (await h.row(fresh.chatId))!;
  assert.equal(shown.pullRequestTitle, 'Opened after the transfer');
  assert.equal(shown.pullRequestState, 'open');
  assert.equal((await h.row(none.chatId))!.url, undefined);

  // Later refreshes: straight to the new path, the branch searched under the new owner.
  later(POLICY.successTtlMs + POLICY.noPullRequestLaterMs);
  const before = h.proxy.paths.length;
  await drain();
  const paths = h.proxy.paths.slice(before);
  assert.ok(paths.some((p) => p.includes('/globex/moving/pulls?') && p.includes('head=globex%3A')), 'the branches were searched under the new owner');
  assert.deepEqual(paths.filter((p) => p.includes('/acme/moving')), [], 'no request to the old path');
  for (const row of [known, fresh, none]) assert.equal((await h.row(row.chatId))!.lastErrorKind, undefined);
  assert.deepEqual((await h.check()).violations, []);
});

test('case 4: a damaged conditional-request cache is dropped and the request made without it', async () => {
  const repo = h.repo('acme', 'cache');
  const rows: DiffStatusRow[] = [];
  for (let i = 0; i < 5; i++) rows.push(await put(h.newRow({ chatId: `cache-${i}`, ownerId: 'alice', repo })));
  await drain();
  for (const [i, row] of rows.entries()) assert.ok(await makeMove(h, 'cacheCorruption', row.chatId, i));
  later(POLICY.successTtlMs + 1);
  const before = h.proxy.requests;
  await drain();
  assert.ok(h.proxy.requests > before);
  for (const row of rows) {
    const stored = (await h.row(row.chatId))!;
    assert.equal(stored.lastErrorKind, undefined, `${row.chatId}: ${stored.lastErrorMessage}`);
    assert.ok(stored.refreshedAt! > h.clock.now() - 60_000, `${row.chatId} refreshed`);
    assert.equal(stored.httpCache, undefined, `${row.chatId}: the legacy attribute is gone`);
    const entries = (await h.httpCache(row.chatId)) as Record<string, { etag: string }> | undefined;
    assert.equal(typeof entries, 'object', `${row.chatId}: the cache item holds usable entries again`);
    for (const entry of Object.values(entries!)) assert.match(entry.etag, /^[\x21-\x7e][\x20-\x7e]*$/);
  }
  assert.deepEqual((await h.check()).violations, []);
});

test('case 4, row-backed 304s: PR fields another service rewrote, or a title cut to size, are never taken as the cached answer', async () => {
  const repo = h.repo('acme', 'rowcache');
  const rows: DiffStatusRow[] = [];
  for (let i = 0; i < 3; i++) rows.push(await put(h.newRow({ chatId: `rowcache-${i}`, ownerId: 'alice', repo })));
  await drain();
  // A second refresh: the host has settled its lazy fields (mergeable), so its answers stay the same from here.
  later(POLICY.successTtlMs + 1);
  await drain();
  const host = await Promise.all(rows.map(async (r) => (await h.row(r.chatId))!));
  const hostCaches = await Promise.all(rows.map(async (r) => (await h.httpCache(r.chatId)) as Record<string, { etag: string }>));
  // The PRs do not change: every answer would be a 304 if the ETag were sent.
  const damage = [
    { pullRequestTitle: 'Rewritten by another service' },
    { additions: '12', pullRequestDraft: 'yes' },
    { prNumber: 999_999, authorLogin: null },
  ];
  for (const [i, set] of damage.entries()) {
    const names = Object.keys(set);
    await h.tables.doc.send(
      new UpdateCommand({
        TableName: h.tables.tableName,
        Key: { chatId: rows[i]!.chatId },
        UpdateExpression: `SET ${names.map((_, k) => `#f${k} = :v${k}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((n, k) => [`#f${k}`, n])),
        ExpressionAttributeValues: Object.fromEntries(Object.values(set).map((v, k) => [`:v${k}`, v])),
      }),
    );
  }
  later(POLICY.successTtlMs + 1);
  await drain();
  for (const [i, row] of rows.entries()) {
    const stored = (await h.row(row.chatId))!;
    assert.equal(stored.lastErrorKind, undefined, `${row.chatId}: ${stored.lastErrorMessage}`);
    for (const field of ['pullRequestTitle', 'additions', 'pullRequestDraft', 'prNumber', 'authorLogin'] as const) {
      assert.deepEqual(stored[field], host[i]![field], `${row.chatId}: ${field} shows the host's value again`);
    }
    const cache = (await h.httpCache(row.chatId)) as Record<string, { etag: string }>;
    assert.ok(cache['p']?.etag, 'the pull is cached');
    assert.equal(cache['p']?.etag, hostCaches[i]!['p']?.etag, 'the PR did not change');
    assert.ok(!JSON.stringify(cache).includes(String(host[i]!.pullRequestTitle)), 'the cache holds no copy of the PR fields');
  }
  assert.deepEqual((await h.check()).violations, []);
});

test('case 5: a huge answer is stored cut to size; a write DynamoDB still refuses records item_too_large with a backoff', async () => {
  const repo = h.repo('acme', 'huge');
  const huge = await put(h.newRow({ chatId: 'huge-title', ownerId: 'alice', repo }));
  await drain();
  assert.ok(await makeMove(h, 'oversized', huge.chatId, 0));
  later(POLICY.successTtlMs + 1);
  await drain();
  const stored = (await h.row(huge.chatId))!;
  assert.equal(stored.lastErrorKind, undefined, stored.lastErrorMessage);
  assert.equal(stored.pullRequestTitle!.length, SIZE_BOUNDS.stringChars);
  assert.ok(JSON.stringify(stored).length < 100_000, 'the stored row stays small');
  assert.ok(OVERSIZED_TITLE_CHARS > 400 * 1024);

  // Another service filled the row almost to DynamoDB's limit (409,600 bytes): a claim still
  // fits, a refresh (~1 KB of PR fields and cache) no longer does.
  const full = await put(h.newRow({ chatId: 'nearly-full', ownerId: 'alice', repo }));
  const claimBytes = 'leaseId'.length + 36 + 'leaseExpiresAt'.length + 21;
  const headroom = 300;
  await h.tables.doc.send(
    new UpdateCommand({
      TableName: h.tables.tableName,
      Key: { chatId: full.chatId },
      UpdateExpression: 'SET notes = :n',
      ExpressionAttributeValues: { ':n': 'n'.repeat(409_600 - itemBytes(full) - 'notes'.length - claimBytes - headroom) },
    }),
  );
  const startedAt = h.clock.now();
  const summary = await h.tick({ batchSize: 50 });
  assert.equal(summary.writeFailures, 0, JSON.stringify(summary));
  const refused = (await h.row(full.chatId))!;
  assert.equal(refused.lastErrorKind, 'item_too_large', refused.lastErrorMessage);
  assert.equal(refused.errorCount, 1);
  assert.equal(refused.leaseId, undefined, 'the lease is released');
  assert.ok(refused.staleAt! - startedAt >= POLICY.errorBaseMs, 'backs off');
  assert.deepEqual((await h.check()).violations, []);

  // The other service trims its attribute: the row heals at its next retry.
  await h.tables.doc.send(new UpdateCommand({ TableName: h.tables.tableName, Key: { chatId: full.chatId }, UpdateExpression: 'REMOVE notes' }));
  later(POLICY.errorBaseMs * (1 + POLICY.errorJitterRatio) + 1_000);
  await drain();
  const healed = (await h.row(full.chatId))!;
  assert.equal(healed.lastErrorKind, undefined, healed.lastErrorMessage);
  assert.equal(healed.pullRequestState, 'open');
});

test('case 7: a trickling host fails its rows as slow_host within their time share; other rows drain in the same tick; repeats back off', async () => {
  const slowRepo = h.repo('acme', 'trickle');
  const slow = await put(h.newRow({ chatId: 'trickle', ownerId: 'alice', repo: slowRepo }));
  const quickRepo = h.repo('acme', 'quick');
  const quick: DiffStatusRow[] = [];
  for (let i = 0; i < 12; i++) quick.push(await put(h.newRow({ chatId: `quick-${i}`, ownerId: 'alice', repo: quickRepo, extra: { staleAt: h.clock.now() - 100 + i } })));
  // Rows of the other host too, behind the slow one in the due index.
  const elsewhere = other.sim.world.addRepo('acme', 'elsewhere');
  for (let i = 0; i < 3; i++) {
    const branch = other.sim.world.addBranch(elsewhere, `alice/elsewhere-${i}`, 'alice');
    other.sim.world.openPullRequest(elsewhere, branch, { title: `Elsewhere ${i}` }, h.clock.now() - 60_000);
    const row = h.newRow({ chatId: `elsewhere-${i}`, ownerId: 'alice', repo: quickRepo, pr: false });
    quick.push(await put({ ...row, gitRemoteOrigin: h.originOf(elsewhere, other), gitBranch: branch.name, staleAt: h.clock.now() - 50 + i }));
  }
  // The slow row is the oldest: it is claimed in the first batch.
  await h.tables.doc.send(new UpdateCommand({ TableName: h.tables.tableName, Key: { chatId: slow.chatId }, UpdateExpression: 'SET staleAt = :s', ExpressionAttributeValues: { ':s': h.clock.now() - 10_000 } }));
  assert.ok(await makeMove(h, 'trickle', slow.chatId, 0));

  const startedAt = h.clock.now();
  const summary = await h.tick({ batchSize: 5 });
  assert.ok(summary.batches >= 3, `the tick kept draining after the slow row (${JSON.stringify(summary)})`);
  assert.equal(summary.released, 0);
  const rows = await h.rows();
  for (const row of quick) assert.ok(rows.get(row.chatId)!.refreshedAt! >= startedAt, `${row.chatId} refreshed in the same tick`);
  const failed = rows.get(slow.chatId)!;
  assert.equal(failed.lastErrorKind, 'slow_host', failed.lastErrorMessage);
  assert.ok(failed.staleAt! - startedAt >= POLICY.errorBaseMs, 'backs off');

  // Not retried before its backoff; after it, a second time share doubles the wait.
  later(POLICY.errorBaseMs / 2);
  const paths = h.proxy.paths.length;
  await drain();
  assert.equal(h.proxy.paths.slice(paths).filter((p) => p.includes('/acme/trickle/')).length, 0, 'not retried before its backoff');
  later(POLICY.errorBaseMs);
  await drain();
  const again = (await h.row(slow.chatId))!;
  assert.equal(again.errorCount, 2);
  assert.ok(again.staleAt! - h.clock.now() >= 2 * POLICY.errorBaseMs - 5_000, 'the second wait doubles');

  // The host recovers: the row heals at its next retry.
  assert.deepEqual(await h.settle(), []);
  assert.deepEqual((await h.check()).violations, []);
});
