import { parseRemote } from '../providers/origin.ts';

/** DynamoDB caps a GSI partition key at 2,048 bytes; a longer key is left off (never matched). */
const MAX_KEY_BYTES = 2_048;

/**
 * The `byRepoBranch` index key of a repository and branch: `hostname/path branch`, with the
 * hostname and path lower-cased, `.git` and credentials dropped, and the port left out (an ssh
 * origin's port is ssh's, not the web's); `movedPath` (the row's learned `repoMove`) replaces the
 * origin's path. So every URL form of one repository (https, ssh,
 * scp-like, with or without `.git`, any host case; Data Center's `scm/` clone paths: see
 * `keyPath`) gets the same key. It is deliberately a
 * little coarse: a webhook re-checks each candidate row against the configured provider. The
 * space cannot occur in a parsed origin nor in a git branch name. Undefined when the origin
 * names no repository path or the branch is empty.
 */
export function repoBranchKey(origin: string | undefined, branch: string | undefined, movedPath?: string): string | undefined {
  if (typeof origin !== 'string' || typeof branch !== 'string' || branch === '') return undefined;
  const remote = parseRemote(origin);
  if (!remote || remote.segments.length === 0) return undefined;
  const path = keyPath(movedPath?.split('/') ?? remote.segments);
  const key = `${remote.host.replace(/:\d+$/, '')}/${path.toLowerCase()} ${branch}`;
  return Buffer.byteLength(key) <= MAX_KEY_BYTES ? key : undefined;
}

/**
 * Bitbucket Data Center clones over https at `[context/]scm/KEY/slug` and over ssh at
 * `KEY/slug` (what its deliveries' http clone link and a row's ssh origin name): a path whose
 * third-last segment is `scm` is keyed by its last two, in every URL form, so both find the
 * same rows. Coarse on other hosts too (a GitLab `group/scm/a/b` is keyed `a/b` in every
 * form), which the exact check of each candidate absorbs.
 */
function keyPath(segments: readonly string[]): string {
  return (segments.length >= 3 && segments[segments.length - 3] === 'scm' ? segments.slice(-2) : segments).join('/');
}

/**
 * The path a stored `repoMove` gives the row's repository, when it is well-formed and still
 * about the row's origin (a push to another repository voids it); else undefined. A row
 * carries the key of that path: the host's deliveries name a moved repository by its new path.
 */
export function movedPath(origin: unknown, move: unknown): string | undefined {
  if (typeof move !== 'object' || move === null) return undefined;
  const { origin: from, path } = move as Record<string, unknown>;
  return from === origin && typeof path === 'string' && /^[^\s/]+(\/[^\s/]+)+$/.test(path) ? path : undefined;
}
