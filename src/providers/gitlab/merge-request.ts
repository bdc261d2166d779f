import type { PullRequestState, PullRequestStatus } from '../../domain/row.ts';
import { ProviderError } from '../../domain/errors.ts';
import { JsonReader } from '../http/json-reader.ts';
import type { FieldSpec } from '../http/pick.ts';
import type { ReviewSummary } from '../review-summary.ts';
import type { Approvals } from './approvals.ts';

/** The fields of `GET /projects/:id/merge_requests/:iid` the mapping reads (kept for 304s). */
export const MERGE_REQUEST_FIELDS: FieldSpec = {
  iid: true,
  web_url: true,
  title: true,
  state: true,
  draft: true,
  source_branch: true,
  target_branch: true,
  author: { username: true, avatar_url: true },
  changes_count: true,
  sha: true,
  diff_refs: { base_sha: true, head_sha: true },
};

/** What the MR itself says; line and commit counts come from other requests. */
export interface MergeRequestFields {
  status: Omit<PullRequestStatus, 'url' | 'additions' | 'deletions' | 'commits' | 'changedFiles' | keyof ReviewSummary>;
  /** From `changes_count` ("1000+" reads 1000); null while GitLab has not counted yet. */
  changedFilesReported: number | null;
  /** Identifies the diff: head and base commits; diff and commit counts are kept per version. */
  diffVersion: string;
  /** Where GitLab says the MR lives (`web_url`): the new path of a moved project. */
  webUrl: string | undefined;
}

const STATES: Record<string, PullRequestState> = { opened: 'open', locked: 'closed', closed: 'closed', merged: 'merged' };

export function readMergeRequest(value: unknown): MergeRequestFields {
  const mr = JsonReader.object(value, 'GitLab merge request');
  const state = mr.oneOf('state', STATES);
  const author = mr.optionalObject('author');
  const refs = mr.optionalObject('diff_refs');
  return {
    status: {
      pullRequestState: state,
      pullRequestTitle: mr.string('title'),
      pullRequestDraft: mr.optionalBoolean('draft') ?? false,
      authorLogin: author?.string('username') ?? '',
      authorAvatarUrl: author?.optionalString('avatar_url') ?? '',
      baseBranch: mr.string('target_branch'),
      headBranch: mr.string('source_branch'),
      prNumber: mr.number('iid'),
    },
    changedFilesReported: parseChangesCount(mr.optionalString('changes_count')),
    diffVersion: `${refs?.optionalString('base_sha') ?? ''}..${headSha(refs?.optionalString('head_sha'), mr.optionalString('sha'))}`,
    webUrl: mr.optionalString('web_url'),
  };
}

/** `diff_refs.head_sha` can be empty while the MR's `sha` is set. */
export function headSha(diffRefsHead: string | undefined, sha: string | undefined): string {
  return diffRefsHead || sha || '';
}

/** `changes_count` is a string, "1000+" when GitLab stops counting; null/garbage: unknown. */
export function parseChangesCount(value: string | undefined): number | null {
  const match = value === undefined ? null : /^(\d+)\+?$/.exec(value.trim());
  return match ? Number(match[1]) : null;
}

/** The approvals answer, kept as `{ approved, approvedBy }` (usernames). */
export function readApprovals(value: unknown): Approvals {
  const a = JsonReader.object(value, 'GitLab approvals');
  const approvedBy = a.array('approved_by').map((entry, i) =>
    JsonReader.object(entry, 'GitLab approvals', `approved_by.${i}`).object('user').string('username'),
  );
  return { approved: a.boolean('approved'), approvedBy };
}

/** The stored form of `readApprovals`. */
export function readCachedApprovals(value: unknown): Approvals {
  const a = JsonReader.object(value, 'cached GitLab approvals');
  const approvedBy = a.array('approvedBy').map((name) => {
    if (typeof name !== 'string') throw new ProviderError('unexpected cached GitLab approvals answer: field approvedBy should hold usernames');
    return name;
  });
  return { approved: a.boolean('approved'), approvedBy };
}
