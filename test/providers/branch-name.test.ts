import assert from 'node:assert/strict';
import { test } from 'node:test';
import { branchNameProblem, MAX_BRANCH_BYTES } from '../../src/providers/branch-name.ts';

const valid = ['main', 'feature/login', 'dev-1/fix_bug#42', 'release-2026.11', 'feature/ünïcødé-🚀', 'a'.repeat(MAX_BRANCH_BYTES), 'user@host'];
const invalid: [string, string, RegExp][] = [
  ['empty', '', /empty/],
  ['blank', '   ', /empty/],
  ['over the byte limit', 'a'.repeat(MAX_BRANCH_BYTES + 1), /longer than/],
  ['multi-byte over the limit', '🚀'.repeat(MAX_BRANCH_BYTES / 4 + 1), /longer than/],
  ['newline (header injection)', 'feat\r\nX-Injected: 1', /control/],
  ['NUL', 'feat\u0000x', /control/],
  ['space', 'my branch', /not a valid/],
  ['colon (head=owner:branch)', 'other:main', /not a valid/],
  ['path traversal', '../../etc/passwd', /not a valid/],
  ['double dot', 'a..b', /not a valid/],
  ['reflog syntax', 'main@{1}', /not a valid/],
  ['glob', 'feat*', /not a valid/],
  ['backslash', 'feat\\x', /not a valid/],
  ['leading slash', '/main', /not a valid/],
  ['trailing slash', 'main/', /not a valid/],
  ['trailing dot', 'main.', /not a valid/],
  ['hidden component', 'feat/.hidden', /not a valid/],
  ['lock component', 'feat.lock', /not a valid/],
  ['double slash', 'feat//x', /not a valid/],
  ['lone @', '@', /not a valid/],
];

for (const branch of valid) {
  test(`branch name accepted: ${branch.slice(0, 40)}`, () => assert.equal(branchNameProblem(branch), null));
}
for (const [name, branch, problem] of invalid) {
  test(`branch name refused: ${name}`, () => {
    const message = branchNameProblem(branch);
    assert.match(message ?? '', problem);
    if (branch.trim()) assert.ok(!message!.includes(branch), 'the message does not repeat the name');
  });
}
