import type { HostUrls } from './dialect.ts';
import { checkRunJson, fullPull } from './github-json.ts';
import type { PullRequest, Repo, SimCheck } from './world.ts';

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

/**
 * The delivery GitHub sends when a check of a PR's head commit finished: `check_run`
 * (`completed`, its suite naming the head branch) for a check run, `status` (the branches
 * whose head is the commit) for a commit status.
 */
export function checkDelivery(repo: Repo, pr: PullRequest, check: SimCheck, urls: HostUrls): { event: string; payload: unknown } {
  if (check.kind === 'status') {
    return {
      event: 'status',
      payload: {
        sha: pr.headSha,
        state: check.state,
        context: check.name,
        branches: [{ name: pr.headRef, commit: { sha: pr.headSha } }],
        repository: repository(repo, urls),
      },
    };
  }
  const run = checkRunJson(repo, pr, check, urls);
  return {
    event: 'check_run',
    payload: {
      action: 'completed',
      check_run: { ...run, check_suite: { ...run.check_suite, head_branch: pr.headRef, head_sha: pr.headSha } },
      repository: repository(repo, urls),
    },
  };
}
