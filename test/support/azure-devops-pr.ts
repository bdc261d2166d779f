import type { FakeApi } from '../providers/support/fake-api.ts';

/** The API path of a repository `coll/project/repo` (names percent-encoded as the provider sends them). */
export function azureRepoApi(path: string): string {
  const [coll, project, repo] = path.split('/').map(encodeURIComponent);
  return `/${coll}/${project}/_apis/git/repositories/${repo}`;
}

/** An Azure DevOps PR answer (`GET .../pullrequests/{id}`), active, one approval and one silent reviewer. */
export function azurePr(id: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pullRequestId: id,
    status: 'active',
    isDraft: false,
    title: 'Add the thing',
    description: 'x'.repeat(500),
    createdBy: { displayName: 'Dev One', uniqueName: 'dev@fabrikam.com', imageUrl: 'https://dev.azure.com/_apis/GraphProfile/MemberAvatars/aad.x' },
    sourceRefName: 'refs/heads/feature',
    targetRefName: 'refs/heads/main',
    reviewers: [
      { uniqueName: 'lead@fabrikam.com', vote: 10 },
      { uniqueName: 'qa@fabrikam.com', vote: 0 },
    ],
    lastMergeSourceCommit: { commitId: 'src1' },
    lastMergeTargetCommit: { commitId: 'tgt1' },
    mergeStatus: 'succeeded',
    ...overrides,
  };
}

export interface AzurePrServing {
  /** Commits per page along continuation tokens: [3] is one page of 3. */
  commitPages?: number[];
  /** Change entries per page along nextSkip/nextTop. */
  changePages?: number[];
  /** Iteration ids listed (the last one's changes are read). */
  iterations?: number[];
  etag?: string;
  /** The PR's statuses (`GET .../statuses`); default `azureStatuses()`. */
  statuses?: unknown[];
  statusesEtag?: string;
}

/**
 * Pull-request statuses in Azure's documented shape (`GitPullRequestStatus`): `ci/build` posted
 * pending then succeeded (the later id wins), `ci/lint` failed.
 */
export function azureStatuses(): unknown[] {
  const status = (id: number, state: string, name: string) => ({
    id,
    state,
    description: `${name} ${state}`,
    context: { name, genre: 'ci' },
    creationDate: `2026-01-01T00:0${id}:00Z`,
    updatedDate: `2026-01-01T00:0${id}:00Z`,
    createdBy: { displayName: 'Build Service', uniqueName: 'build@fabrikam.com' },
    targetUrl: `https://ci.example.com/${name}/${id}`,
    iterationId: 1,
  });
  return [status(1, 'pending', 'build'), status(2, 'succeeded', 'build'), status(3, 'failed', 'lint')];
}

/** Serves one PR with its commits, iterations and the last iteration's changes on a fake API. */
export function serveAzurePr(api: FakeApi, repoPath: string, pr: Record<string, unknown>, serving: AzurePrServing = {}): void {
  const base = `${azureRepoApi(repoPath)}/pullrequests/${pr['pullRequestId']}`;
  api.routes.set(`${base}?api-version=7.1`, { headers: serving.etag ? { etag: serving.etag } : {}, body: pr });
  const statuses = serving.statuses ?? azureStatuses();
  api.routes.set(`${base}/statuses?api-version=7.1`, {
    headers: serving.statusesEtag ? { etag: serving.statusesEtag } : {},
    body: { count: statuses.length, value: statuses },
  });
  const commitPages = serving.commitPages ?? [2];
  commitPages.forEach((n, i) => {
    const token = i === 0 ? '' : `&continuationToken=page${i}`;
    const next: Record<string, string> = i + 1 < commitPages.length ? { 'x-ms-continuationtoken': `page${i + 1}` } : {};
    api.routes.set(`${base}/commits?$top=100${token}&api-version=7.1`, {
      headers: next,
      body: { count: n, value: Array.from({ length: n }, (_, c) => ({ commitId: `c${i}-${c}` })) },
    });
  });
  const iterations = serving.iterations ?? [1, 2];
  api.routes.set(`${base}/iterations?api-version=7.1`, { body: { count: iterations.length, value: iterations.map((id) => ({ id })) } });
  const last = Math.max(...iterations);
  const changePages = serving.changePages ?? [3];
  let skip = 0;
  changePages.forEach((n, i) => {
    const more = i + 1 < changePages.length;
    api.routes.set(`${base}/iterations/${last}/changes?$top=100&$skip=${skip}&$compareTo=0&api-version=7.1`, {
      body: {
        changeEntries: Array.from({ length: n }, (_, c) => ({ changeId: c, item: { path: `/f${i}-${c}.ts` }, changeType: 'edit' })),
        nextSkip: more ? skip + n : 0,
        nextTop: more ? 100 : 0,
      },
    });
    skip += n;
  });
}

/** Serves the branch search (`searchCriteria.sourceRefName`) answering the given PR ids, newest first. */
export function serveAzureBranchSearch(api: FakeApi, repoPath: string, branch: string, status: 'active' | 'all', ids: number[]): void {
  const query = new URLSearchParams({ 'searchCriteria.sourceRefName': `refs/heads/${branch}`, 'searchCriteria.status': status, $top: '1' });
  api.routes.set(`${azureRepoApi(repoPath)}/pullrequests?${query}&api-version=7.1`, {
    body: { count: ids.length, value: ids.map((pullRequestId) => ({ pullRequestId, status: 'active' })) },
  });
}
