import { parseRemote } from '../providers/origin.ts';

/** DynamoDB caps a GSI partition key at 2,048 bytes; a longer key is left off (never matched). */
const MAX_KEY_BYTES = 2_048;

/**
 * The `byRepoBranch` index key of a repository and branch: `hostname/path branch`, with the
 * hostname and path lower-cased, `.git` and credentials dropped, and the port left out (an ssh
 * origin's port is ssh's, not the web's). So every URL form of one repository (https, ssh,
 * scp-like, with or without `.git`, any host case) gets the same key. It is deliberately a
 * little coarse: a webhook re-checks each candidate row against the configured provider. The
 * space cannot occur in a parsed origin nor in a git branch name. Undefined when the origin
 * names no repository path or the branch is empty.
 */
export function repoBranchKey(origin: string | undefined, branch: string | undefined): string | undefined {
  if (typeof origin !== 'string' || typeof branch !== 'string' || branch === '') return undefined;
  const remote = parseRemote(origin);
  if (!remote || remote.segments.length === 0) return undefined;
  const key = `${remote.host.replace(/:\d+$/, '')}/${remote.segments.join('/').toLowerCase()} ${branch}`;
  return Buffer.byteLength(key) <= MAX_KEY_BYTES ? key : undefined;
}
