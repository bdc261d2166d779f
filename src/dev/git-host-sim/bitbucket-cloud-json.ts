import { baseHash, commitHashes, decisions, fileChanges, hashOf, isoTime } from './bitbucket-parts.ts';
import type { HostUrls } from './dialect.ts';
import type { PullRequest, Repo } from './world.ts';

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
    source: { branch: { name: pr.headRef }, commit: { type: 'commit', hash: pr.headSha.slice(0, 12) }, repository: repository(repo, urls) },
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

export function diffstatEntries(pr: PullRequest) {
  return fileChanges(pr).map((file) => ({
    type: 'diffstat',
    status: 'modified',
    lines_added: file.added,
    lines_removed: file.removed,
    old: { path: file.path, type: 'commit_file' },
    new: { path: file.path, type: 'commit_file' },
  }));
}

export function commitEntries(repo: Repo, pr: PullRequest, urls: HostUrls) {
  return commitHashes(pr).map((hash, i) => ({
    type: 'commit',
    hash,
    message: `change ${pr.commits - i}`,
    author: { type: 'author', raw: `${pr.authorLogin} <${pr.authorLogin}@example.com>` },
    links: { html: { href: `${urls.web}/${repo.owner}/${repo.name}/commits/${hash}` } },
  }));
}
