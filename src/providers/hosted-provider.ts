import type { HeadChecks } from '../domain/checks.ts';
import { InvalidRowError } from '../domain/errors.ts';
import type { PullRequestStatus } from '../domain/row.ts';
import type { ProviderConfig } from './provider-config.ts';
import { branchNameProblem } from './branch-name.ts';
import { ApiClient, type ApiClientOptions, type CachedRead } from './http/api-client.ts';
import { RequestBudget } from './http/request-budget.ts';
import { parseOriginFor } from './origin.ts';
import type { GitProvider, ProviderCallContext, PullRequestRef, RepoRef } from './provider.ts';
import type { ProviderDeps, ProviderType } from './provider-type.ts';
import { buildPullRequestUrlFor, parsePullRequestUrlFor } from './pull-request-url.ts';
import { repoSegments, type RepoShape } from './repo-shape.ts';
import { statsOfVersion, type DiffStats, type VersionedPullRequest } from './version-stats.ts';

/** What every hosted provider shares: one configured host, its URL shapes, its API client, and checked refs. */
export abstract class HostedProvider implements GitProvider {
  readonly type: string;
  readonly host: string;
  protected readonly config: ProviderConfig;
  protected readonly shape: RepoShape;
  protected readonly api: ApiClient;
  readonly #apiOptions: ApiClientOptions;

  protected constructor(config: ProviderConfig, type: ProviderType, deps: ProviderDeps, headers: ApiClientOptions['headers']) {
    this.type = type.name;
    this.config = config;
    this.host = config.host;
    this.shape = type.shape;
    this.#apiOptions = {
      apiUrl: config.apiUrl,
      dispatcher: deps.dispatcher,
      clock: deps.clock,
      maxBodyBytes: deps.maxBodyBytes,
      rateLimitHeaders: type.rateLimitHeaders,
      headers,
      ...(type.hourlyRequestBudget !== undefined ? { budget: new RequestBudget(type.hourlyRequestBudget) } : {}),
    };
    this.api = new ApiClient(this.#apiOptions);
  }

  /**
   * A client for another API of the same host below `apiUrl` (Bitbucket Data Center's
   * build-status API sits beside its core API), with the same headers and the same hourly
   * budget: every request to the host counts once.
   */
  protected apiAt(apiUrl: string): ApiClient {
    return new ApiClient({ ...this.#apiOptions, apiUrl });
  }

  parseOrigin(origin: string): RepoRef | null {
    return parseOriginFor(origin, this.host, this.shape);
  }

  parsePullRequestUrl(url: string): PullRequestRef | null {
    return parsePullRequestUrlFor(url, this.host, this.shape);
  }

  buildPullRequestUrl(ref: PullRequestRef): string {
    return buildPullRequestUrlFor(this.config.webUrl, ref, this.shape);
  }

  /**
   * The PR's url where the host says it lives now (`webUrl` from its answer): after a rename
   * or transfer that is the new repository path, which the refresher stores so the next
   * refresh asks there directly. An answer naming another host or PR is not believed.
   */
  protected canonicalPullRequestUrl(ref: PullRequestRef, webUrl: string | undefined): string {
    const told = webUrl === undefined ? null : this.parsePullRequestUrl(webUrl);
    return this.buildPullRequestUrl(told && told.number === ref.number ? told : ref);
  }

  /**
   * A pull request read with its own conditional request, and its counts, fetched by
   * `countsOf` only when its diff version changed (see `version-stats.ts`), and its head
   * commit's checks and mergeability from `checksOf`.
   */
  protected async pullRequestWithStats(
    ref: PullRequestRef,
    ctx: ProviderCallContext,
    path: string,
    read: CachedRead<VersionedPullRequest>,
    countsOf: () => Promise<DiffStats>,
    checksOf: (pr: VersionedPullRequest, stats: DiffStats) => Promise<HeadChecks>,
  ): Promise<PullRequestStatus> {
    const pr = await this.api.getCached(path, ctx, read);
    const stats = await statsOfVersion(ctx, pr.diffVersion, countsOf);
    return {
      url: this.canonicalPullRequestUrl(ref, pr.webUrl),
      ...pr.status,
      additions: stats.additions,
      deletions: stats.deletions,
      changedFiles: stats.files,
      commits: stats.commits,
      ...(await checksOf(pr, stats)),
    };
  }

  abstract resolveBranchPullRequest(repo: RepoRef, branch: string, ctx: ProviderCallContext, anyState?: boolean): Promise<PullRequestRef | null>;
  abstract fetchPullRequestStatus(ref: PullRequestRef, ctx: ProviderCallContext): Promise<PullRequestStatus>;

  /**
   * Re-checks a ref before it goes into an API path: it must be on this host and have a
   * well-formed path, whoever built it.
   */
  protected checkedRepo(repo: RepoRef): RepoRef {
    if (repo.host !== this.host || !repoSegments(repo.path.split('/'), this.shape)) {
      throw new InvalidRowError(`repository ${JSON.stringify(repo.path)} is not a ${this.type} repository on ${this.host}`);
    }
    return repo;
  }

  protected checkedBranch(branch: string): string {
    const problem = branchNameProblem(branch);
    if (problem) throw new InvalidRowError(problem);
    return branch;
  }
}
