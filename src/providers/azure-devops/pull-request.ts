import { isHeadSha } from '../../domain/checks.ts';
import type { PullRequestState, PullRequestStatus } from '../../domain/row.ts';
import { JsonReader, readArray } from '../http/json-reader.ts';
import { pickFields, type FieldSpec } from '../http/pick.ts';
import type { ReviewSummary } from '../review-summary.ts';
import { summarizeVotes, type Vote } from './votes.ts';

/** The fields of `GET .../pullrequests/{id}` the mapping reads (kept for 304s). */
export const PULL_REQUEST_FIELDS: FieldSpec = {
  pullRequestId: true,
  status: true,
  isDraft: true,
  title: true,
  createdBy: { uniqueName: true, imageUrl: true },
  sourceRefName: true,
  targetRefName: true,
  reviewers: true,
  lastMergeSourceCommit: { commitId: true },
  lastMergeTargetCommit: { commitId: true },
  mergeStatus: true,
};

/** What the PR answer itself says; commits and changed files come from other requests, line counts from none. */
export interface PullRequestFields {
  status: Omit<PullRequestStatus, 'url' | 'additions' | 'deletions' | 'commits' | 'changedFiles' | keyof ReviewSummary>;
  review: ReviewSummary;
  /**
   * Target and source commits of the PR's merge: commits and changed files only change with
   * them, so they are kept per version. Null while Azure has not computed the merge yet.
   */
  diffVersion: string | null;
  /** Azure's `mergeStatus` (`succeeded`, `conflicts`, `queued`, ...), absent before the first merge attempt. */
  mergeStatus: string | undefined;
}

const STATES: Record<string, PullRequestState> = { active: 'open', completed: 'merged', abandoned: 'closed' };

const HEADS = 'refs/heads/';

/** The compact form kept for a 304: the mapped fields, reviewers cut to what the votes need. */
export function compactPullRequest(body: unknown): unknown {
  const picked = pickFields(body, PULL_REQUEST_FIELDS) as Record<string, unknown>;
  const reviewers = picked['reviewers'];
  if (!Array.isArray(reviewers)) return picked;
  return { ...picked, reviewers: reviewers.map((r) => pickFields(r, { uniqueName: true, vote: true, isContainer: true })) };
}

export function readPullRequest(value: unknown): PullRequestFields {
  const pr = JsonReader.object(value, 'Azure DevOps pull request');
  const state = pr.oneOf('status', STATES);
  const author = pr.optionalObject('createdBy');
  const source = pr.optionalObject('lastMergeSourceCommit')?.optionalString('commitId');
  const target = pr.optionalObject('lastMergeTargetCommit')?.optionalString('commitId');
  return {
    status: {
      pullRequestState: state,
      pullRequestTitle: pr.string('title'),
      pullRequestDraft: pr.optionalBoolean('isDraft') ?? false,
      authorLogin: author?.optionalString('uniqueName') ?? '',
      authorAvatarUrl: author?.optionalString('imageUrl') ?? '',
      baseBranch: branchOf(pr.string('targetRefName')),
      headBranch: branchOf(pr.string('sourceRefName')),
      prNumber: pr.number('pullRequestId'),
      ...(isHeadSha(source) ? { headSha: source.toLowerCase() } : {}),
    },
    review: summarizeVotes(readVotes(pr.field('reviewers'))),
    diffVersion: source && target ? `${target}..${source}` : null,
    mergeStatus: pr.optionalString('mergeStatus'),
  };
}

/** `refs/heads/main` -> `main`; another ref stays as it is. */
function branchOf(ref: string): string {
  return ref.startsWith(HEADS) ? ref.slice(HEADS.length) : ref;
}

function readVotes(value: unknown): Vote[] {
  if (value === undefined || value === null) return [];
  return readArray(value, 'Azure DevOps pull request reviewers').map((entry, i) => {
    const r = JsonReader.object(entry, 'Azure DevOps pull request', `reviewers.${i}`);
    return { reviewer: r.optionalString('uniqueName') ?? '', vote: r.number('vote'), isContainer: r.optionalBoolean('isContainer') ?? false };
  });
}

/** The first PR of a search answer (`{ value: [...] }`), kept as `[{ pullRequestId }]` or `[]`. */
export function compactPullRequestSearch(body: unknown): unknown[] {
  return readArray(JsonReader.object(body, 'Azure DevOps pull request search').field('value'), 'Azure DevOps pull request search')
    .slice(0, 1)
    .map((pr) => pickFields(pr, { pullRequestId: true }));
}

export function firstPullRequestId(compact: unknown): number | null {
  const first = readArray(compact, 'Azure DevOps pull request search')[0];
  return first === undefined ? null : JsonReader.object(first, 'Azure DevOps pull request').number('pullRequestId');
}
