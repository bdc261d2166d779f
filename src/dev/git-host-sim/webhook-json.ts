import type { HostUrls } from './dialect.ts';
import { fullPull } from './github-json.ts';
import type { PullRequest, Repo } from './world.ts';

function repository(repo: Repo, urls: HostUrls) {
  const fullName = `${repo.owner}/${repo.name}`;
  return { full_name: fullName, name: repo.name, html_url: `${urls.web}/${fullName}`, clone_url: `${urls.web}/${fullName}.git` };
}

/** A `pull_request` delivery as GitHub sends it (the fields gitsync and most receivers read). */
export function pullRequestDelivery(repo: Repo, pr: PullRequest, urls: HostUrls, action: string) {
  const pull = fullPull(repo, pr, urls);
  return {
    action,
    number: pr.number,
    pull_request: { ...pull, head: { ...pull.head, repo: repository(repo, urls) }, base: { ...pull.base, repo: repository(repo, urls) } },
    repository: repository(repo, urls),
  };
}

/** A `push` delivery for a branch. */
export function pushDelivery(repo: Repo, branch: string, after: string, urls: HostUrls) {
  return { ref: `refs/heads/${branch}`, before: '0'.repeat(40), after, deleted: false, forced: false, repository: repository(repo, urls) };
}
