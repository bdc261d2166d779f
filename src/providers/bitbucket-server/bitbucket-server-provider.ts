import { ProviderError } from '../../domain/errors.ts';
import { isMergeability, latestPerKey, mergeabilityOf, summarizeChecks, type ChecksSummary, type Mergeability } from '../../domain/checks.ts';
import type { PullRequestStatus } from '../../domain/row.ts';
import { readReportPages, unlessRefused } from '../check-reports.ts';
import type { ApiClient } from '../http/api-client.ts';
import type { ProviderConfig } from '../provider-config.ts';
import { readBodyPages } from '../http/body-pages.ts';
import { JsonReader } from '../http/json-reader.ts';
import { firstValueId, pageValues, readCachedId } from '../http/values-page.ts';
import { HostedProvider } from '../hosted-provider.ts';
import type { ProviderCallContext, PullRequestRef, RepoRef } from '../provider.ts';
import type { ProviderDeps, ProviderType } from '../provider-type.ts';
import type { DiffStats } from '../version-stats.ts';
import type { HttpAnswer } from '../http/answer.ts';
import { buildReports, buildStatusApiUrl, mergeCheckOutcome } from './checks.ts';
import { compactPullRequest, diffLineCounts, readPullRequest } from './pull-request.ts';
import { buildServerPullRequestUrl, parseServerOrigin, parseServerPullRequestUrl, serverPlace, type ServerPlace } from './urls.ts';

/** The server's largest page of commits (its default `page.max.changes`-like cap is 1,000; 100 keeps answers small). */
const PAGE_LIMIT = 100;

/** Bitbucket Data Center (API at `webUrl/rest/api/latest`), also below a context path. */
export class BitbucketServerProvider extends HostedProvider {
  readonly #place: ServerPlace;
  /** The build-status API, beside the core one. */
  readonly #builds: ApiClient;

  constructor(config: ProviderConfig, type: ProviderType, deps: ProviderDeps) {
    super(config, type, deps, (token) => ({ authorization: `Bearer ${token}`, 'user-agent': 'gitsync', accept: 'application/json' }));
    this.#place = serverPlace(config.webUrl);
    this.#builds = this.apiAt(buildStatusApiUrl(config.apiUrl, config.webUrl));
  }

  override parseOrigin(origin: string): RepoRef | null {
    return parseServerOrigin(origin, this.#place, this.shape);
  }

  override parsePullRequestUrl(url: string): PullRequestRef | null {
    return parseServerPullRequestUrl(url, this.#place, this.shape);
  }

  override buildPullRequestUrl(ref: PullRequestRef): string {
    return buildServerPullRequestUrl(this.config.webUrl, ref);
  }

  async resolveBranchPullRequest(repo: RepoRef, branch: string, ctx: ProviderCallContext, anyState = false): Promise<PullRequestRef | null> {
    const query = new URLSearchParams({
      at: `refs/heads/${this.checkedBranch(branch)}`,
      direction: 'OUTGOING',
      state: anyState ? 'ALL' : 'OPEN',
      order: 'NEWEST',
      limit: '1',
    });
    const id = await this.api.getCached(`${this.#repoPath(repo)}/pull-requests?${query}`, ctx, {
      key: anyState ? 'ba' : 'b',
      what: 'Bitbucket Data Center pull request search',
      compact: (answer) => firstValueId(answer.body, 'Bitbucket Data Center pull request search'),
      read: (compact) => readCachedId(compact, 'Bitbucket Data Center pull request search'),
    });
    return id === null ? null : { repo, number: id };
  }

  async fetchPullRequestStatus(ref: PullRequestRef, ctx: ProviderCallContext): Promise<PullRequestStatus> {
    const base = `${this.#repoPath(ref.repo)}/pull-requests/${ref.number}`;
    const read = { key: 'p', what: 'Bitbucket Data Center pull request', compact: (answer: HttpAnswer) => compactPullRequest(answer.body), read: readPullRequest };
    return this.pullRequestWithStats(ref, ctx, base, read, () => this.#diffStats(base, ctx), async ({ status }) => {
      const mergeable = await unlessRefused(() => mergeabilityOf(status.pullRequestState, status.pullRequestDraft, () => this.#mergeCheck(base, ctx)));
      const checks = status.headSha ? await this.#checks(status.headSha, ctx) : undefined;
      return { ...(mergeable ? { mergeable } : {}), ...(checks ? { checks } : {}) };
    });
  }

  /** The PR's merge check, conditional (kept in the row's cache); a token that may not ask it leaves mergeability unknown. */
  #mergeCheck(base: string, ctx: ProviderCallContext): Promise<Mergeability> {
    return this.api.getCached(`${base}/merge`, ctx, {
      key: 'm',
      what: 'Bitbucket Data Center merge check',
      compact: (answer) => mergeCheckOutcome(answer.body),
      read: (compact) => {
        if (!isMergeability(compact)) throw new ProviderError('unexpected cached Bitbucket Data Center merge check: not a mergeability');
        return compact;
      },
    });
  }

  /**
   * The head commit's build statuses from the build-status API (every page; the first one
   * conditional), the latest per key. A token that may not read them, or a commit the server
   * does not know, leaves them unknown.
   */
  async #checks(sha: string, ctx: ProviderCallContext): Promise<ChecksSummary | undefined> {
    const query = `limit=${PAGE_LIMIT}`;
    const reports = await unlessRefused(() =>
      readReportPages(this.#builds, `/commits/${sha}?${query}`, ctx, {
        key: 's',
        what: 'Bitbucket Data Center build statuses',
        maxPages: this.config.maxPages,
        next: (page) => nextPage(page, 'Bitbucket Data Center build statuses', query),
        reports: buildReports,
      }),
    );
    return reports && summarizeChecks(latestPerKey(reports));
  }

  /** Line and file counts from the PR's diff (no context lines); commits from `totalCount` or by paging. */
  async #diffStats(base: string, ctx: ProviderCallContext): Promise<DiffStats> {
    const what = 'Bitbucket Data Center diff';
    const { body } = await this.api.get(`${base}/diff?contextLines=0&withComments=false`, ctx, what);
    const lines = diffLineCounts(body);
    // The server cuts a large diff short (its page.max.diff.lines): counted as far as it went, and said so.
    if (lines.truncated) ctx.truncated({ what, pages: 1 });
    let commits = 0;
    // A server that counts (`totalCount`) spares the paging.
    let counted = false;
    await readBodyPages(this.api, `${base}/commits?withCounts=true&limit=${PAGE_LIMIT}`, ctx, {
      what: 'Bitbucket Data Center commits',
      maxPages: this.config.maxPages,
      next: (page) => (counted ? null : nextPage(page, 'Bitbucket Data Center commits', `withCounts=true&limit=${PAGE_LIMIT}`)),
      page: (page) => {
        const reader = JsonReader.object(page, 'Bitbucket Data Center commits');
        const total = reader.field('totalCount');
        counted = typeof total === 'number' && Number.isInteger(total) && total >= 0;
        if (typeof total === 'number' && counted) commits = total;
        else commits += reader.array('values').length;
      },
    });
    return { commits, additions: lines.additions, deletions: lines.deletions, files: lines.files };
  }

  /** `/projects/KEY/repos/slug` of a checked `KEY/slug`. */
  #repoPath(repo: RepoRef): string {
    const [key, slug] = this.checkedRepo(repo).path.split('/');
    return `/projects/${key}/repos/${slug}`;
  }
}

/** A page's next start (`?{query}&start=N`, relative to the page), or null on the last page. */
function nextPage(body: unknown, what: string, query: string): string | null {
  const page = JsonReader.object(body, what);
  if (page.optionalBoolean('isLastPage') !== false) return null;
  const start = page.number('nextPageStart');
  return `?${query}&start=${start}`;
}

