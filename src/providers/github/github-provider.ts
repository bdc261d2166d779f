import type { PullRequestStatus } from '../../domain/row.ts';
import type { ProviderConfig } from '../config.ts';
import { pickFields } from '../http/pick.ts';
import { HostedProvider, type ProviderDeps } from '../hosted-provider.ts';
import type { ProviderCallContext, PullRequestRef, RepoRef } from '../provider.ts';
import type { ProviderType } from '../provider-type.ts';
import { readPages } from '../http/pages.ts';
import { PULL_FIELDS, compactPullSearch, firstPullNumber, pullFromRow, pullRowFields, readPull } from './pull.ts';
import { compactReviewPage, readReviewPage, summarizeReviews } from './reviews.ts';

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

  async resolveBranchPullRequest(repo: RepoRef, branch: string, ctx: ProviderCallContext, anyState = false): Promise<PullRequestRef | null> {
    const { path } = this.checkedRepo(repo);
    const owner = path.split('/')[0]!;
    const query = new URLSearchParams({
      head: `${owner}:${this.checkedBranch(branch)}`,
      state: anyState ? 'all' : 'open',
      sort: anyState ? 'created' : 'updated',
      direction: 'desc',
      per_page: '1',
    });
    const number = await this.api.getCached(`/repos/${path}/pulls?${query}`, ctx, {
      key: anyState ? 'ba' : 'b',
      what: 'GitHub pull request search',
      compact: (answer) => compactPullSearch(answer.body),
      read: firstPullNumber,
    });
    return number === null ? null : { repo, number };
  }

  async fetchPullRequestStatus(ref: PullRequestRef, ctx: ProviderCallContext): Promise<PullRequestStatus> {
    const base = `/repos/${this.checkedRepo(ref.repo).path}/pulls/${ref.number}`;
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
    return { url: this.canonicalPullRequestUrl(ref, webUrl), ...pull, ...summarizeReviews(pages.flat()) };
  }
}
