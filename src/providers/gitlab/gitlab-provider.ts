import { ProviderError } from '../../domain/errors.ts';
import type { PullRequestStatus } from '../../domain/row.ts';
import type { ProviderConfig } from '../config.ts';
import { readArray, JsonReader } from '../http/json-reader.ts';
import { pickFields } from '../http/pick.ts';
import { GITLAB_RATE_LIMIT_HEADERS } from '../http/rate-limit.ts';
import { HostedProvider, type ProviderDeps } from '../hosted-provider.ts';
import type { ProviderCallContext, PullRequestRef, RepoRef } from '../provider.ts';
import type { RepoShape } from '../repo-shape.ts';
import { readReviewSummary } from '../review-summary.ts';
import { commitCount, diffPageStats, readDiffStats, type DiffStats } from './diff-stats.ts';
import { MERGE_REQUEST_FIELDS, readApprovals, readMergeRequest } from './merge-request.ts';

const GITLAB_SHAPE: RepoShape = {
  minSegments: 2,
  maxSegments: 20,
  pullMarker: ['-', 'merge_requests'],
  pullTails: ['diffs', 'commits', 'pipelines'],
};

/** Pages of 100 files; beyond this the line counts cover the first 1,000 files only. */
const MAX_DIFF_PAGES = 10;

/** gitlab.com or a self-hosted GitLab (API at `webUrl/api/v4` unless configured). */
export class GitLabProvider extends HostedProvider {
  readonly type = 'gitlab';

  constructor(config: ProviderConfig, deps: ProviderDeps) {
    super(config, GITLAB_SHAPE, deps, {
      rateLimitHeaders: GITLAB_RATE_LIMIT_HEADERS,
      headers: (token) => ({ authorization: `Bearer ${token}`, 'user-agent': 'gitsync', accept: 'application/json' }),
    });
  }

  async resolveBranchPullRequest(repo: RepoRef, branch: string, ctx: ProviderCallContext, anyState = false): Promise<PullRequestRef | null> {
    const query = new URLSearchParams({
      source_branch: this.checkedBranch(branch),
      state: anyState ? 'all' : 'opened',
      order_by: anyState ? 'created_at' : 'updated_at',
      sort: 'desc',
      per_page: '1',
    });
    const iid = await this.api.getCached(`${this.#projectPath(repo)}/merge_requests?${query}`, ctx, {
      key: anyState ? 'ba' : 'b',
      what: 'GitLab merge request search',
      compact: (answer) => readArray(answer.body, 'GitLab merge request search').slice(0, 1).map((mr) => pickFields(mr, { iid: true })),
      read: firstIid,
    });
    return iid === null ? null : { repo, number: iid };
  }

  async fetchPullRequestStatus(ref: PullRequestRef, ctx: ProviderCallContext): Promise<PullRequestStatus> {
    const base = `${this.#projectPath(ref.repo)}/merge_requests/${ref.number}`;
    const mr = await this.api.getCached(base, ctx, {
      key: 'm',
      what: 'GitLab merge request',
      compact: (answer) => pickFields(answer.body, MERGE_REQUEST_FIELDS),
      read: readMergeRequest,
    });
    const review = await this.api.getCached(`${base}/approvals`, ctx, {
      key: 'a',
      what: 'GitLab approvals',
      compact: (answer) => readApprovals(answer.body),
      read: readReviewSummary,
    });
    const stats = await this.#diffStats(base, mr.diffVersion, ctx);
    return {
      url: this.canonicalPullRequestUrl(ref, mr.webUrl),
      ...mr.status,
      changedFiles: mr.changedFilesReported ?? stats.files,
      additions: stats.additions,
      deletions: stats.deletions,
      commits: stats.commits,
      ...review,
    };
  }

  /**
   * Commits and line counts only change with a new diff version (head/base commits), so
   * they are kept per version and a steady MR costs no commit or diff request at all.
   */
  async #diffStats(base: string, version: string, ctx: ProviderCallContext): Promise<DiffStats> {
    const known = version.length > 2; // ".." means GitLab named no commits yet
    const entry = ctx.cache.get('d');
    if (known && entry?.etag === version) {
      try {
        return readDiffStats(entry.value);
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
      }
    }
    const commitsAnswer = await this.api.get(`${base}/commits?per_page=100`, ctx, 'GitLab commits');
    const stats: DiffStats = {
      commits: commitCount(commitsAnswer.body, commitsAnswer.headers['x-total']),
      additions: 0,
      deletions: 0,
      files: 0,
    };
    for (let page = 1; page <= MAX_DIFF_PAGES; page++) {
      const answer = await this.api.get(`${base}/diffs?per_page=100${page > 1 ? `&page=${page}` : ''}`, ctx, 'GitLab diffs');
      const pageStats = diffPageStats(answer.body);
      stats.additions += pageStats.additions;
      stats.deletions += pageStats.deletions;
      stats.files += pageStats.files;
      if (!answer.headers['x-next-page']) break;
    }
    if (known) ctx.cache.set('d', { etag: version, value: stats });
    return stats;
  }

  /** `/projects/<path as one encoded segment>`: nested groups become `g%2Fsub%2Frepo`. */
  #projectPath(repo: RepoRef): string {
    return `/projects/${encodeURIComponent(this.checkedRepo(repo).path)}`;
  }
}

function firstIid(compact: unknown): number | null {
  const first = readArray(compact, 'GitLab merge request search')[0];
  return first === undefined ? null : JsonReader.object(first, 'GitLab merge request').number('iid');
}
