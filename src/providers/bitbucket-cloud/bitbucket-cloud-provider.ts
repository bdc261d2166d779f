import { latestPerKey, mergeabilityOf, summarizeChecks, type ChecksSummary } from '../../domain/checks.ts';
import type { PullRequestStatus } from '../../domain/row.ts';
import { readReportPages, unlessRefused } from '../check-reports.ts';
import type { ProviderConfig } from '../provider-config.ts';
import { readBodyPages } from '../http/body-pages.ts';
import { JsonReader } from '../http/json-reader.ts';
import { firstValueId, pageValues, readCachedId } from '../http/values-page.ts';
import { HostedProvider } from '../hosted-provider.ts';
import type { ProviderCallContext, PullRequestRef, RepoRef } from '../provider.ts';
import type { ProviderDeps, ProviderType } from '../provider-type.ts';
import type { DiffStats } from '../version-stats.ts';
import type { HttpAnswer } from '../http/answer.ts';
import { bitbucketCloudAuthorization } from './auth.ts';
import { commitStatusReports, isConflictStatus } from './checks.ts';
import { compactPullRequest, readPullRequest } from './pull-request.ts';
import { branchSearchQuery } from './query.ts';

/** bitbucket.org (API `https://api.bitbucket.org/2.0`). */
export class BitbucketCloudProvider extends HostedProvider {
  constructor(config: ProviderConfig, type: ProviderType, deps: ProviderDeps) {
    super(config, type, deps, (token) => ({ authorization: bitbucketCloudAuthorization(token), 'user-agent': 'gitsync', accept: 'application/json' }));
  }

  async resolveBranchPullRequest(repo: RepoRef, branch: string, ctx: ProviderCallContext, anyState = false): Promise<PullRequestRef | null> {
    const query = branchSearchQuery(this.checkedBranch(branch), anyState);
    const id = await this.api.getCached(`${this.#repoPath(repo)}/pullrequests?${query}`, ctx, {
      key: anyState ? 'ba' : 'b',
      what: 'Bitbucket Cloud pull request search',
      compact: (answer) => firstValueId(answer.body, 'Bitbucket Cloud pull request search'),
      read: (compact) => readCachedId(compact, 'Bitbucket Cloud pull request search'),
    });
    return id === null ? null : { repo, number: id };
  }

  async fetchPullRequestStatus(ref: PullRequestRef, ctx: ProviderCallContext): Promise<PullRequestStatus> {
    const base = `${this.#repoPath(ref.repo)}/pullrequests/${ref.number}`;
    const read = { key: 'p', what: 'Bitbucket Cloud pull request', compact: (answer: HttpAnswer) => compactPullRequest(answer.body), read: readPullRequest };
    return this.pullRequestWithStats(ref, ctx, base, read, () => this.#diffStats(base, ctx), async ({ status }, stats) => {
      // No merge check in Bitbucket Cloud's API: clean unless the diffstat shows conflicts.
      const mergeable = await mergeabilityOf(status.pullRequestState, status.pullRequestDraft, () => (stats.conflicted ? 'conflicts' : 'clean'));
      const checks = status.headSha ? await this.#checks(ref.repo, status.headSha, ctx) : undefined;
      return { ...(mergeable ? { mergeable } : {}), ...(checks ? { checks } : {}) };
    });
  }

  /**
   * The head commit's commit statuses (every page; the first one conditional), the latest per
   * key. A token without repository read for statuses, or a commit Bitbucket does not know,
   * leaves them unknown.
   */
  async #checks(repo: RepoRef, sha: string, ctx: ProviderCallContext): Promise<ChecksSummary | undefined> {
    const reports = await unlessRefused(() =>
      readReportPages(this.api, `${this.#repoPath(repo)}/commit/${sha}/statuses?pagelen=100`, ctx, {
        key: 's',
        what: 'Bitbucket Cloud commit statuses',
        maxPages: this.config.maxPages,
        next: nextUrl,
        reports: commitStatusReports,
      }),
    );
    return reports && summarizeChecks(latestPerKey(reports));
  }

  /** Every page of the diffstat (one entry per file, conflicts among them) and of the commits, each up to `maxPages`. */
  async #diffStats(base: string, ctx: ProviderCallContext): Promise<DiffStats> {
    const stats: DiffStats = { commits: 0, additions: 0, deletions: 0, files: 0, conflicted: false };
    const maxPages = this.config.maxPages;
    await readBodyPages(this.api, `${base}/diffstat`, ctx, {
      what: 'Bitbucket Cloud diffstat',
      maxPages,
      next: nextUrl,
      page: (body) =>
        pageValues(body, 'Bitbucket Cloud diffstat').forEach((entry, i) => {
          const file = JsonReader.object(entry, 'Bitbucket Cloud diffstat', `values.${i}`);
          stats.additions += countOf(file, 'lines_added');
          stats.deletions += countOf(file, 'lines_removed');
          stats.files++;
          if (isConflictStatus(file.optionalString('status'))) stats.conflicted = true;
        }),
    });
    await readBodyPages(this.api, `${base}/commits?pagelen=100`, ctx, {
      what: 'Bitbucket Cloud commits',
      maxPages,
      next: nextUrl,
      page: (body) => (stats.commits += pageValues(body, 'Bitbucket Cloud commits').length),
    });
    return stats;
  }

  #repoPath(repo: RepoRef): string {
    return `/repositories/${this.checkedRepo(repo).path}`;
  }
}

/** A paged answer's `next` URL; absent on the last page. */
function nextUrl(body: unknown): string | null {
  return JsonReader.object(body, 'Bitbucket Cloud page').optionalString('next') ?? null;
}

/** A binary file's line counts are null: it adds no lines. */
function countOf(file: JsonReader, name: string): number {
  return file.field(name) === null || file.field(name) === undefined ? 0 : file.number(name);
}
