export interface LineCounts {
  additions: number;
  deletions: number;
}

const HUNK = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;

/**
 * Added and deleted lines of a unified diff (one file's `diff` from GitLab's `/diffs`, or a
 * whole raw diff). Lines are counted only inside hunks, by the hunk header's own lengths,
 * so file headers (`--- a/x`) and a removed line that reads `-- x` are told apart.
 */
export function countDiffLines(diff: string): LineCounts {
  let additions = 0;
  let deletions = 0;
  let oldLeft = 0;
  let newLeft = 0;
  for (const line of diff.split('\n')) {
    if (oldLeft > 0 || newLeft > 0) {
      if (line.startsWith('+')) {
        additions++;
        newLeft--;
      } else if (line.startsWith('-')) {
        deletions++;
        oldLeft--;
      } else if (line.startsWith(' ') || line === '') {
        oldLeft--;
        newLeft--;
      }
      // "\ No newline at end of file" belongs to no side.
      continue;
    }
    const hunk = HUNK.exec(line);
    if (hunk) {
      oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      newLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
    }
  }
  return { additions, deletions };
}
