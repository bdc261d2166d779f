/**
 * Longest branch name sent to a provider, in UTF-8 bytes. Git hosts refuse refs far shorter;
 * a row with a longer one (user data) must not turn into a huge request on every retry.
 */
export const MAX_BRANCH_BYTES = 1024;

/**
 * Why `branch` cannot be a git branch name, or null when it can. Follows the rules of
 * `git check-ref-format --branch` that matter for a query string: no control characters,
 * spaces or `~^:?*[\`, no `..`, `@{` or `//`, no leading or trailing `/` or `.`, no `.lock`
 * ending. The message never repeats the name: it is untrusted and may be huge.
 */
export function branchNameProblem(branch: string): string | null {
  if (branch.trim() === '') return 'the branch name is empty';
  if (Buffer.byteLength(branch, 'utf8') > MAX_BRANCH_BYTES) return `the branch name is longer than ${MAX_BRANCH_BYTES} bytes`;
  if (/[\u0000-\u001f\u007f]/.test(branch)) return 'the branch name contains control characters';
  const malformed =
    /[ ~^:?*[\\]/.test(branch) ||
    branch.includes('..') ||
    branch.includes('@{') ||
    branch.includes('//') ||
    branch === '@' ||
    /^[/.]|[/.]$/.test(branch) ||
    branch.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'));
  return malformed ? 'the branch name is not a valid git branch name' : null;
}
