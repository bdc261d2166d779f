/** How a provider lays out repository paths and pull-request URLs. */
export interface RepoShape {
  /** Fewest and most path segments of a repository ("owner/repo" is 2; GitLab nests). */
  minSegments: number;
  maxSegments: number;
  /** Path segments between the repository and the number: ["pull"] or ["-", "merge_requests"]. */
  pullMarker: readonly string[];
  /** Page names allowed after the number (`/pull/7/files`). */
  pullTails: readonly string[];
  /**
   * Path segments a web URL puts before the repository's last segment and the repository path
   * leaves out (`org/project/_git/repo` is the repository `org/project/repo`). Absent: none.
   */
  repoMarker?: readonly string[];
  /**
   * Names may hold spaces and most punctuation, percent-encoded in URLs (and decoded in the
   * repository path). Absent: the narrow set of `SEGMENT`.
   */
  spacedNames?: boolean;
}

/**
 * One repository path segment. Deliberately narrow (what GitHub and GitLab allow) so a path
 * taken from row data can be put into an API URL without any way to leave its place.
 */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * A segment of a shape with `spacedNames`: no control characters and none of the characters
 * hosts refuse in names (`\ / : * ? " < > | ; # $ % { } , + = [ ]`), no leading or trailing
 * space or dot (so never "." or ".."). It always travels percent-encoded, so it stays in its place.
 */
const SPACED_SEGMENT = /^[^\s.\\/:*?"<>|;#$%{},+=[\]\u0000-\u001f\u007f](?:[^\\/:*?"<>|;#$%{},+=[\]\u0000-\u001f\u007f]{0,254}[^\s.\\/:*?"<>|;#$%{},+=[\]\u0000-\u001f\u007f])?$/u;

export function isRepoSegment(segment: string, shape?: Pick<RepoShape, 'spacedNames'>): boolean {
  if (segment.endsWith('.git')) return false;
  if (shape?.spacedNames) return SPACED_SEGMENT.test(segment);
  return SEGMENT.test(segment) && !segment.includes('..');
}

/** The segments when they form a repository path of this shape, else null. */
export function repoSegments(segments: readonly string[], shape: RepoShape): string[] | null {
  if (segments.length < shape.minSegments || segments.length > shape.maxSegments) return null;
  return segments.every((s) => isRepoSegment(s, shape)) ? [...segments] : null;
}

/**
 * The repository path segments of a web path's segments as they appear in a URL
 * (percent-encoded, with the shape's `repoMarker` before the last one), or null.
 */
export function repoSegmentsOfWebPath(parts: readonly string[], shape: RepoShape): string[] | null {
  const marker = shape.repoMarker ?? [];
  const markerAt = parts.length - 1 - marker.length;
  if (markerAt < 0 || !marker.every((m, i) => parts[markerAt + i] === m)) return null;
  const decoded: string[] = [];
  for (const part of [...parts.slice(0, markerAt), parts[parts.length - 1]!]) {
    try {
      decoded.push(decodeURIComponent(part));
    } catch {
      return null;
    }
  }
  return repoSegments(decoded, shape);
}

/** A repository path as a web URL spells it: each segment percent-encoded, the `repoMarker` in its place. */
export function webPathOf(path: string, shape: RepoShape): string {
  const segments = path.split('/').map(encodeURIComponent);
  return [...segments.slice(0, -1), ...(shape.repoMarker ?? []), ...segments.slice(-1)].join('/');
}
