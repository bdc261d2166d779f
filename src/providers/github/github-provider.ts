import type { ChecksSummary } from '../../domain/checks.ts';
import { ProviderError } from '../../domain/errors.ts';
import type { PullRequestStatus } from '../../domain/row.ts';
import type { ProviderConfig } from '../provider-config.ts';
import { pickFields } from '../http/pick.ts';
import { HostedProvider } from '../hosted-provider.ts';
import type { ProviderCallContext, PullRequestRef, RepoRef } from '../provider.ts';
import type { ProviderDeps, ProviderType } from '../provider-type.ts';
import { readPages } from '../http/pages.ts';
import { unlessRefused } from '../check-reports.ts';
import { repoSegments } from '../repo-shape.ts';
import { PULL_FIELDS, compactPullSearch, firstPullNumber, pullFromRow, pullRowFields, readPull } from './pull.ts';
import { checkRunItems, compactCheckRunPage, compactCombinedStatus, foldChecks, readCheckRunPage, readCombinedStatus } from './checks.ts';
import { compactReviewPage, readReviewPage, summarizeReviews } from './reviews.ts';

function ownerOf(path: string): string {
  return path.split('/')[0]!;
}

/** GitHub's largest page. */
const PER_PAGE = 100;

/** github.com or a GitHub Enterprise server (API at `webUrl/api/v3` unless configured). */
export class GitHubProvider extends HostedProvider {
  constructor(config: ProviderConfig, type: ProviderType, deps: ProviderDeps) {
    super(config, type, deps, (token) => ({
      authorization: `Bearer ${token}`,
      'user-agent': 'gitsync',
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    }));
  }

  /**
   * The search names the owner (`head=owner:branch`). After a transfer to another owner the
   * old path answers through a redirect but still filters on the old owner, so only then the
   * repository's current name is asked for and the search made again there; the caller hears
   * of the move (`ctx.moved`) and asks there directly from then on.
   */
  async resolveBranchPullRequest(repo: RepoRef, branch: string, ctx: ProviderCallContext, anyState = false): Promise<PullRequestRef | null> {
    const { path } = this.checkedRepo(repo);
    const found = await this.#searchBranch(path, branch, ctx, anyState);
    if (!found.redirected) return found.value === null ? null : { repo, number: found.value };
    const current = await this.#currentRepo(path, ctx);
    ctx.moved?.(current);
    const sameOwner = ownerOf(current.path).toLowerCase() === ownerOf(path).toLowerCase();
    const number = sameOwner ? found.value : (await this.#searchBranch(current.path, branch, ctx, anyState)).value;
    return number === null ? null : { repo: current, number };
  }

  #searchBranch(path: string, branch: string, ctx: ProviderCallContext, anyState: boolean) {
    const query = new URLSearchParams({
      head: `${ownerOf(path)}:${this.checkedBranch(branch)}`,
      state: anyState ? 'all' : 'open',
      sort: anyState ? 'created' : 'updated',
      direction: 'desc',
      per_page: '1',
    });
    return this.api.getCachedAnswer(`/repos/${path}/pulls?${query}`, ctx, {
      key: anyState ? 'ba' : 'b',
      what: 'GitHub pull request search',
      compact: (answer) => compactPullSearch(answer.body),
      read: firstPullNumber,
    });
  }

  /** The repository's current place: `GET /repos/{old path}` follows the same redirect; its `full_name` names it. */
  async #currentRepo(path: string, ctx: ProviderCallContext): Promise<RepoRef> {
    const what = 'GitHub repository';
    const { body } = await this.api.get(`/repos/${path}`, ctx, what);
    const fullName: unknown = typeof body === 'object' && body !== null ? (body as { full_name?: unknown }).full_name : undefined;
    if (typeof fullName !== 'string' || !repoSegments(fullName.split('/'), this.shape)) {
      throw new ProviderError(`${what}: answer has no well-formed full_name`);
    }
    return { host: this.host, path: fullName };
  }

  async fetchPullRequestStatus(ref: PullRequestRef, ctx: ProviderCallContext): Promise<PullRequestStatus> {
    const repoPath = `/repos/${this.checkedRepo(ref.repo).path}`;
    const base = `${repoPath}/pulls/${ref.number}`;
    // One after the other: GitHub asks for one token's requests to be serial.
    const { webUrl, ...pull } = await this.api.getCached(base, ctx, {
      key: 'p',
      what: 'GitHub pull request',
      compact: (answer) => pickFields(answer.body, PULL_FIELDS),
      read: readPull,
      // The row holds the PR's own fields: the cache keeps only the ETag and their digest.
      row: {
        read: () => pullFromRow(ctx.stored, ref.number),
        stored: (fields) => pullRowFields(fields, this.canonicalPullRequestUrl(ref, fields.webUrl)),
      },
    });
    // Every page: a reviewer's latest decision can sit on the last one.
    const pages = await readPages(this.api, `${base}/reviews?per_page=${PER_PAGE}`, ctx, {
      key: 'r',
      what: 'GitHub reviews',
      perPage: PER_PAGE,
      maxPages: this.config.maxPages,
      // Past the cap, the newest reviews hold each reviewer's latest decision.
      beyondCap: 'newest',
      compact: compactReviewPage,
      read: readReviewPage,
    });
    const checks = pull.headSha ? await this.#checks(repoPath, pull.headSha, ctx) : undefined;
    return { url: this.canonicalPullRequestUrl(ref, webUrl), ...pull, ...summarizeReviews(pages.flat()), ...(checks ? { checks } : {}) };
  }

  /**
   * The head commit's check runs (every page) and combined status, each a conditional request
   * kept in the row's cache, so unchanged checks cost 304s only. A token that may not read
   * them (403: no "Checks" or "Commit statuses" permission) or a commit GitHub does not know
   * (404) leaves the checks unknown instead of failing the whole row.
   */
  async #checks(repoPath: string, sha: string, ctx: ProviderCallContext): Promise<ChecksSummary | undefined> {
    return unlessRefused(async () => {
      const runs = await readPages(this.api, `${repoPath}/commits/${sha}/check-runs?per_page=${PER_PAGE}`, ctx, {
        key: 'c',
        what: 'GitHub check runs',
        perPage: PER_PAGE,
        maxPages: this.config.maxPages,
        beyondCap: 'first',
        items: checkRunItems,
        compact: compactCheckRunPage,
        read: readCheckRunPage,
      });
      const combined = await this.api.getCached(`${repoPath}/commits/${sha}/status?per_page=${PER_PAGE}`, ctx, {
        key: 's',
        what: 'GitHub combined status',
        compact: (answer) => compactCombinedStatus(answer.body),
        read: readCombinedStatus,
      });
      if (combined.n > combined.s.length) ctx.truncated({ what: 'GitHub commit statuses', pages: 1 });
      return foldChecks(runs.flat(), combined.s);
    });
  }
}
