/** How a provider lays out repository paths and pull-request URLs. */
export interface RepoShape {
  /** Fewest and most path segments of a repository ("owner/repo" is 2; GitLab nests). */
  minSegments: number;
  maxSegments: number;
  /** Path segments between the repository and the number: ["pull"] or ["-", "merge_requests"]. */
  pullMarker: readonly string[];
  /** Page names allowed after the number (`/pull/7/files`). */
  pullTails: readonly string[];
}

/**
 * One repository path segment. Deliberately narrow (what GitHub and GitLab allow) so a path
 * taken from row data can be put into an API URL without any way to leave its place.
 */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function isRepoSegment(segment: string): boolean {
  return SEGMENT.test(segment) && !segment.endsWith('.git') && !segment.includes('..');
}

/** The segments when they form a repository path of this shape, else null. */
export function repoSegments(segments: readonly string[], shape: RepoShape): string[] | null {
  if (segments.length < shape.minSegments || segments.length > shape.maxSegments) return null;
  return segments.every(isRepoSegment) ? [...segments] : null;
}
