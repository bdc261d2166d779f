import type { Clock } from '../../domain/clock.ts';
import { ProviderError } from '../../domain/errors.ts';
import type { PullRequestStatus } from '../../domain/row.ts';
import type { ProviderConfig } from '../provider-config.ts';
import { readArray, JsonReader } from '../http/json-reader.ts';
import { readPages } from '../http/pages.ts';
import { pickFields } from '../http/pick.ts';
import { HostedProvider } from '../hosted-provider.ts';
import type { ProviderCallContext, PullRequestRef, RepoRef } from '../provider.ts';
import type { ProviderDeps, ProviderType } from '../provider-type.ts';
import { summarizeApprovals } from './approvals.ts';
import { commitCount, diffPageStats } from './diff-stats.ts';
import { statsOfVersion, type DiffStats } from '../version-stats.ts';
import { MERGE_REQUEST_FIELDS, readApprovals, readCachedApprovals, readMergeRequest } from './merge-request.ts';
import { compactReviewers, readReviewers, type Reviewer } from './reviewers.ts';

/**
 * How long a server that answered 404 for the reviewers endpoint (GitLab before 15.3) is not
 * asked again: an hour, and never longer than this container lives; an upgraded server is
 * then read again without a redeploy.
 */
export const REVIEWERS_RECHECK_MS = 60 * 60_000;

/** GitLab's largest page. */
const PER_PAGE = 100;

/** gitlab.com or a self-hosted GitLab (API at `webUrl/api/v4` unless configured). */
export class GitLabProvider extends HostedProvider {
  readonly #clock: Clock;
  /** Epoch ms until which this host is taken to have no reviewers endpoint. */
  #noReviewersUntil = 0;

  constructor(config: ProviderConfig, type: ProviderType, deps: ProviderDeps) {
    super(config, type, deps, (token) => ({ authorization: `Bearer ${token}`, 'user-agent': 'gitsync', accept: 'application/json' }));
    this.#clock = deps.clock;
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
    const approvals = await this.api.getCached(`${base}/approvals`, ctx, {
      key: 'a',
      what: 'GitLab approvals',
      compact: (answer) => readApprovals(answer.body),
      read: readCachedApprovals,
    });
    const review = summarizeApprovals(approvals, await this.#reviewers(base, ctx));
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
   * Reviewers with a decisive state, or null on a server without the endpoint: its 404 is
   * remembered for this host (`REVIEWERS_RECHECK_MS`), so it is not asked on every refresh.
   */
  async #reviewers(base: string, ctx: ProviderCallContext): Promise<Reviewer[] | null> {
    if (this.#clock.now() < this.#noReviewersUntil) return null;
    try {
      // GitLab pages this list too (20 by default).
      const pages = await readPages(this.api, `${base}/reviewers?per_page=${PER_PAGE}`, ctx, {
        key: 'v',
        what: 'GitLab reviewers',
        perPage: PER_PAGE,
        maxPages: this.config.maxPages,
        beyondCap: 'first',
        compact: compactReviewers,
        read: readReviewers,
      });
      return pages.flat();
    } catch (err) {
      if (!(err instanceof ProviderError && err.status === 404)) throw err;
      this.#noReviewersUntil = this.#clock.now() + REVIEWERS_RECHECK_MS;
      return null;
    }
  }

  /** Commits and line counts of one diff version (kept per version: `statsOfVersion`). */
  #diffStats(base: string, version: string, ctx: ProviderCallContext): Promise<DiffStats> {
    return statsOfVersion(ctx, version, async () => {
      const commitsAnswer = await this.api.get(`${base}/commits?per_page=${PER_PAGE}`, ctx, 'GitLab commits');
      const stats: DiffStats = {
        commits: commitCount(commitsAnswer.body, commitsAnswer.headers['x-total']),
        additions: 0,
        deletions: 0,
        files: 0,
      };
      // Pages of 100 files; beyond the cap the line counts cover the first pages only.
      for (let page = 1; ; page++) {
        const answer = await this.api.get(`${base}/diffs?per_page=${PER_PAGE}${page > 1 ? `&page=${page}` : ''}`, ctx, 'GitLab diffs');
        const pageStats = diffPageStats(answer.body);
        stats.additions += pageStats.additions;
        stats.deletions += pageStats.deletions;
        stats.files += pageStats.files;
        if (!answer.headers['x-next-page']) break;
        if (page === this.config.maxPages) {
          ctx.truncated({ what: 'GitLab diffs', pages: page });
          break;
        }
      }
      return stats;
    });
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
