import type { HostUrls } from './dialect.ts';
import type { PullRequest, Repo, Review } from './world.ts';

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

function mergeableState(pr: PullRequest): string {
  if (pr.mergeable === null) return 'unknown';
  if (!pr.mergeable) return 'dirty';
  return pr.draft ? 'draft' : 'clean';
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
