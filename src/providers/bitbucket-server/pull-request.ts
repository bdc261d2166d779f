import { isHeadSha } from '../../domain/checks.ts';
import type { PullRequestState } from '../../domain/row.ts';
import { JsonReader } from '../http/json-reader.ts';
import { pickFields, type FieldSpec } from '../http/pick.ts';
import type { ReviewSummary } from '../review-summary.ts';
import type { VersionedPullRequest as PullRequestFields } from '../version-stats.ts';

const USER: FieldSpec = { name: true, slug: true, displayName: true, avatarUrl: true };

/** The fields of `GET .../pull-requests/{id}` the mapping reads (kept for 304s); reviewers are cut down apart. */
const PULL_REQUEST_FIELDS: FieldSpec = {
  id: true,
  title: true,
  state: true,
  draft: true,
  author: { user: USER },
  fromRef: { displayId: true, latestCommit: true },
  toRef: { displayId: true, latestCommit: true },
  links: { self: true },
};


const STATES: Record<string, PullRequestState> = { OPEN: 'open', MERGED: 'merged', DECLINED: 'closed' };

const WHAT = 'Bitbucket Data Center pull request';

export function compactPullRequest(body: unknown): unknown {
  const picked = pickFields(body, PULL_REQUEST_FIELDS);
  const reviewers = typeof body === 'object' && body !== null ? (body as { reviewers?: unknown }).reviewers : undefined;
  return Array.isArray(reviewers) ? { ...(picked as object), reviewers: reviewers.map((r) => pickFields(r, { status: true, approved: true, user: USER })) } : picked;
}

export function readPullRequest(value: unknown): PullRequestFields {
  const pr = JsonReader.object(value, WHAT);
  const state = pr.oneOf('state', STATES);
  const user = pr.optionalObject('author')?.optionalObject('user');
  const from = pr.object('fromRef');
  const to = pr.object('toRef');
  const self = pr.optionalObject('links')?.field('self');
  const firstSelf = Array.isArray(self) && self.length > 0 ? JsonReader.object(self[0], WHAT, 'links.self.0').optionalString('href') : undefined;
  const avatar = user?.optionalString('avatarUrl') ?? '';
  const head = from.optionalString('latestCommit');
  return {
    status: {
      pullRequestState: state,
      pullRequestTitle: pr.string('title'),
      pullRequestDraft: pr.optionalBoolean('draft') ?? false,
      authorLogin: user?.optionalString('name') ?? user?.optionalString('slug') ?? '',
      // Only an absolute avatar URL is of use outside the server's pages.
      authorAvatarUrl: /^https?:\/\//.test(avatar) ? avatar : '',
      baseBranch: to.string('displayId'),
      headBranch: from.string('displayId'),
      prNumber: pr.number('id'),
      ...(isHeadSha(head) ? { headSha: head.toLowerCase() } : {}),
      ...summarizeReviewers(pr.field('reviewers') === undefined ? [] : pr.array('reviewers')),
    },
    diffVersion: `${to.optionalString('latestCommit') ?? ''}..${head ?? ''}`,
    webUrl: firstSelf,
  };
}

/**
 * Reviewers' `status`: `APPROVED`, `NEEDS_WORK` (changes requested) or `UNAPPROVED` (no
 * decision). Changes requested when any reviewer marks it; approved when someone approves and
 * nobody does; the count is the reviewers who decided, as on GitHub.
 */
export function summarizeReviewers(reviewers: readonly unknown[]): ReviewSummary {
  let approvals = 0;
  let changes = 0;
  reviewers.forEach((entry, i) => {
    const status = JsonReader.object(entry, WHAT, `reviewers.${i}`).optionalString('status');
    if (status === 'NEEDS_WORK') changes++;
    else if (status === 'APPROVED') approvals++;
  });
  return { changesRequested: changes > 0, approved: changes === 0 && approvals > 0, reviewerCount: approvals + changes };
}

/** Lines of a `GET .../pull-requests/{id}/diff` answer: `diffs[].hunks[].segments[]` typed ADDED / REMOVED / CONTEXT. */
export function diffLineCounts(body: unknown): { additions: number; deletions: number; files: number; truncated: boolean } {
  const what = 'Bitbucket Data Center diff';
  const diff = JsonReader.object(body, what);
  let additions = 0;
  let deletions = 0;
  let truncated = diff.optionalBoolean('truncated') ?? false;
  const files = diff.array('diffs');
  files.forEach((fileEntry, f) => {
    const file = JsonReader.object(fileEntry, what, `diffs.${f}`);
    truncated ||= file.optionalBoolean('truncated') ?? false;
    const hunks = file.field('hunks') === undefined || file.field('hunks') === null ? [] : file.array('hunks');
    hunks.forEach((hunkEntry, h) => {
      const hunk = JsonReader.object(hunkEntry, what, `diffs.${f}.hunks.${h}`);
      truncated ||= hunk.optionalBoolean('truncated') ?? false;
      hunk.array('segments').forEach((segmentEntry, s) => {
        const segment = JsonReader.object(segmentEntry, what, `diffs.${f}.hunks.${h}.segments.${s}`);
        const lines = segment.array('lines').length;
        const type = segment.string('type');
        if (type === 'ADDED') additions += lines;
        else if (type === 'REMOVED') deletions += lines;
      });
    });
  });
  return { additions, deletions, files: files.length, truncated };
}
