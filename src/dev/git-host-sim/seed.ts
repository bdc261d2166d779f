import type { DiffStatusRow } from '../../domain/row.ts';
import { dueShardFor } from '../../store/shard.ts';
import { onceSlot } from '../../store/due-slot.ts';
import { DEFAULT_REVIEWERS, randomPushSize, randomTitle } from './evolution.ts';
import { seededRandom, type Random } from './prng.ts';
import type { GitHostSim } from './server.ts';
import type { Branch, Repo } from './world.ts';

export interface SeedOptions {
  /** Number of tracked branches (= diff-status rows). */
  rows: number;
  seed?: number | string;
  /** gitsync owners (users whose tokens are used). Default 8. */
  owners?: number;
  /** Of which this many have no token linked. Default 1 in 5, at least 1 when owners > 1. */
  ownersWithoutToken?: number;
  /** GitHub organisations, each with `reposPerOrg` repositories. Defaults 3 and 3. */
  orgs?: number;
  reposPerOrg?: number;
  /** Share of branches that start with an open PR; a further tenth starts merged or closed. Default 0.55. */
  openPullShare?: number;
  /** The seeding instant (epoch ms); rows are due at or before it. */
  now: number;
  /** Shards of the due index the store polls (the rows' `dueShard` is `dueShardFor(chatId, shardCount)`). */
  shardCount: number;
}

export interface SeededWorld {
  rows: DiffStatusRow[];
  /** ownerId -> token, only for owners that have one. */
  tokens: Record<string, string>;
  ownerIds: string[];
}

const ORGS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell'];
const REPOS = ['api', 'web', 'infra', 'mobile', 'billing', 'search', 'docs'];
const TOPICS = ['login', 'cache', 'export', 'retry', 'audit', 'settings', 'perf', 'typo'];
const HOUR = 3_600_000;

/**
 * Fills the simulated host with repositories and branches (some with PRs, some without),
 * registers a token per owner except a few, and returns the matching diff-status rows.
 * The same seed gives the same world, rows and tokens.
 */
export function seedWorld(sim: Pick<GitHostSim, 'world' | 'dialect' | 'originOf' | 'addToken'>, options: SeedOptions): SeededWorld {
  const rng = seededRandom(options.seed ?? 1).fork('seed');
  const ownerCount = options.owners ?? 8;
  const tokenless = options.ownersWithoutToken ?? (ownerCount > 1 ? Math.max(1, Math.floor(ownerCount / 5)) : 0);
  if (!Number.isInteger(options.rows) || options.rows < 0) throw new RangeError(`rows must be a whole number >= 0, got ${options.rows}`);
  if (!Number.isInteger(options.shardCount) || options.shardCount < 1) throw new RangeError(`shardCount must be a whole number >= 1, got ${options.shardCount}`);
  if (ownerCount < 1 || tokenless > ownerCount) throw new RangeError('need at least one owner and no more tokenless owners than owners');

  const repos: Repo[] = [];
  for (const org of ORGS.slice(0, options.orgs ?? 3)) {
    for (const name of REPOS.slice(0, options.reposPerOrg ?? 3)) {
      repos.push(sim.world.repo(org, name) ?? sim.world.addRepo(org, name));
    }
  }
  if (repos.length === 0) throw new RangeError('need at least one organisation and one repository per organisation');

  const owners = Array.from({ length: ownerCount }, (_, i) => ({
    ownerId: `owner-${String(i + 1).padStart(2, '0')}`,
    login: `dev-${i + 1}`,
  }));
  const tokens: Record<string, string> = {};
  // The last owners go without a token, so which ones is obvious in a summary.
  for (const { ownerId, login } of owners.slice(0, ownerCount - tokenless)) {
    const token = sim.dialect.credentialFor(login, `${ownerId.replace('-', '')}_${rng.int(0, 0xffffff).toString(16).padStart(6, '0')}`);
    tokens[ownerId] = token;
    sim.addToken(token, login);
  }

  const openShare = options.openPullShare ?? 0.55;
  const rows: DiffStatusRow[] = [];
  for (let i = 0; i < options.rows; i++) {
    const owner = rng.pick(owners);
    const repo = rng.pick(repos);
    const chatId = `chat-${String(i + 1).padStart(5, '0')}`;
    const branch = sim.world.addBranch(repo, `${owner.login}/${rng.pick(TOPICS)}-${i + 1}`, owner.login);
    const createdAt = options.now - rng.int(1, 72) * HOUR;
    const roll = rng.next();
    if (roll < openShare + 0.1) seedPull(sim, repo, branch, createdAt, options.now, roll >= openShare, rng);
    // A fifth of the branches were pushed within the last minute.
    const updatedAt = rng.chance(0.2) ? options.now - rng.int(0, 60_000) : rng.int(createdAt, options.now);
    rows.push({
      chatId,
      ownerId: owner.ownerId,
      gitRemoteOrigin: sim.originOf(repo),
      gitBranch: branch.name,
      createdAt,
      updatedAt,
      ...dueNow(options.now - rng.int(0, 60_000)),
      dueShard: dueShardFor(chatId, options.shardCount),
    });
  }
  return { rows, tokens, ownerIds: owners.map((o) => o.ownerId) };
}

function seedPull(
  sim: Pick<GitHostSim, 'world'>,
  repo: Repo,
  branch: Branch,
  createdAt: number,
  now: number,
  finished: boolean,
  rng: Random,
): void {
  const { world } = sim;
  const openedAt = rng.int(createdAt, now - 60_000);
  const pr = world.openPullRequest(repo, branch, { title: randomTitle(rng), draft: rng.chance(0.25), ...randomPushSize(rng) }, openedAt);
  // A PR already there when the run starts has its CI long finished (drawn from a stream of
  // its own, so the rest of the seeded world is what it was before checks).
  const ci = seededRandom(`ci:${repo.owner}/${repo.name}#${pr.number}`);
  for (const check of pr.checks) world.finishCheck(pr, check, ci.chance(0.85) ? 'success' : 'failure', Math.min(openedAt + ci.int(60_000, 600_000), now - 60_000));
  let reviewedAt = openedAt;
  for (let r = rng.int(0, 3); r > 0; r--) {
    reviewedAt = rng.int(reviewedAt, now - 30_000);
    world.review(pr, rng.pick(DEFAULT_REVIEWERS), rng.pick(['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED'] as const), reviewedAt);
  }
  if (!finished) return;
  const endedAt = rng.int(reviewedAt, now - 30_000);
  if (!pr.draft && rng.chance(0.7)) world.merge(pr, endedAt);
  else world.close(pr, endedAt);
}

/** A row due at `at`: `dueSlot` for the due index, `staleAt` as readers (and the bench's row-lease index) see it. */
function dueNow(at: number): { staleAt: number; dueSlot: string } {
  return { staleAt: at, dueSlot: onceSlot(at) };
}
