import { ProviderError } from '../domain/errors.ts';
import { JsonReader } from './http/json-reader.ts';
import type { PullRequestStatus } from '../domain/row.ts';
import type { ProviderCallContext } from './provider.ts';

/** What the commits and diff of one pull-request version add to its status. */
export interface DiffStats {
  commits: number;
  additions: number;
  deletions: number;
  files: number;
  /**
   * Whether the PR's merge has conflicts, on a host whose diff says so (Bitbucket Cloud's
   * diffstat): like the counts, it only changes with the PR's version. Absent elsewhere.
   */
  conflicted?: boolean;
}

/** A pull request as its own answer says it; its counts come from its diff and commits, per `diffVersion`. */
export interface VersionedPullRequest {
  status: Omit<PullRequestStatus, 'url' | 'additions' | 'deletions' | 'commits' | 'changedFiles'>;
  /** Target and source commits: the diff and the commits only change with them. */
  diffVersion: string;
  /** Where the host says the PR lives (a rename or transfer moves it). */
  webUrl: string | undefined;
}

/** Cache key of the stats of the version last read. */
const KEY = 'd';

/**
 * Commits and line counts change only with a new version of the pull request (its base and
 * head commits, `version`), so they are kept per version and a steady pull request costs no
 * commit or diff request at all. `version` ".." (or shorter) names no commits: not kept.
 * A stored form that no longer reads is fetched again.
 */
export function statsOfVersion(ctx: ProviderCallContext, version: string, fetch: () => Promise<DiffStats>): Promise<DiffStats>;
/** The same for a host whose API gives no line counts (Azure DevOps): commits and files only. */
export function statsOfVersion(ctx: ProviderCallContext, version: string, fetch: () => Promise<FileStats>, lines: false): Promise<FileStats>;
export async function statsOfVersion(ctx: ProviderCallContext, version: string, fetch: () => Promise<FileStats>, lines = true): Promise<FileStats> {
  const known = version.length > 2;
  const entry = ctx.cache.get(KEY);
  if (known && entry?.etag === version) {
    try {
      return lines ? readDiffStats(entry.value) : readFileStats(entry.value);
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
    }
  }
  const stats = await fetch();
  if (known) ctx.cache.set(KEY, { etag: version, value: stats });
  return stats;
}

/** Commits and changed files, without line counts. */
export type FileStats = Omit<DiffStats, 'additions' | 'deletions'>;

function readFileStats(value: unknown): FileStats {
  const s = JsonReader.object(value, 'cached diff stats');
  return { commits: s.number('commits'), files: s.number('files') };
}

function readDiffStats(value: unknown): DiffStats {
  const s = JsonReader.object(value, 'cached diff stats');
  const conflicted = s.optionalBoolean('conflicted');
  return {
    commits: s.number('commits'),
    additions: s.number('additions'),
    deletions: s.number('deletions'),
    files: s.number('files'),
    ...(conflicted !== undefined ? { conflicted } : {}),
  };
}
