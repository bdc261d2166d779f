import type { PullRequestStatus } from '../../domain/row.ts';
import type { ProviderConfig } from '../config.ts';
import { pickFields } from '../http/pick.ts';
import { GITHUB_RATE_LIMIT_HEADERS } from '../http/rate-limit.ts';
import { HostedProvider, type ProviderDeps } from '../hosted-provider.ts';
import type { ProviderCallContext, PullRequestRef, RepoRef } from '../provider.ts';
import type { RepoShape } from '../repo-shape.ts';
import { readReviewSummary } from '../review-summary.ts';
import { PULL_FIELDS, compactPullSearch, firstPullNumber, readPull, summarizeReviewAnswer } from './pull.ts';

const GITHUB_SHAPE: RepoShape = {
  minSegments: 2,
  maxSegments: 2,
  pullMarker: ['pull'],
  pullTails: ['files', 'commits', 'checks'],
};

/** github.com or a GitHub Enterprise server (API at `webUrl/api/v3` unless configured). */
export class GitHubProvider extends HostedProvider {
  readonly type = 'github';

  constructor(config: ProviderConfig, deps: ProviderDeps) {
    super(config, GITHUB_SHAPE, deps, {
      rateLimitHeaders: GITHUB_RATE_LIMIT_HEADERS,
      headers: (token) => ({
        authorization: `Bearer ${token}`,
        'user-agent': 'gitsync',
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
      }),
    });
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
    });
    const reviews = await this.api.getCached(`${base}/reviews?per_page=100`, ctx, {
      key: 'r',
      what: 'GitHub reviews',
      compact: (answer) => summarizeReviewAnswer(answer.body),
      read: readReviewSummary,
    });
    return { url: this.canonicalPullRequestUrl(ref, webUrl), ...pull, ...reviews };
  }
}
