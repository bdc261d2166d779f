import { hostKey } from '../host.ts';
import { parseRemote } from '../origin.ts';
import type { PullRequestRef, RepoRef } from '../provider.ts';
import { repoSegments, type RepoShape } from '../repo-shape.ts';

/**
 * Where a Bitbucket Data Center server is: its host key and context path ("" or
 * "/bitbucket"), from the configured `webUrl`.
 */
export interface ServerPlace {
  host: string;
  contextPath: string;
}

export function serverPlace(webUrl: string): ServerPlace {
  const url = new URL(webUrl);
  return { host: hostKey(url), contextPath: url.pathname.replace(/\/+$/, '') };
}

/**
 * The repository of an origin on this server: `https://host[/ctx]/scm/KEY/slug(.git)` or
 * ssh (`ssh://git@host:7999/KEY/slug.git`, `git@host:KEY/slug.git`; ssh has no context
 * path). The path is kept as `KEY/slug`. Personal repositories (`~user`) are not served.
 */
export function parseServerOrigin(origin: string, place: ServerPlace, shape: RepoShape): RepoRef | null {
  const remote = parseRemote(origin);
  if (!remote) return null;
  let segments = remote.segments;
  if (remote.ssh) {
    if (remote.host !== place.host.replace(/:\d+$/, '')) return null;
  } else {
    if (remote.host !== place.host) return null;
    const prefix = [...contextSegments(place), 'scm'];
    if (!prefix.every((s, i) => segments[i] === s)) return null;
    segments = segments.slice(prefix.length);
  }
  const repo = repoSegments(segments, shape);
  return repo ? { host: place.host, path: repo.join('/') } : null;
}

/** `https://host[/ctx]/projects/KEY/repos/slug/pull-requests/7[/overview|diff|commits][?..][#..]`; null for anything else. */
export function parseServerPullRequestUrl(raw: string, place: ServerPlace, shape: RepoShape): PullRequestRef | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || hostKey(url) !== place.host) return null;
  const parts = url.pathname.replace(/^\//, '').replace(/\/$/, '').split('/');
  const context = contextSegments(place);
  if (!context.every((s, i) => parts[i] === s)) return null;
  const [projects, key, repos, slug, marker, numberText, tail, ...extra] = parts.slice(context.length);
  if (projects !== 'projects' || repos !== 'repos' || marker !== shape.pullMarker[0] || extra.length > 0) return null;
  const repo = repoSegments([key ?? '', slug ?? ''], shape);
  if (!repo || numberText === undefined || !/^[1-9]\d{0,9}$/.test(numberText)) return null;
  if (tail !== undefined && !shape.pullTails.includes(tail)) return null;
  return { repo: { host: place.host, path: repo.join('/') }, number: Number(numberText) };
}

/** The canonical web URL: `webUrl/projects/KEY/repos/slug/pull-requests/7`. */
export function buildServerPullRequestUrl(webUrl: string, ref: PullRequestRef): string {
  const [key, slug] = ref.repo.path.split('/');
  return `${webUrl}/projects/${key}/repos/${slug}/pull-requests/${ref.number}`;
}

function contextSegments(place: ServerPlace): string[] {
  return place.contextPath === '' ? [] : place.contextPath.replace(/^\//, '').split('/');
}
