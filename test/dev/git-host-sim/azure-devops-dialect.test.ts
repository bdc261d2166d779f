import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { azureDevOpsDialect } from '../../../src/dev/git-host-sim/azure-devops-dialect.ts';
import { seedWorld, type SeededWorld } from '../../../src/dev/git-host-sim/seed.ts';
import { start, type GitHostSim } from '../../../src/dev/git-host-sim/server.ts';
import { AuthError, RateLimitedError } from '../../../src/domain/errors.ts';
import { parseProviderConfigs } from '../../../src/providers/config.ts';
import { createHttpAgent } from '../../../src/providers/http/agent.ts';
import { summarizeReviews } from '../../../src/providers/github/reviews.ts';
import { createProviderRegistry, type ConfiguredProviderRegistry } from '../../../src/providers/registry.ts';
import { RowConditionalCache } from '../../../src/refresh/conditional-cache.ts';
import { client, manualClock } from './helpers.ts';

// The simulated host speaking Azure DevOps Server, read by the real Azure DevOps provider.
const clock = manualClock();
const http = client();
const agent = createHttpAgent();
let sim: GitHostSim;
let seeded: SeededWorld;
let registry: ConfiguredProviderRegistry;

before(async () => {
  sim = await start({ clock, seed: 26, dialect: azureDevOpsDialect, rateLimit: { limit: (t) => (t === 'azdosimpatspent' ? 2 : 5_000) } });
  seeded = seedWorld(sim, { rows: 60, seed: 26, now: clock.now(), shardCount: 1 });
  registry = createProviderRegistry(parseProviderConfigs(JSON.stringify([sim.providerEntry()])), { dispatcher: agent, clock });
});
after(async () => {
  await sim.close();
  await agent.close();
  await http.agent.close();
});

const ctx = (token: string) => ({ token, signal: AbortSignal.timeout(10_000), cache: new RowConditionalCache(undefined), truncated: () => assert.fail('nothing is truncated') });

test('origins are Server origins with the collection name percent-encoded, and parse back', () => {
  for (const row of seeded.rows) {
    assert.match(row.gitRemoteOrigin!, new RegExp(`^${sim.url}/Sim%20Collection/[a-z]+/_git/[a-z]+$`));
    const found = registry.forOrigin(row.gitRemoteOrigin!);
    assert.ok(found, row.gitRemoteOrigin);
    assert.match(found.repo.path, /^Sim Collection\/[a-z]+\/[a-z]+$/);
  }
});

test('every seeded branch reads as the world has it: state, draft, title, votes, commits, files; no line counts', async () => {
  let compared = 0;
  for (const row of seeded.rows.filter((r) => seeded.tokens[r.ownerId!])) {
    const found = registry.forOrigin(row.gitRemoteOrigin!)!;
    const [, owner, name] = found.repo.path.split('/');
    const repo = sim.world.repo(owner!, name!)!;
    const branch = repo.branches.get(row.gitBranch!)!;
    const newest = branch.pulls.length > 0 ? repo.pulls.get(branch.pulls[branch.pulls.length - 1]!) : undefined;
    const ref = await found.provider.resolveBranchPullRequest(found.repo, row.gitBranch!, ctx(seeded.tokens[row.ownerId!]!), true);
    assert.equal(ref?.number, newest?.number, row.gitBranch);
    if (!ref || !newest) continue;
    const status = await found.provider.fetchPullRequestStatus(ref, ctx(seeded.tokens[row.ownerId!]!));
    const github = summarizeReviews(newest.reviews.map((r) => ({ reviewer: r.login, state: r.state })));
    assert.deepEqual(
      [status.pullRequestState, status.pullRequestDraft, status.pullRequestTitle, status.authorLogin, status.headBranch, status.baseBranch],
      [newest.state === 'open' ? 'open' : newest.merged ? 'merged' : 'closed', newest.draft, newest.title, `${newest.authorLogin}@sim.example`, newest.headRef, newest.baseRef],
    );
    assert.deepEqual([status.approved, status.changesRequested, status.reviewerCount], [github.approved, github.changesRequested, github.reviewerCount], 'votes decide as reviews do');
    assert.deepEqual([status.commits, status.changedFiles, status.additions, status.deletions], [newest.commits, newest.changedFiles, undefined, undefined]);
    assert.equal(status.url, `${sim.url}/Sim%20Collection/${owner}/_git/${name}/pullrequest/${newest.number}`);
    compared++;
  }
  assert.ok(compared > 20, `compared ${compared} PRs`);
});

test('a wrong PAT is a 401 without a body; a spent limit a 429 TF400733 with Retry-After', async () => {
  const row = seeded.rows.find((r) => seeded.tokens[r.ownerId!])!;
  const found = registry.forOrigin(row.gitRemoteOrigin!)!;
  await assert.rejects(found.provider.resolveBranchPullRequest(found.repo, row.gitBranch!, ctx('not-a-known-pat')), AuthError);
  sim.addToken('azdosimpatspent', 'spender');
  await found.provider.resolveBranchPullRequest(found.repo, row.gitBranch!, ctx('azdosimpatspent'));
  await found.provider.resolveBranchPullRequest(found.repo, row.gitBranch!, ctx('azdosimpatspent'));
  await assert.rejects(found.provider.resolveBranchPullRequest(found.repo, row.gitBranch!, ctx('azdosimpatspent')), (e) => e instanceof RateLimitedError && e.resetAt > clock.now());
  const raw = await http.get(`${sim.url}/Sim%20Collection/x/_apis/git/repositories/y/pullrequests?api-version=7.1`, { authorization: `Basic ${Buffer.from(':azdosimpatspent').toString('base64')}` });
  assert.equal(raw.status, 429);
  assert.ok(Number(raw.headers['retry-after']) > 0);
  assert.match(raw.json().message, /^TF400733/);
});

test('requests without api-version, or naming another collection, are refused as Azure does', async () => {
  const token = Object.values(seeded.tokens)[0]!;
  const basic = { authorization: `Basic ${Buffer.from(`:${token}`).toString('base64')}` };
  const repo = sim.world.repos()[0]!;
  const path = `/Sim%20Collection/${repo.owner}/_apis/git/repositories/${repo.name}/pullrequests`;
  assert.equal((await http.get(`${sim.url}${path}`, basic)).status, 400);
  assert.equal((await http.get(`${sim.url}${path.replace('Sim%20Collection', 'Other')}?api-version=7.1`, basic)).status, 404);
  assert.equal((await http.get(`${sim.url}${path}?api-version=7.1`, basic)).status, 200);
});
