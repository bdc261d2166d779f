import type { HostUrls } from './dialect.ts';
import type { PullRequest, Repo, Review, SimCheck } from './world.ts';

/** GitHub writes times without milliseconds. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Stable numeric id for a login, as GitHub users have. */
function userId(login: string): number {
  let id = 7;
  for (let i = 0; i < login.length; i++) id = (id * 31 + login.charCodeAt(i)) % 2_000_000_000;
  return id;
}

function user(login: string, urls: HostUrls) {
  const id = userId(login);
  return {
    login,
    id,
    avatar_url: `${urls.web}/avatars/u/${id}?v=4`,
    html_url: `${urls.web}/${login}`,
    type: 'User',
  };
}

/** `GET /repos/{o}/{r}`, the fields a client reads to learn where a moved repository is now. */
export function repoJson(repo: Repo, urls: HostUrls) {
  const repoPath = `${repo.owner}/${repo.name}`;
  return {
    name: repo.name,
    full_name: repoPath,
    owner: user(repo.owner, urls),
    private: false,
    html_url: `${urls.web}/${repoPath}`,
    url: `${urls.api}/repos/${repoPath}`,
    default_branch: repo.defaultBranch,
  };
}

/** The shape of an item of `GET /repos/{o}/{r}/pulls`: no counts, no mergeability. */
export function simplePull(repo: Repo, pr: PullRequest, urls: HostUrls) {
  const repoPath = `${repo.owner}/${repo.name}`;
  return {
    url: `${urls.api}/repos/${repoPath}/pulls/${pr.number}`,
    id: pr.id,
    html_url: `${urls.web}/${repoPath}/pull/${pr.number}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: user(pr.authorLogin, urls),
    body: null,
    created_at: isoTime(pr.createdAt),
    updated_at: isoTime(pr.updatedAt),
    closed_at: pr.closedAt === null ? null : isoTime(pr.closedAt),
    merged_at: pr.mergedAt === null ? null : isoTime(pr.mergedAt),
    draft: pr.draft,
    head: { label: `${repo.owner}:${pr.headRef}`, ref: pr.headRef, sha: pr.headSha },
    base: { label: `${repo.owner}:${pr.baseRef}`, ref: pr.baseRef },
    author_association: 'MEMBER',
  };
}

/** The shape of `GET /repos/{o}/{r}/pulls/{n}`. */
export function fullPull(repo: Repo, pr: PullRequest, urls: HostUrls) {
  return {
    ...simplePull(repo, pr, urls),
    merged: pr.merged,
    mergeable: pr.mergeable,
    mergeable_state: mergeableState(pr),
    comments: 0,
    review_comments: 0,
    commits: pr.commits,
    additions: pr.additions,
    deletions: pr.deletions,
    changed_files: pr.changedFiles,
  };
}

/** Failing checks that are not required make a mergeable PR `unstable`, as on GitHub. */
function mergeableState(pr: PullRequest): string {
  if (pr.mergeable === null) return 'unknown';
  if (!pr.mergeable) return 'dirty';
  if (pr.draft) return 'draft';
  return pr.checks.some((c) => c.state === 'failure') ? 'unstable' : 'clean';
}

/** One item of `GET /repos/{o}/{r}/commits/{sha}/check-runs` (under `check_runs`). */
export function checkRunJson(repo: Repo, pr: PullRequest, check: SimCheck, urls: HostUrls) {
  const repoPath = `${repo.owner}/${repo.name}`;
  return {
    id: check.id,
    head_sha: pr.headSha,
    external_id: '',
    url: `${urls.api}/repos/${repoPath}/check-runs/${check.id}`,
    html_url: `${urls.web}/${repoPath}/runs/${check.id}`,
    status: check.state === 'pending' ? 'in_progress' : 'completed',
    conclusion: check.state === 'pending' ? null : check.state,
    started_at: isoTime(check.startedAt),
    completed_at: check.completedAt === null ? null : isoTime(check.completedAt),
    name: check.name,
    check_suite: { id: pr.id },
    app: { id: 1, slug: 'sim-ci', name: 'Simulated CI' },
  };
}

/** `GET /repos/{o}/{r}/commits/{sha}/status`: the combined state and its contexts. */
export function combinedStatusJson(repo: Repo, sha: string, checks: readonly SimCheck[], urls: HostUrls) {
  const repoPath = `${repo.owner}/${repo.name}`;
  const statuses = checks.map((c) => ({
    id: c.id,
    state: c.state,
    description: c.state === 'pending' ? 'running' : `finished: ${c.state}`,
    target_url: `${urls.web}/ci/${c.id}`,
    context: c.name,
    created_at: isoTime(c.startedAt),
    updated_at: isoTime(c.completedAt ?? c.startedAt),
  }));
  // GitHub: failure when any failed, pending while any runs or when there are none at all.
  const state = statuses.some((s) => s.state === 'failure') ? 'failure' : statuses.length === 0 || statuses.some((s) => s.state === 'pending') ? 'pending' : 'success';
  return { state, statuses, sha, total_count: statuses.length, repository: repoJson(repo, urls), url: `${urls.api}/repos/${repoPath}/commits/${sha}/status` };
}

/** One item of `GET /repos/{o}/{r}/pulls/{n}/reviews`. */
export function reviewJson(repo: Repo, pr: PullRequest, review: Review, urls: HostUrls) {
  const repoPath = `${repo.owner}/${repo.name}`;
  return {
    id: review.id,
    user: user(review.login, urls),
    body: '',
    state: review.state,
    html_url: `${urls.web}/${repoPath}/pull/${pr.number}#pullrequestreview-${review.id}`,
    pull_request_url: `${urls.api}/repos/${repoPath}/pulls/${pr.number}`,
    submitted_at: isoTime(review.submittedAt),
    commit_id: review.commitId,
    author_association: 'MEMBER',
  };
}
