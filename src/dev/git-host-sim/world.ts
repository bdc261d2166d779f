/**
 * The simulated host's repositories, branches, pull requests and reviews. Every change
 * goes through the mutations below, at an explicit instant, so the evolution and tests
 * drive the same code. Time only moves forward, in fixed steps, through `advanceTo`.
 */
export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';

export interface Review {
  id: number;
  login: string;
  state: ReviewState;
  /** Epoch ms. */
  submittedAt: number;
  commitId: string;
}

/**
 * One CI check of a head commit: a GitHub check run, or a commit status (`status`), which
 * GitHub serves from another endpoint. GitLab shows them folded into one pipeline.
 */
export interface SimCheck {
  id: number;
  kind: 'run' | 'status';
  name: string;
  state: 'pending' | 'success' | 'failure';
  startedAt: number;
  completedAt: number | null;
}

/** The CI every head commit gets: two check runs and a commit status, all pending at the push. */
export const SIM_CI: readonly Pick<SimCheck, 'kind' | 'name'>[] = [
  { kind: 'run', name: 'build' },
  { kind: 'run', name: 'test' },
  { kind: 'status', name: 'ci/lint' },
];

export interface PullRequest {
  id: number;
  number: number;
  title: string;
  authorLogin: string;
  baseRef: string;
  headRef: string;
  headSha: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  additions: number;
  deletions: number;
  changedFiles: number;
  commits: number;
  /** null while the host is still computing it, as GitHub answers after a push. */
  mergeable: boolean | null;
  reviews: Review[];
  /** The head commit's CI (`SIM_CI`), started anew by every push. */
  checks: SimCheck[];
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  mergedAt: number | null;
}

export interface Branch {
  name: string;
  /** Login of who pushes it; they open its pull requests. */
  pusher: string;
  /** Numbers of its pull requests, oldest first. */
  pulls: number[];
}

export interface Repo {
  owner: string;
  name: string;
  defaultBranch: string;
  branches: Map<string, Branch>;
  pulls: Map<number, PullRequest>;
}

export interface NewPullRequest {
  title: string;
  draft?: boolean;
  additions?: number;
  deletions?: number;
  changedFiles?: number;
  commits?: number;
}

export interface PushSize {
  additions: number;
  deletions: number;
  changedFiles: number;
}

/** One step of evolution, applied at instant `at` (see evolution.ts). */
export type EvolveStep = (world: World, at: number) => void;

export interface WorldOptions {
  /** Instant the world starts at (epoch ms). */
  startAt: number;
  /** Simulated time between evolution steps. Default 10 s. */
  stepMs?: number;
  evolve?: EvolveStep;
}

export interface World {
  /** Instant of the last evolution step (epoch ms). */
  readonly time: number;
  /** Runs every evolution step up to `now`; never goes back. */
  advanceTo(now: number): void;
  repos(): Repo[];
  repo(owner: string, name: string): Repo | undefined;
  addRepo(owner: string, name: string): Repo;
  addBranch(repo: Repo, branch: string, pusher: string): Branch;
  /** Opened by the branch's pusher. */
  openPullRequest(repo: Repo, branch: Branch, init: NewPullRequest, at: number): PullRequest;
  review(pr: PullRequest, login: string, state: Exclude<ReviewState, 'DISMISSED'>, at: number): Review;
  /** New commits on the head branch: the size grows, mergeability is recomputed. */
  push(pr: PullRequest, size: PushSize, at: number, options?: { dismissStaleReviews?: boolean }): void;
  setDraft(pr: PullRequest, draft: boolean, at: number): void;
  /** A pending check of the PR's head commit ends. */
  finishCheck(pr: PullRequest, check: SimCheck, state: 'success' | 'failure', at: number): void;
  merge(pr: PullRequest, at: number): void;
  close(pr: PullRequest, at: number): void;
  /** Open pull requests whose head is `branch`. */
  openPullsFor(repo: Repo, branch: string): PullRequest[];
  /**
   * Renames or transfers a repository, as GitHub does: the old `owner/name` keeps pointing to
   * it (API calls there are redirected) until a repository of that name is created again.
   */
  moveRepo(repo: Repo, owner: string, name: string): void;
  /** The repository now at `owner/name`, or the one moved away from there; undefined when none. */
  resolveRepo(owner: string, name: string): { repo: Repo; moved: boolean } | undefined;
  /** A new title (any size: a hostile host's answers are what tests need). */
  retitle(pr: PullRequest, title: string, at: number): void;
}

export function createWorld(options: WorldOptions): World {
  const stepMs = options.stepMs ?? 10_000;
  const repos = new Map<string, Repo>();
  /** Old `owner/name` (lower case) -> the repository moved away from there. */
  const movedFrom = new Map<string, Repo>();
  let time = options.startAt;
  let nextId = 1;
  // Checks count on their own, so the ids and commit ids of everything else stay as they were.
  let nextCheckId = 1;
  const startChecks = (at: number): SimCheck[] =>
    SIM_CI.map((c) => ({ ...c, id: nextCheckId++, state: 'pending', startedAt: at, completedAt: null }));

  const sha = (): string => (nextId++).toString(16).padStart(40, '0');
  const requireOpen = (pr: PullRequest, action: string): void => {
    if (pr.state !== 'open') throw new Error(`cannot ${action} pull request #${pr.number}: it is ${pr.state}`);
  };

  const world: World = {
    get time() {
      return time;
    },
    advanceTo(now) {
      while (time + stepMs <= now) {
        time += stepMs;
        options.evolve?.(world, time);
      }
    },
    repos: () => [...repos.values()],
    repo: (owner, name) => repos.get(`${owner}/${name}`.toLowerCase()),
    addRepo(owner, name) {
      const key = `${owner}/${name}`.toLowerCase();
      if (repos.has(key)) throw new Error(`repository ${key} exists already`);
      const repo: Repo = { owner, name, defaultBranch: 'main', branches: new Map(), pulls: new Map() };
      repos.set(key, repo);
      movedFrom.delete(key);
      return repo;
    },
    addBranch(repo, name, pusher) {
      if (repo.branches.has(name)) throw new Error(`branch ${name} exists already in ${repo.owner}/${repo.name}`);
      const branch: Branch = { name, pusher, pulls: [] };
      repo.branches.set(name, branch);
      return branch;
    },
    openPullRequest(repo, branch, init, at) {
      const number = repo.pulls.size + 1;
      const pr: PullRequest = {
        id: nextId++,
        number,
        title: init.title,
        authorLogin: branch.pusher,
        baseRef: repo.defaultBranch,
        headRef: branch.name,
        headSha: sha(),
        state: 'open',
        merged: false,
        draft: init.draft ?? false,
        additions: init.additions ?? 0,
        deletions: init.deletions ?? 0,
        changedFiles: init.changedFiles ?? 0,
        commits: init.commits ?? 1,
        mergeable: null,
        reviews: [],
        checks: startChecks(at),
        createdAt: at,
        updatedAt: at,
        closedAt: null,
        mergedAt: null,
      };
      repo.pulls.set(number, pr);
      branch.pulls.push(number);
      return pr;
    },
    review(pr, login, state, at) {
      requireOpen(pr, 'review');
      const review: Review = { id: nextId++, login, state, submittedAt: at, commitId: pr.headSha };
      pr.reviews.push(review);
      pr.updatedAt = at;
      return review;
    },
    push(pr, size, at, pushOptions = {}) {
      requireOpen(pr, 'push to');
      pr.additions += size.additions;
      pr.deletions += size.deletions;
      pr.changedFiles += size.changedFiles;
      pr.commits++;
      pr.headSha = sha();
      pr.mergeable = null;
      pr.checks = startChecks(at);
      pr.updatedAt = at;
      if (pushOptions.dismissStaleReviews) {
        for (const r of pr.reviews) if (r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED') r.state = 'DISMISSED';
      }
    },
    setDraft(pr, draft, at) {
      requireOpen(pr, 'change the draft flag of');
      pr.draft = draft;
      pr.updatedAt = at;
    },
    finishCheck(pr, check, state, at) {
      if (!pr.checks.includes(check) || check.state !== 'pending') throw new Error(`check ${check.name} of pull request #${pr.number} is not pending on its head`);
      Object.assign(check, { state, completedAt: at });
    },
    merge(pr, at) {
      requireOpen(pr, 'merge');
      if (pr.draft) throw new Error(`cannot merge draft pull request #${pr.number}`);
      Object.assign(pr, { state: 'closed', merged: true, mergeable: null, mergedAt: at, closedAt: at, updatedAt: at });
    },
    close(pr, at) {
      requireOpen(pr, 'close');
      Object.assign(pr, { state: 'closed', closedAt: at, updatedAt: at });
    },
    moveRepo(repo, owner, name) {
      const from = `${repo.owner}/${repo.name}`.toLowerCase();
      const to = `${owner}/${name}`.toLowerCase();
      if (repos.get(from) !== repo) throw new Error(`repository ${from} is not in this world`);
      if (repos.has(to)) throw new Error(`repository ${to} exists already`);
      repos.delete(from);
      movedFrom.set(from, repo);
      movedFrom.delete(to);
      Object.assign(repo, { owner, name });
      repos.set(to, repo);
    },
    resolveRepo(owner, name) {
      const key = `${owner}/${name}`.toLowerCase();
      const here = repos.get(key);
      if (here) return { repo: here, moved: false };
      const moved = movedFrom.get(key);
      return moved ? { repo: moved, moved: true } : undefined;
    },
    retitle(pr, title, at) {
      pr.title = title;
      pr.updatedAt = at;
    },
    openPullsFor(repo, branch) {
      return (repo.branches.get(branch)?.pulls ?? [])
        .map((n) => repo.pulls.get(n))
        .filter((pr): pr is PullRequest => pr?.state === 'open');
    },
  };
  return world;
}
