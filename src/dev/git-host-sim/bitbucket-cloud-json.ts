import { baseHash, commitHashes, decisions, fileChanges, hashOf, isoTime } from './bitbucket-parts.ts';
import type { HostUrls } from './dialect.ts';
import type { PullRequest, Repo, SimCheck } from './world.ts';

/** Bitbucket Cloud's words for the world's pull-request states. */
export function cloudState(pr: PullRequest): 'OPEN' | 'MERGED' | 'DECLINED' {
  return pr.state === 'open' ? 'OPEN' : pr.merged ? 'MERGED' : 'DECLINED';
}

function user(login: string, urls: HostUrls) {
  const id = hashOf('user', login).slice(0, 24);
  return {
    type: 'user',
    display_name: login,
    nickname: login,
    account_id: `557058:${id}`,
    uuid: `{${id}}`,
    links: { avatar: { href: `${urls.web}/account/${login}/avatar/` }, html: { href: `${urls.web}/${login}/` } },
  };
}

export function repository(repo: Repo, urls: HostUrls) {
  const fullName = `${repo.owner}/${repo.name}`;
  return {
    type: 'repository',
    full_name: fullName,
    name: repo.name,
    links: { html: { href: `${urls.web}/${fullName}` }, self: { href: `${urls.api}/repositories/${fullName}` } },
  };
}

export function pullRequestWebUrl(urls: HostUrls, repo: Repo, number: number): string {
  return `${urls.web}/${repo.owner}/${repo.name}/pull-requests/${number}`;
}

/**
 * The head commit's hash as Bitbucket Cloud shows it: derived from the world's head (whose ids
 * are counters padded with zeros, so their first 12 digits, Cloud's short form, would be the
 * same for every commit).
 */
export function headHash(pr: PullRequest): string {
  return hashOf('head', pr.headSha);
}

/** `GET /repositories/{ws}/{slug}/pullrequests/{id}` (list items have the same shape, without participants). */
export function pullRequestJson(repo: Repo, pr: PullRequest, urls: HostUrls, full: boolean) {
  const self = `${urls.api}/repositories/${repo.owner}/${repo.name}/pullrequests/${pr.number}`;
  const reviewers = [...decisions(pr)];
  return {
    type: 'pullrequest',
    id: pr.number,
    title: pr.title,
    description: '',
    state: cloudState(pr),
    draft: pr.draft,
    author: user(pr.authorLogin, urls),
    source: { branch: { name: pr.headRef }, commit: { type: 'commit', hash: headHash(pr).slice(0, 12) }, repository: repository(repo, urls) },
    destination: { branch: { name: pr.baseRef }, commit: { type: 'commit', hash: baseHash(repo, pr).slice(0, 12) }, repository: repository(repo, urls) },
    merge_commit: pr.merged ? { type: 'commit', hash: hashOf('merge', pr.id).slice(0, 12) } : null,
    comment_count: 0,
    task_count: 0,
    close_source_branch: false,
    created_on: isoTime(pr.createdAt),
    updated_on: isoTime(pr.updatedAt),
    links: {
      self: { href: self },
      html: { href: pullRequestWebUrl(urls, repo, pr.number) },
      diffstat: { href: `${self}/diffstat` },
      commits: { href: `${self}/commits` },
    },
    ...(full
      ? {
          reviewers: reviewers.map(([login]) => user(login, urls)),
          participants: reviewers.map(([login, decision]) => ({
            type: 'participant',
            user: user(login, urls),
            role: 'REVIEWER',
            approved: decision === 'APPROVED',
            state: decision === 'APPROVED' ? 'approved' : decision === 'CHANGES_REQUESTED' ? 'changes_requested' : null,
            participated_on: isoTime(pr.updatedAt),
          })),
        }
      : {}),
  };
}

/** The PR's files; when the world says the merge conflicts, the first file is listed as a conflict, as Bitbucket lists a conflicted file. */
export function diffstatEntries(pr: PullRequest) {
  return fileChanges(pr).map((file, i) => ({
    type: 'diffstat',
    status: pr.mergeable === false && i === 0 ? 'merge conflict' : 'modified',
    lines_added: file.added,
    lines_removed: file.removed,
    old: { path: file.path, type: 'commit_file' },
    new: { path: file.path, type: 'commit_file' },
  }));
}

export function commitEntries(repo: Repo, pr: PullRequest, urls: HostUrls) {
  return commitHashes(pr)
    .map((hash, i) => (i === 0 ? headHash(pr) : hash))
    .map((hash, i) => ({
      type: 'commit',
      hash,
      message: `change ${pr.commits - i}`,
      author: { type: 'author', raw: `${pr.authorLogin} <${pr.authorLogin}@example.com>` },
      links: { html: { href: `${urls.web}/${repo.owner}/${repo.name}/commits/${hash}` } },
    }));
}

/** A check of the head commit as a Bitbucket Cloud commit status (`commitstatus`), keyed by its name. */
export function commitStatusJson(repo: Repo, pr: PullRequest, check: SimCheck, urls: HostUrls) {
  const commit = `${urls.api}/repositories/${repo.owner}/${repo.name}/commit/${headHash(pr)}`;
  return {
    type: 'build',
    key: check.name,
    name: check.name,
    refname: pr.headRef,
    state: check.state === 'pending' ? 'INPROGRESS' : check.state === 'success' ? 'SUCCESSFUL' : 'FAILED',
    description: check.state === 'pending' ? 'running' : `finished: ${check.state}`,
    url: `https://ci.example.com/${check.id}`,
    uuid: `{${hashOf('status', check.id).slice(0, 32)}}`,
    created_on: isoTime(check.startedAt),
    updated_on: isoTime(check.completedAt ?? check.startedAt),
    links: { self: { href: `${commit}/statuses/build/${encodeURIComponent(check.name)}` }, commit: { href: commit } },
  };
}
