import { hostKey } from './host.ts';
import { repoSegmentsOfWebPath, webPathOf, type RepoShape } from './repo-shape.ts';
import type { PullRequestRef } from './provider.ts';

/**
 * Parses `https://host/<repo path>/<marker>/<n>[/<tail>][?query][#fragment]` for one
 * configured host; null for anything else (other hosts included).
 */
export function parsePullRequestUrlFor(raw: string, host: string, shape: RepoShape): PullRequestRef | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || hostKey(url) !== host) return null;
  const parts = url.pathname.replace(/^\//, '').replace(/\/$/, '').split('/');
  const markerAt = findMarker(parts, shape.pullMarker);
  if (markerAt < 0) return null;
  const repo = repoSegmentsOfWebPath(parts.slice(0, markerAt), shape);
  const rest = parts.slice(markerAt + shape.pullMarker.length);
  const [numberText, tail, ...extra] = rest;
  if (!repo || numberText === undefined || !/^[1-9]\d{0,9}$/.test(numberText) || extra.length > 0) return null;
  if (tail !== undefined && !shape.pullTails.includes(tail)) return null;
  return { repo: { host, path: repo.join('/') }, number: Number(numberText) };
}

/** The first position where `marker` starts (after at least one segment), or -1. */
function findMarker(parts: readonly string[], marker: readonly string[]): number {
  for (let i = 1; i + marker.length <= parts.length; i++) {
    if (marker.every((m, j) => parts[i + j] === m)) return i;
  }
  return -1;
}

/** The canonical web URL of a pull request: `webUrl/<repo web path>/<marker>/<n>`. */
export function buildPullRequestUrlFor(webUrl: string, ref: PullRequestRef, shape: RepoShape): string {
  return `${webUrl}/${webPathOf(ref.repo.path, shape)}/${shape.pullMarker.join('/')}/${ref.number}`;
}
