import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError } from '../../../src/domain/errors.ts';
import { bitbucketCloudAuthorization } from '../../../src/providers/bitbucket-cloud/auth.ts';
import { summarizeParticipants } from '../../../src/providers/bitbucket-cloud/pull-request.ts';
import { bbqlString, branchSearchQuery } from '../../../src/providers/bitbucket-cloud/query.ts';
import { diffLineCounts, summarizeReviewers } from '../../../src/providers/bitbucket-server/pull-request.ts';
import { RequestBudget } from '../../../src/providers/http/request-budget.ts';

test('BBQL strings quote and escape backslashes and double quotes', () => {
  for (const [value, literal] of [
    ['main', '"main"'],
    ['feat/"x"', '"feat/\\"x\\""'],
    ['a\\b', '"a\\\\b"'],
    ['" OR state="MERGED', '"\\" OR state=\\"MERGED"'],
  ] as const) {
    assert.equal(bbqlString(value), literal);
  }
});

test('the branch search asks for open PRs by update, or every state by creation, one id', () => {
  const open = new URLSearchParams(branchSearchQuery('feat/x', false));
  assert.equal(open.get('q'), 'source.branch.name = "feat/x"');
  assert.deepEqual(open.getAll('state'), ['OPEN']);
  assert.equal(open.get('sort'), '-updated_on');
  assert.equal(open.get('pagelen'), '1');
  const any = new URLSearchParams(branchSearchQuery('feat/x', true));
  assert.deepEqual(any.getAll('state'), ['OPEN', 'MERGED', 'DECLINED', 'SUPERSEDED']);
  assert.equal(any.get('sort'), '-created_on');
});

test('Cloud auth: email:token is Basic, a bare access token Bearer, an app password a clear error', () => {
  assert.equal(bitbucketCloudAuthorization('me@example.com:ATATT3x'), `Basic ${Buffer.from('me@example.com:ATATT3x').toString('base64')}`);
  assert.equal(bitbucketCloudAuthorization('ATCTT3xFfGN0abc'), 'Bearer ATCTT3xFfGN0abc');
  for (const appPassword of ['alice:ATBB123', 'ATBB123']) {
    assert.throws(() => bitbucketCloudAuthorization(appPassword), (e) => e instanceof AuthError && /app password/.test(e.message) && !e.message.includes('123'));
  }
  assert.throws(() => bitbucketCloudAuthorization(':ATATT'), AuthError);
  assert.throws(() => bitbucketCloudAuthorization('me@example.com:'), AuthError);
});

const cases: [string, unknown[], { approved: boolean; changesRequested: boolean; reviewerCount: number }][] = [
  ['nobody decided', [{ role: 'REVIEWER', approved: false, state: null }], { approved: false, changesRequested: false, reviewerCount: 0 }],
  ['one approval', [{ role: 'REVIEWER', approved: true, state: 'approved' }, { role: 'PARTICIPANT', approved: false }], { approved: true, changesRequested: false, reviewerCount: 1 }],
  ['approved flag only (older answers)', [{ role: 'PARTICIPANT', approved: true }], { approved: true, changesRequested: false, reviewerCount: 1 }],
  ['changes requested wins', [{ approved: true, state: 'approved' }, { approved: false, state: 'changes_requested' }], { approved: false, changesRequested: true, reviewerCount: 2 }],
];
for (const [name, participants, expected] of cases) {
  test(`Cloud participants: ${name}`, () => assert.deepEqual(summarizeParticipants(participants), expected));
}

test('Data Center reviewers: APPROVED, NEEDS_WORK, UNAPPROVED', () => {
  assert.deepEqual(summarizeReviewers([{ status: 'UNAPPROVED' }]), { approved: false, changesRequested: false, reviewerCount: 0 });
  assert.deepEqual(summarizeReviewers([{ status: 'APPROVED' }, { status: 'UNAPPROVED' }]), { approved: true, changesRequested: false, reviewerCount: 1 });
  assert.deepEqual(summarizeReviewers([{ status: 'APPROVED' }, { status: 'NEEDS_WORK' }]), { approved: false, changesRequested: true, reviewerCount: 2 });
  assert.throws(() => summarizeReviewers(['x']), /reviewers.0 should be an object/);
});

test('Data Center diff lines: ADDED and REMOVED segments, files, truncation', () => {
  const diff = {
    diffs: [
      { hunks: [{ segments: [{ type: 'REMOVED', lines: [{}, {}] }, { type: 'ADDED', lines: [{}, {}, {}] }, { type: 'CONTEXT', lines: [{}] }] }] },
      { hunks: [{ segments: [{ type: 'ADDED', lines: [{}] }] }], truncated: false },
      { binary: true },
    ],
  };
  assert.deepEqual(diffLineCounts(diff), { additions: 4, deletions: 2, files: 3, truncated: false });
  assert.equal(diffLineCounts({ ...diff, truncated: true }).truncated, true);
  assert.throws(() => diffLineCounts({ diffs: [{ hunks: [{ segments: [{ type: 'ADDED' }] }] }] }), /segments.0.lines should be an array/);
});

test('an hourly request budget: per token, over a rolling hour, the next allowed instant when spent', () => {
  const budget = new RequestBudget(3);
  const t0 = Date.UTC(2026, 0, 1);
  assert.deepEqual([budget.take('a', t0), budget.take('a', t0 + 10), budget.take('a', t0 + 20)], [null, null, null]);
  assert.equal(budget.take('a', t0 + 30), t0 + 3_600_000);
  assert.equal(budget.take('b', t0 + 30), null);
  assert.equal(budget.take('a', t0 + 3_600_000), null);
  assert.equal(budget.take('a', t0 + 3_600_001), t0 + 10 + 3_600_000);
  assert.throws(() => new RequestBudget(0), RangeError);
});
