import { parseRemote } from '../origin.ts';
import type { PullRequestRef, RepoRef } from '../provider.ts';
import { parsePullRequestUrlFor } from '../pull-request-url.ts';
import { repoSegmentsOfWebPath, type RepoShape } from '../repo-shape.ts';

/** Azure DevOps Services: every organization below one host, `dev.azure.com/{org}`. */
export const SERVICES_HOST = 'dev.azure.com';

/** `{org}.visualstudio.com`, the organization's older host; it names the same repositories. */
const LEGACY_HOST = /^([a-z0-9][a-z0-9-]{0,49})\.visualstudio\.com$/;
/** The collection name older Services URLs still carry after the legacy host. */
const DEFAULT_COLLECTION = 'defaultcollection';

/**
 * The repository a Services origin names in one of the forms the generic parser cannot read
 * (it knows the configured host `dev.azure.com` and `dev.azure.com/{org}/{project}/_git/{repo}`):
 * `git@ssh.dev.azure.com:v3/{org}/{project}/{repo}`, `{org}@vs-ssh.visualstudio.com:v3/...`,
 * `https://{org}.visualstudio.com[/DefaultCollection]/{project}/_git/{repo}`. Null otherwise.
 */
export function servicesOrigin(origin: string, shape: RepoShape): RepoRef | null {
  const remote = parseRemote(origin);
  if (!remote) return null;
  if (remote.ssh && (remote.host === `ssh.${SERVICES_HOST}` || remote.host === 'vs-ssh.visualstudio.com')) {
    const [version, ...path] = remote.segments;
    // The ssh form has no `_git`: put it where the web form has it.
    return version === 'v3' && path.length === 3 ? webForm([path[0]!, path[1]!, '_git', path[2]!], shape) : null;
  }
  const org = remote.ssh ? null : LEGACY_HOST.exec(remote.host)?.[1];
  if (!org) return null;
  const path = remote.segments[0]?.toLowerCase() === DEFAULT_COLLECTION ? remote.segments.slice(1) : remote.segments;
  return webForm([org, ...path], shape);
}

/** A PR URL on `{org}.visualstudio.com`, as the same PR on `dev.azure.com`. Null otherwise. */
export function servicesPullRequestUrl(url: string, shape: RepoShape): PullRequestRef | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  const org = LEGACY_HOST.exec(parsed.hostname)?.[1];
  if (!org || parsed.port !== '' || parsed.protocol !== 'https:') return null;
  const rest = parsed.pathname.replace(/^\/+/, '').split('/');
  const path = rest[0]?.toLowerCase() === DEFAULT_COLLECTION ? rest.slice(1) : rest;
  const moved = new URL(`/${org}/${path.join('/')}${parsed.search}`, `https://${SERVICES_HOST}`);
  return parsePullRequestUrlFor(moved.href, SERVICES_HOST, shape);
}

/** The repository of a Services web path (`org/project/_git/repo`, percent-encoded), checked as any other. */
function webForm(parts: string[], shape: RepoShape): RepoRef | null {
  const segments = repoSegmentsOfWebPath(parts, shape);
  return segments ? { host: SERVICES_HOST, path: segments.join('/') } : null;
}
