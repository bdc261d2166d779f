import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeReviews, type Review } from '../../src/providers/github/reviews.ts';
import { compactReviewers, readReviewers } from '../../src/providers/gitlab/reviewers.ts';
import { summarizeApprovals } from '../../src/providers/gitlab/approvals.ts';
import { countDiffLines } from '../../src/providers/gitlab/diff-lines.ts';
import { headSha, parseChangesCount } from '../../src/providers/gitlab/merge-request.ts';

const r = (reviewer: string, state: string): Review => ({ reviewer, state });

const reviewRows: [string, Review[], [boolean, boolean, number]][] = [
  ['no reviews', [], [false, false, 0]],
  ['one approval', [r('a', 'APPROVED')], [false, true, 1]],
  ['comments only do not count', [r('a', 'COMMENTED'), r('b', 'PENDING')], [false, false, 0]],
  ['a comment after an approval keeps it', [r('a', 'APPROVED'), r('a', 'COMMENTED')], [false, true, 1]],
  ['changes requested then approved: approved', [r('a', 'CHANGES_REQUESTED'), r('a', 'APPROVED')], [false, true, 1]],
  ['approved then changes requested: changes requested', [r('a', 'APPROVED'), r('a', 'CHANGES_REQUESTED')], [true, false, 1]],
  ['one requests changes, one approves: not approved', [r('a', 'APPROVED'), r('b', 'CHANGES_REQUESTED')], [true, false, 2]],
  ['a dismissed review still counts the reviewer', [r('a', 'CHANGES_REQUESTED'), r('a', 'DISMISSED'), r('b', 'APPROVED')], [false, true, 2]],
  ['only dismissed', [r('a', 'APPROVED'), r('a', 'DISMISSED')], [false, false, 1]],
];

for (const [name, reviews, [changesRequested, approved, reviewerCount]] of reviewRows) {
  test(`GitHub reviews: ${name}`, () => {
    assert.deepEqual(summarizeReviews(reviews), { changesRequested, approved, reviewerCount });
  });
}

const approvalRows: [string, boolean, string[], [boolean, number]][] = [
  ['no rule, nobody approved: GitLab says approved, we do not', true, [], [false, 0]],
  ['one approval, nothing left', true, ['PatrickRice'], [true, 1]],
  ['one approval, more required', false, ['a'], [false, 1]],
  ['required and missing', false, [], [false, 0]],
];
for (const [name, flag, by, [approved, reviewerCount]] of approvalRows) {
  test(`GitLab approvals: ${name}`, () => {
    assert.deepEqual(summarizeApprovals({ approved: flag, approvedBy: by }, null), { changesRequested: false, approved, reviewerCount });
  });
}

const diffRows: [string, string, [number, number]][] = [
  ['empty', '', [0, 0]],
  ['one changed line', '@@ -1,6 +1,6 @@\n # p\n \n-\n+text\n \n ## G\n \n', [1, 1]],
  ['new file', '@@ -0,0 +1,3 @@\n+a\n+b\n+c\n', [3, 0]],
  ['single-line hunks without counts', '@@ -1 +1 @@\n-a\n+b\n', [1, 1]],
  ['no newline marker', '@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n', [1, 1]],
  [
    'raw diff with file headers and a deleted line reading "-- x"',
    'diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n@@ -1,2 +1,1 @@\n--- x\n keep\ndiff --git a/g b/g\n--- a/g\n+++ b/g\n@@ -3,0 +4,2 @@\n++++\n+y\n',
    [2, 1],
  ],
  ['two hunks', '@@ -1,2 +1,2 @@\n-a\n+b\n c\n@@ -10,1 +10,2 @@\n d\n+e\n', [2, 1]],
];
for (const [name, diff, [additions, deletions]] of diffRows) {
  test(`diff lines: ${name}`, () => {
    assert.deepEqual(countDiffLines(diff), { additions, deletions });
  });
}

test('changes_count reads "1000+" and plain numbers; anything else is unknown', () => {
  assert.equal(parseChangesCount('1000+'), 1000);
  assert.equal(parseChangesCount('21'), 21);
  assert.equal(parseChangesCount(undefined), null);
  assert.equal(parseChangesCount('many'), null);
});

test('head sha falls back to the MR sha when diff_refs.head_sha is empty', () => {
  assert.equal(headSha('abc', 'def'), 'abc');
  assert.equal(headSha('', 'def'), 'def');
  assert.equal(headSha(undefined, 'def'), 'def');
  assert.equal(headSha(undefined, undefined), '');
});

// Approvals: alice approved and nothing is left to approve; bob is a reviewer in `state`.
const reviewerRows: [string, [boolean, boolean, number]][] = [
  ['unreviewed', [false, true, 1]],
  ['review_started', [false, true, 1]],
  ['reviewed', [false, true, 1]],
  ['requested_changes', [true, false, 2]],
  ['approved', [false, true, 2]],
  ['unapproved', [false, true, 2]],
  ['a state GitLab adds later', [false, true, 1]],
];
for (const [state, [changesRequested, approved, reviewerCount]] of reviewerRows) {
  test(`GitLab reviewer bob ${state}`, () => {
    const reviewers = readReviewers(compactReviewers([
      { user: { username: 'alice' }, state: 'approved' },
      { user: { username: 'bob' }, state },
    ]));
    assert.deepEqual(summarizeApprovals({ approved: true, approvedBy: ['alice'] }, reviewers), { changesRequested, approved, reviewerCount });
  });
}

test('GitLab reviewers: the stored form keeps only decisive reviewers, and a damaged one does not read', () => {
  const compact = compactReviewers([
    { user: { username: 'a', name: 'A', avatar_url: 'https://x' }, state: 'unreviewed', created_at: '2026-01-01' },
    { user: { username: 'b' }, state: 'requested_changes' },
  ]);
  assert.deepEqual(compact, { requested_changes: ['b'] });
  assert.throws(() => readReviewers({ approved: [1] }), /field approved should hold names/);
  assert.throws(() => compactReviewers([{ user: null, state: 'approved' }]), /field 0\.user should be an object/);
});
