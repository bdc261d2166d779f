import { AuthError, ProviderError } from '../../domain/errors.ts';
import { latestPerKey, mergeabilityOf, summarizeChecks, type ChecksSummary } from '../../domain/checks.ts';
import type { PullRequestStatus } from '../../domain/row.ts';
import { readReportPages, unlessRefused } from '../check-reports.ts';
import type { ProviderConfig } from '../provider-config.ts';
import type { HttpAnswer } from '../http/answer.ts';
import { JsonReader, readArray } from '../http/json-reader.ts';
import { statsOfVersion } from '../version-stats.ts';
import { HostedProvider } from '../hosted-provider.ts';
import type { ProviderCallContext, PullRequestRef, RepoRef } from '../provider.ts';
import type { ProviderDeps, ProviderType } from '../provider-type.ts';
import { authorizationFor } from './auth.ts';
import { changedFileCount, nextChangesPage } from './changes.ts';
import { mergeStatusMergeability, pullRequestStatusReports } from './checks.ts';
import { SERVICES_HOST, servicesOrigin, servicesPullRequestUrl } from './origins.ts';
import { compactPullRequest, compactPullRequestSearch, firstPullRequestId, readPullRequest } from './pull-request.ts';

const API_VERSION = 'api-version=7.1';
/** Items asked per page of commits and changes: the `maxPages` of the configuration counts pages of 100. */
const PER_PAGE = 100;
/** Longest continuation token followed; a real one is a short opaque string. */
const MAX_CONTINUATION_CHARS = 1_024;

/**
 * Azure DevOps Services (`https://dev.azure.com`, every organization) or an Azure DevOps Server
 * (`https://host`, every collection). A repository is `org/project/repo` or
 * `collection/project/repo`; the REST API lives below the same host (`{org}/{project}/_apis/git`).
 */
export class AzureDevOpsProvider extends HostedProvider {
  constructor(config: ProviderConfig, type: ProviderType, deps: ProviderDeps) {
    super(config, type, deps, (token) => ({
      authorization: authorizationFor(token),
      'user-agent': 'gitsync',
      accept: 'application/json',
      // A refused token is a 401, not a 203 or 302 to the sign-in page.
      'x-tfs-fedauthredirect': 'Suppress',
    }));
  }

  /** Also the Services forms on other hosts (`ssh.dev.azure.com`, `{org}.visualstudio.com`). */
  override parseOrigin(origin: string): RepoRef | null {
    return super.parseOrigin(origin) ?? (this.host === SERVICES_HOST ? servicesOrigin(origin, this.shape) : null);
  }

  override parsePullRequestUrl(url: string): PullRequestRef | null {
    return super.parsePullRequestUrl(url) ?? (this.host === SERVICES_HOST ? servicesPullRequestUrl(url, this.shape) : null);
  }

  async resolveBranchPullRequest(repo: RepoRef, branch: string, ctx: ProviderCallContext, anyState = false): Promise<PullRequestRef | null> {
    const query = new URLSearchParams({
      'searchCriteria.sourceRefName': `refs/heads/${this.checkedBranch(branch)}`,
      'searchCriteria.status': anyState ? 'all' : 'active',
      $top: '1',
    });
    // Azure lists the newest PR first.
    const id = await this.#call(() =>
      this.api.getCached(`${this.#repoApi(repo)}/pullrequests?${query}&${API_VERSION}`, ctx, {
        key: anyState ? 'ba' : 'b',
        what: 'Azure DevOps pull request search',
        compact: (answer) => compactPullRequestSearch(answer.body),
        read: firstPullRequestId,
      }),
    );
    return id === null ? null : { repo, number: id };
  }

  async fetchPullRequestStatus(ref: PullRequestRef, ctx: ProviderCallContext): Promise<PullRequestStatus> {
    const base = `${this.#repoApi(ref.repo)}/pullrequests/${ref.number}`;
    const pr = await this.#call(() =>
      this.api.getCached(`${base}?${API_VERSION}`, ctx, {
        key: 'p',
        what: 'Azure DevOps pull request',
        compact: (answer) => compactPullRequest(answer.body),
        read: readPullRequest,
      }),
    );
    // Commits and changed files only change with the merge's commits: kept per version.
    const stats = await this.#call(() =>
      statsOfVersion(ctx, pr.diffVersion ?? '', async () => ({ commits: await this.#commitCount(base, ctx), files: await this.#changedFiles(base, ctx) }), false),
    );
    const mergeable = await mergeabilityOf(pr.status.pullRequestState, pr.status.pullRequestDraft, () => mergeStatusMergeability(pr.mergeStatus));
    const checks = await this.#call(() => this.#checks(base, ctx));
    // No line counts: the PR API has none, so additions and deletions stay unknown (absent).
    return {
      url: this.buildPullRequestUrl(ref),
      ...pr.status,
      changedFiles: stats.files,
      commits: stats.commits,
      ...pr.review,
      ...(mergeable ? { mergeable } : {}),
      ...(checks ? { checks } : {}),
    };
  }

  /**
   * The PR's statuses (one list, conditional), the latest per context. They are the PR's, not
   * a commit's: Azure keeps them across pushes, as its pull-request page shows them. A token
   * without code read for them leaves the checks unknown.
   */
  async #checks(base: string, ctx: ProviderCallContext): Promise<ChecksSummary | undefined> {
    const reports = await unlessRefused(() =>
      readReportPages(this.api, `${base}/statuses?${API_VERSION}`, ctx, {
        key: 's',
        what: 'Azure DevOps pull request statuses',
        maxPages: 1,
        next: () => null,
        reports: pullRequestStatusReports,
      }),
    );
    return reports && summarizeChecks(latestPerKey(reports));
  }

  /** Commits of the PR, page by page along `x-ms-continuationtoken`, at most `maxPages` pages. */
  async #commitCount(base: string, ctx: ProviderCallContext): Promise<number> {
    const what = 'Azure DevOps pull request commits';
    let count = 0;
    let continuation: string | undefined;
    for (let page = 1; ; page++) {
      const token = continuation === undefined ? '' : `&continuationToken=${encodeURIComponent(continuation)}`;
      const answer = await this.api.get(`${base}/commits?$top=${PER_PAGE}${token}&${API_VERSION}`, ctx, what);
      count += listValue(answer, what).length;
      continuation = answer.headers['x-ms-continuationtoken']?.trim() || undefined;
      if (continuation === undefined) return count;
      if (continuation.length > MAX_CONTINUATION_CHARS) throw new ProviderError(`${what}: continuation token longer than ${MAX_CONTINUATION_CHARS} characters`);
      if (page === this.config.maxPages) {
        ctx.truncated({ what, pages: page });
        return count;
      }
    }
  }

  /**
   * Files changed by the PR as of its last iteration (against the common commit of source and
   * target), page by page along `nextSkip` / `nextTop`, at most `maxPages` pages.
   */
  async #changedFiles(base: string, ctx: ProviderCallContext): Promise<number> {
    const iterations = listValue(await this.api.get(`${base}/iterations?${API_VERSION}`, ctx, 'Azure DevOps pull request iterations'), 'Azure DevOps pull request iterations');
    const last = Math.max(0, ...iterations.map((it, i) => JsonReader.object(it, 'Azure DevOps pull request iterations', `value.${i}`).number('id')));
    if (last === 0) return 0;
    const what = 'Azure DevOps iteration changes';
    let files = 0;
    let page = { skip: 0, top: PER_PAGE };
    for (let n = 1; ; n++) {
      const answer = await this.api.get(`${base}/iterations/${last}/changes?$top=${page.top}&$skip=${page.skip}&$compareTo=0&${API_VERSION}`, ctx, what);
      files += changedFileCount(answer.body);
      const next = nextChangesPage(answer.body, PER_PAGE);
      if (next === null) return files;
      if (n === this.config.maxPages) {
        ctx.truncated({ what, pages: n });
        return files;
      }
      page = next;
    }
  }

  /** `/{org}/{project}/_apis/git/repositories/{repo}`, each name percent-encoded. */
  #repoApi(repo: RepoRef): string {
    const [org, project, name] = this.checkedRepo(repo).path.split('/').map(encodeURIComponent) as [string, string, string];
    return `/${org}/${project}/_apis/git/repositories/${name}`;
  }

  /** A 203 is Azure's sign-in page for a refused token (when the suppress header is ignored): an `AuthError`. */
  async #call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof ProviderError && err.status === 203) throw new AuthError(203);
      throw err;
    }
  }
}

/** The `value` list of an Azure DevOps list answer (`{ count, value: [...] }`). */
function listValue(answer: HttpAnswer, what: string): unknown[] {
  return readArray(JsonReader.object(answer.body, what).field('value'), what);
}
