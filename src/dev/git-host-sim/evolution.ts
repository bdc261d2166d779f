import { seededRandom, type Random } from './prng.ts';
import type { EvolveStep, PullRequest, World } from './world.ts';

/** Mean number of events per hour of simulated time, per branch or per open PR. */
export interface EvolutionRates {
  /** A branch without a pull request gets one. */
  open: number;
  review: number;
  push: number;
  draftToggle: number;
  /** Base merge rate of a ready PR; tripled when approved, zero when changes are requested. */
  merge: number;
  close: number;
  /** A pending CI check of a head commit finishes (85% of them green). */
  ciFinish: number;
}

export const DEFAULT_RATES: EvolutionRates = {
  open: 2,
  review: 3,
  push: 2,
  draftToggle: 0.5,
  merge: 0.5,
  close: 0.1,
  ciFinish: 20,
};

export interface EvolutionOptions {
  seed: number | string;
  stepMs: number;
  rates?: Partial<EvolutionRates>;
  /** Logins that review (never their own PRs). */
  reviewers?: readonly string[];
}

export const DEFAULT_REVIEWERS: readonly string[] = ['reviewer-ada', 'reviewer-linus', 'reviewer-grace', 'reviewer-ken'];

const TITLE_VERBS = ['Fix', 'Add', 'Refactor', 'Speed up', 'Document', 'Remove', 'Harden'];
const TITLE_NOUNS = ['login flow', 'cache layer', 'billing export', 'search index', 'retry policy', 'audit log', 'settings page'];

export function randomTitle(rng: Random): string {
  return `${rng.pick(TITLE_VERBS)} ${rng.pick(TITLE_NOUNS)}`;
}

export function randomPushSize(rng: Random): { additions: number; deletions: number; changedFiles: number } {
  return { additions: rng.int(1, 200), deletions: rng.int(0, 80), changedFiles: rng.int(0, 4) };
}

/**
 * The world's evolution: at each step every branch and open PR draws its events from one
 * seeded stream, in insertion order, so a seed and a sequence of instants always give
 * the same world.
 */
export function evolution(options: EvolutionOptions): EvolveStep {
  const rng = seededRandom(options.seed).fork('evolution');
  // CI draws from a stream of its own: the rest of the world evolves as it did before checks.
  const ci = seededRandom(options.seed).fork('ci');
  const rates = { ...DEFAULT_RATES, ...options.rates };
  const reviewers = options.reviewers ?? DEFAULT_REVIEWERS;
  const perStep = (perHour: number) => 1 - Math.exp((-perHour * options.stepMs) / 3_600_000);
  const p = {
    open: perStep(rates.open),
    review: perStep(rates.review),
    push: perStep(rates.push),
    draftToggle: perStep(rates.draftToggle),
    merge: perStep(rates.merge),
    mergeApproved: perStep(rates.merge * 3),
    close: perStep(rates.close),
    ciFinish: perStep(rates.ciFinish),
  };

  const evolvePull = (world: World, pr: PullRequest, at: number) => {
    // GitHub computes mergeability in the background after a push.
    if (pr.mergeable === null) pr.mergeable = rng.chance(0.9);
    for (const check of pr.checks) {
      if (check.state === 'pending' && ci.chance(p.ciFinish)) world.finishCheck(pr, check, ci.chance(0.85) ? 'success' : 'failure', at);
    }
    if (rng.chance(p.review)) {
      const login = rng.pick(reviewers.filter((r) => r !== pr.authorLogin));
      const state = rng.pick(['APPROVED', 'APPROVED', 'CHANGES_REQUESTED', 'COMMENTED'] as const);
      world.review(pr, login, state, at);
    }
    if (rng.chance(p.push)) world.push(pr, randomPushSize(rng), at, { dismissStaleReviews: rng.chance(0.3) });
    if (rng.chance(p.draftToggle)) world.setDraft(pr, !pr.draft, at);
    const verdicts = latestVerdicts(pr);
    const mergeChance = pr.draft || verdicts.has('CHANGES_REQUESTED') ? 0 : verdicts.has('APPROVED') ? p.mergeApproved : p.merge;
    if (rng.chance(mergeChance)) world.merge(pr, at);
    else if (rng.chance(p.close)) world.close(pr, at);
  };

  return (world, at) => {
    for (const repo of world.repos()) {
      for (const branch of repo.branches.values()) {
        const open = world.openPullsFor(repo, branch.name);
        if (branch.pulls.length === 0 && rng.chance(p.open)) {
          world.openPullRequest(repo, branch, { title: randomTitle(rng), draft: rng.chance(0.3), ...randomPushSize(rng) }, at);
        }
        for (const pr of open) evolvePull(world, pr, at);
      }
    }
  };
}

/** Each reviewer's latest decisive state, as a set. */
function latestVerdicts(pr: PullRequest): Set<string> {
  const latest = new Map<string, string>();
  for (const r of pr.reviews) if (r.state !== 'COMMENTED') latest.set(r.login, r.state);
  return new Set(latest.values());
}

