import { JsonReader, readArray } from '../http/json-reader.ts';
import { countDiffLines } from './diff-lines.ts';

import type { DiffStats } from '../version-stats.ts';

/** Commit count: GitLab's `X-Total`, or the listed commits when it omits the header (large lists). */
export function commitCount(body: unknown, total: string | undefined): number {
  if (total !== undefined && /^\d+$/.test(total.trim())) return Number(total.trim());
  return readArray(body, 'GitLab commits').length;
}

/** Line counts of one page of `/merge_requests/:iid/diffs` (a too-large file has an empty diff). */
export function diffPageStats(body: unknown): Omit<DiffStats, 'commits'> {
  const files = readArray(body, 'GitLab diffs');
  let additions = 0;
  let deletions = 0;
  files.forEach((file, i) => {
    const counts = countDiffLines(JsonReader.object(file, 'GitLab diffs', String(i)).string('diff'));
    additions += counts.additions;
    deletions += counts.deletions;
  });
  return { additions, deletions, files: files.length };
}
