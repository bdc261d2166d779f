import { createHash } from 'node:crypto';
import type { PullRequest, Repo } from './world.ts';

/**
 * What both Bitbucket dialects derive from a world pull request that the world keeps only in
 * GitHub's terms: per-reviewer decisions, files with their line counts, commit hashes.
 */

export type Decision = 'APPROVED' | 'CHANGES_REQUESTED' | null;

/** Each reviewer's standing decision: their latest decisive review (a dismissed one, or comments only, is none). */
export function decisions(pr: PullRequest): Map<string, Decision> {
  const out = new Map<string, Decision>();
  for (const review of pr.reviews) {
    if (review.state === 'COMMENTED') {
      if (!out.has(review.login)) out.set(review.login, null);
    } else out.set(review.login, review.state === 'DISMISSED' ? null : review.state);
  }
  return out;
}

export interface FileChange {
  path: string;
  added: number;
  removed: number;
}

/** The PR's lines spread over its files (one file at least when it changes any line). */
export function fileChanges(pr: PullRequest): FileChange[] {
  const count = Math.max(pr.changedFiles, pr.additions + pr.deletions > 0 ? 1 : 0);
  const share = (total: number, i: number) => Math.floor(total / count) + (i < total % count ? 1 : 0);
  return Array.from({ length: count }, (_, i) => ({ path: `src/file-${i + 1}.ts`, added: share(pr.additions, i), removed: share(pr.deletions, i) }));
}

/** A stable 40-hex commit hash for anything named by `parts`. */
export function hashOf(...parts: (string | number)[]): string {
  return createHash('sha1').update(parts.join('\u0000')).digest('hex');
}

/** The target branch's commit: the world does not move base branches, so it is fixed per repository and branch. */
export function baseHash(repo: Repo, pr: PullRequest): string {
  return hashOf('base', repo.owner.toLowerCase(), repo.name.toLowerCase(), pr.baseRef);
}

/** The PR's commits, newest first (the head commit is the world's `headSha`). */
export function commitHashes(pr: PullRequest): string[] {
  return Array.from({ length: pr.commits }, (_, i) => (i === 0 ? pr.headSha : hashOf('commit', pr.id, pr.commits - i)));
}

/** Whole number query parameter within bounds, or the default when absent or unreadable. */
export function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  const value = raw === null ? NaN : Number.parseInt(raw, 10);
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
