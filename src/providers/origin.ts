import { stripOriginCredentials } from './origin-credentials.ts';
import { hostKey } from './host.ts';
import { repoSegmentsOfWebPath, type RepoShape } from './repo-shape.ts';
import type { RepoRef } from './provider.ts';

/** A git remote split into where it points and the repository path. */
export interface ParsedRemote {
  /** https: host key with non-default port; ssh: the hostname only (its port is ssh's, not the web's). */
  host: string;
  ssh: boolean;
  segments: string[];
}

/**
 * Splits a git remote origin: `https://host/o/r(.git)(/)`, `ssh://git@host(:port)/o/r.git`,
 * `git@host:o/r.git`. Credentials in an https origin are dropped first. Anything else is
 * null: a row's origin is user data and must never throw.
 */
export function parseRemote(origin: string): ParsedRemote | null {
  const cleaned = stripOriginCredentials(origin);
  if (cleaned === '' || /\s/.test(cleaned)) return null;
  const scp = /^(?:[A-Za-z0-9_.-]+@)?([A-Za-z0-9.-]+):(?!\/\/)(.+)$/.exec(cleaned);
  if (scp && !cleaned.includes('://')) {
    return { host: scp[1]!.toLowerCase(), ssh: true, segments: splitPath(scp[2]!) };
  }
  let url: URL;
  try {
    url = new URL(cleaned);
  } catch {
    return null;
  }
  if (url.search || url.hash) return null;
  if (url.protocol === 'ssh:') return { host: url.hostname, ssh: true, segments: splitPath(url.pathname) };
  if (url.protocol === 'https:' || url.protocol === 'http:') {
    return { host: hostKey(url), ssh: false, segments: splitPath(url.pathname) };
  }
  return null;
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

/**
 * The repository an origin names on one configured host, or null. https origins must match
 * host and port exactly; ssh origins match the configured hostname (their port is ssh's).
 */
export function parseOriginFor(origin: string, host: string, shape: RepoShape): RepoRef | null {
  const remote = parseRemote(origin);
  if (!remote) return null;
  const expected = remote.ssh ? hostnameOf(host) : host;
  if (remote.host !== expected) return null;
  const segments = repoSegmentsOfWebPath(remote.segments, shape);
  return segments ? { host, path: segments.join('/') } : null;
}

function hostnameOf(host: string): string {
  return host.replace(/:\d+$/, '');
}
