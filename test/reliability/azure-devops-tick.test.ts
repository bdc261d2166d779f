import { DEFAULT_TOKEN_MEMORY_MS } from '../../src/tokens/remembered-tokens.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { azureDevOpsDialect } from '../../src/dev/git-host-sim/azure-devops-dialect.ts';
import { votesOf } from '../../src/dev/git-host-sim/azure-devops-json.ts';
import { seedWorld, type SeededWorld } from '../../src/dev/git-host-sim/seed.ts';
import type { PullRequest } from '../../src/dev/git-host-sim/world.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { Harness } from './support/harness.ts';

/**
 * Azure DevOps rows through the real tick on DynamoDB Local: the simulated host speaks Azure
 * DevOps Server (behind the fault proxy), the product's Azure DevOps provider reads it, and
 * tokens come from the tokens table.
 */
const limits = new Map<string, number>();
let h: Harness;
let seeded: SeededWorld;

before(async () => {
  h = await Harness.create({
    seed: 26,
    random: () => 0,
    // A loaded machine answers loopback requests late; faults are not what this file tests.
    httpTimeoutMs: 5_000,
    sim: { dialect: azureDevOpsDialect, rateLimit: { limit: (token) => limits.get(token) ?? 5_000 } },
  });
  seeded = seedWorld(h.sim, { rows: 40, seed: 26, now: h.clock.now(), shardCount: h.shardCount });
  await h.adopt(seeded);
});
after(() => h.close());

async function drain(n = 10): Promise<void> {
  for (let i = 0; i < n; i++) if ((await h.tick({ batchSize: 50 })).claimed === 0) return;
}

/** The newest PR of a row's branch in the world, or undefined. */
function newestPull(row: DiffStatusRow): PullRequest | undefined {
  const where = h.locate(row.gitRemoteOrigin);
  const numbers = where?.repo?.branches.get(row.gitBranch!)?.pulls ?? [];
  return numbers.length ? where!.repo!.pulls.get(numbers.at(-1)!) : undefined;
}

function expectShows(row: DiffStatusRow | undefined, pr: PullRequest, why: string): void {
  assert.ok(row, why);
  const votes = [...votesOf(pr.reviews).values()];
  const changesRequested = votes.some((v) => v < 0);
  assert.deepEqual(
    {
      state: row.pullRequestState, draft: row.pullRequestDraft, title: row.pullRequestTitle, commits: row.commits, files: row.changedFiles,
      approved: row.approved, changesRequested: row.changesRequested, reviewers: row.reviewerCount, additions: row.additions, deletions: row.deletions,
    },
    {
      state: pr.state === 'open' ? 'open' : pr.merged ? 'merged' : 'closed', draft: pr.draft, title: pr.title, commits: pr.commits, files: pr.changedFiles,
      approved: !changesRequested && votes.some((v) => v > 0), changesRequested, reviewers: votes.filter((v) => v !== 0).length, additions: undefined, deletions: undefined,
    },
    why,
  );
  assert.match(row.url!, /\/Sim%20Collection\/[a-z]+\/_git\/[a-z]+\/pullrequest\/\d+$/, why);
}

test('seeded Azure DevOps rows show their PRs after the first ticks; no line counts are stored', async () => {
  await drain();
  assert.deepEqual((await h.check()).violations, []);
  // Every row shows its branch's PR as the host has it (a request a loaded machine answered late is retried first).
  assert.deepEqual(await h.settle(), []);
  const rows = await h.rows();
  let shown = 0;
  for (const row of seeded.rows) {
    const stored = rows.get(row.chatId)!;
    if (!seeded.tokens[row.ownerId!]) {
      assert.equal(stored.lastErrorKind, 'no_token');
      continue;
    }
    const pr = newestPull(row);
    if (pr?.state === 'open') {
      expectShows(stored, pr, row.chatId);
      shown++;
    }
  }
  assert.ok(shown > 10, `${shown} rows show an open PR`);
});

test('a push, a rejection, a merge and a draft on the host reach the rows by the push hook and by polling', async () => {
  const rows = await h.rows();
  const open = seeded.rows.filter((r) => seeded.tokens[r.ownerId!] && newestPull(r)?.state === 'open');
  const [pushed, rejected, merged, drafted] = open as [DiffStatusRow, DiffStatusRow, DiffStatusRow, DiffStatusRow];
  const now = h.clock.now();
  h.sim.world.push(newestPull(pushed)!, { additions: 10, deletions: 2, changedFiles: 130 }, now);
  h.sim.world.review(newestPull(rejected)!, 'qa-lead', 'CHANGES_REQUESTED', now);
  const toMerge = newestPull(merged)!;
  if (toMerge.draft) h.sim.world.setDraft(toMerge, false, now);
  h.sim.world.merge(toMerge, now);
  h.sim.world.setDraft(newestPull(drafted)!, !newestPull(drafted)!.draft, now);
  // The push reaches gitsync through the push hook at once; the rest by the poll cadence.
  await h.markStale([pushed.chatId], pushed.gitBranch!, pushed.gitRemoteOrigin!);
  await drain();
  assert.deepEqual(await h.settle(), []);
  expectShows(await h.row(pushed.chatId), newestPull(pushed)!, 'pushed: commits and changed files (two pages of changes) follow');
  assert.ok((await h.row(pushed.chatId))!.changedFiles! > 100);
  assert.notDeepEqual(rows.get(pushed.chatId)!.commits, (await h.row(pushed.chatId))!.commits);
  for (const [row, why] of [[rejected, 'rejected'], [merged, 'merged'], [drafted, 'draft toggled']] as const) expectShows(await h.row(row.chatId), newestPull(row)!, why);
  assert.equal((await h.row(rejected.chatId))!.changesRequested, true);
  assert.equal((await h.row(merged.chatId))!.pullRequestState, 'merged');
  assert.deepEqual((await h.check()).violations, []);
});

test('a spent limit (429 TF400733 with Retry-After) backs the owner off; a refused PAT is an auth error', async () => {
  const [owner, token] = Object.entries(seeded.tokens)[0]!;
  const theirs = seeded.rows.filter((r) => r.ownerId === owner).map((r) => r.chatId);
  limits.set(token, 0);
  h.clock.advance(30 * 60_000);
  h.sim.world.advanceTo(h.clock.now());
  await drain();
  const limited = await Promise.all(theirs.map((id) => h.row(id)));
  assert.ok(limited.some((r) => r?.lastErrorKind === 'rate_limited' || r?.lastErrorKind === 'skipped_rate_limit'), 'the owner is rate limited');
  const requests = h.sim.stats.snapshot().byToken[token]?.rateLimited ?? 0;
  await drain();
  assert.equal(h.sim.stats.snapshot().byToken[token]?.rateLimited ?? 0, requests, 'no request for the owner before the limit resets');
  limits.delete(token);

  const [other] = Object.keys(seeded.tokens).filter((o) => o !== owner);
  await h.linkToken(other!, 'azdo-revoked-pat', { hostAccepts: false });
  // A container uses the token it read for TOKEN_MEMORY_MS before it reads the table again.
  h.clock.advance(DEFAULT_TOKEN_MEMORY_MS);
  h.sim.world.advanceTo(h.clock.now());
  const rowOfOther = seeded.rows.find((r) => r.ownerId === other)!;
  await h.markStale([rowOfOther.chatId], rowOfOther.gitBranch!, rowOfOther.gitRemoteOrigin!);
  await drain();
  assert.equal((await h.row(rowOfOther.chatId))!.lastErrorKind, 'auth_error');
  assert.deepEqual((await h.check()).violations, []);
});
