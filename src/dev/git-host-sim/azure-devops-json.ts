import type { HostUrls } from './dialect.ts';
import type { PullRequest, Repo, Review, SimCheck } from './world.ts';

/**
 * The simulated Azure DevOps Server's one collection; its name has a space, so every URL,
 * origin and API path carries it percent-encoded, as real names with spaces are.
 */
export const SIM_COLLECTION = 'Sim Collection';

/** A world repository `owner/name` is the project `owner` and repository `name` of the collection. */
export function repoWebPath(repo: Repo): string {
  return [SIM_COLLECTION, repo.owner, '_git', repo.name].map((s) => (s === '_git' ? s : encodeURIComponent(s))).join('/');
}

function repoApiPath(repo: Repo): string {
  return `/${encodeURIComponent(SIM_COLLECTION)}/${encodeURIComponent(repo.owner)}/_apis/git/repositories/${encodeURIComponent(repo.name)}`;
}

function identity(login: string, urls: HostUrls) {
  return {
    displayName: login,
    uniqueName: `${login}@sim.example`,
    id: `00000000-0000-0000-0000-${Buffer.from(login).toString('hex').slice(0, 12).padEnd(12, '0')}`,
    imageUrl: `${urls.web}/_api/_common/identityImage?id=${encodeURIComponent(login)}`,
  };
}

const STATUS = (pr: PullRequest): 'active' | 'completed' | 'abandoned' => (pr.state === 'open' ? 'active' : pr.merged ? 'completed' : 'abandoned');

/**
 * Each reviewer's vote: Azure keeps one per reviewer, so a reviewer's latest approval (10) or
 * change request (-10) is their vote, a comment changes nothing, and a dismissal (a push that
 * resets votes) makes it 0.
 */
export function votesOf(reviews: readonly Review[]): Map<string, number> {
  const votes = new Map<string, number>();
  for (const r of reviews) {
    if (r.state === 'APPROVED') votes.set(r.login, 10);
    else if (r.state === 'CHANGES_REQUESTED') votes.set(r.login, -10);
    else if (r.state === 'DISMISSED') votes.set(r.login, 0);
  }
  return votes;
}

/** `GET .../pullrequests/{id}` (and, the same shape, an item of the list). */
export function pullRequestJson(repo: Repo, pr: PullRequest, urls: HostUrls) {
  return {
    repository: {
      id: `repo-${repo.owner}-${repo.name}`,
      name: repo.name,
      url: `${urls.api}${repoApiPath(repo)}`,
      project: { name: repo.owner, state: 'wellFormed' },
      webUrl: `${urls.web}/${repoWebPath(repo)}`,
      remoteUrl: `${urls.web}/${repoWebPath(repo)}`,
    },
    pullRequestId: pr.number,
    codeReviewId: pr.id,
    status: STATUS(pr),
    createdBy: identity(pr.authorLogin, urls),
    creationDate: new Date(pr.createdAt).toISOString(),
    ...(pr.closedAt === null ? {} : { closedDate: new Date(pr.closedAt).toISOString() }),
    title: pr.title,
    description: '',
    sourceRefName: `refs/heads/${pr.headRef}`,
    targetRefName: `refs/heads/${pr.baseRef}`,
    mergeStatus: pr.mergeable === null ? 'queued' : pr.mergeable ? 'succeeded' : 'conflicts',
    isDraft: pr.draft,
    mergeId: `merge-${pr.id}`,
    lastMergeSourceCommit: { commitId: pr.headSha },
    // The base branch does not move in the world: one target commit.
    lastMergeTargetCommit: { commitId: 'f'.repeat(40) },
    reviewers: [...votesOf(pr.reviews)].map(([login, vote]) => ({ ...identity(login, urls), vote, hasDeclined: false, isFlagged: false })),
    url: `${urls.api}${repoApiPath(repo)}/pullRequests/${pr.number}`,
    supportsIterations: true,
  };
}

/** One commit of `.../pullrequests/{id}/commits`: the world counts commits, so their ids are made up. */
export function commitJson(pr: PullRequest, index: number) {
  return { commitId: `${pr.id.toString(16)}${index.toString(16).padStart(8, '0')}`.padEnd(40, '0'), comment: `commit ${index + 1}` };
}

/** One entry of `.../iterations/{id}/changes`: the world counts changed files, so their paths are made up. */
export function changeJson(index: number) {
  return { changeTrackingId: index + 1, changeId: index + 1, item: { objectId: index.toString(16).padStart(40, '0'), path: `/src/file-${index + 1}.ts` }, changeType: 'edit' };
}

/**
 * `GET .../pullrequests/{id}/statuses`: the simulated CI posts each check as a `pending`
 * status when it starts and a new status of the same context when it ends (Azure updates a
 * status that way), so a finished check is listed twice, the later with the larger id.
 */
export function statusesJson(pr: PullRequest) {
  const status = (check: SimCheck, id: number, state: string, at: number) => ({
    id,
    state,
    description: `${check.name} ${state}`,
    context: { name: check.name, genre: 'sim-ci' },
    creationDate: new Date(at).toISOString(),
    updatedDate: new Date(at).toISOString(),
    createdBy: { displayName: 'Simulated CI', uniqueName: 'sim-ci@example.com' },
    targetUrl: `https://ci.example.com/${check.id}`,
    iterationId: Math.max(1, pr.commits),
  });
  return pr.checks.flatMap((check) => [
    status(check, check.id * 2, 'pending', check.startedAt),
    ...(check.completedAt === null ? [] : [status(check, check.id * 2 + 1, check.state === 'success' ? 'succeeded' : 'failed', check.completedAt)]),
  ]);
}
