import { isHeadSha, summarizeChecks, type CheckVerdict, type ChecksSummary, type Mergeability } from '../../domain/checks.ts';
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
  head_pipeline: { sha: true, status: true, name: true },
  detailed_merge_status: true,
  merge_status: true,
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
  const stateText = mr.string('state');
  const state = STATES[stateText];
  if (!state) throw new ProviderError(`unexpected GitLab merge request answer: field state has unknown value ${JSON.stringify(stateText)}`);
  const author = mr.optionalObject('author');
  const refs = mr.optionalObject('diff_refs');
  const head = headSha(refs?.optionalString('head_sha'), mr.optionalString('sha'));
  const mergeable = state === 'open' ? mergeabilityOf(mr.optionalString('detailed_merge_status'), mr.optionalString('merge_status')) : undefined;
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
      ...(isHeadSha(head) ? { headSha: head.toLowerCase(), checks: pipelineChecks(mr.optionalObject('head_pipeline')) } : {}),
      ...(mergeable ? { mergeable } : {}),
    },
    changedFilesReported: parseChangesCount(mr.optionalString('changes_count')),
    diffVersion: `${refs?.optionalString('base_sha') ?? ''}..${head}`,
    webUrl: mr.optionalString('web_url'),
  };
}

/** `diff_refs.head_sha` can be empty while the MR's `sha` is set. */
export function headSha(diffRefsHead: string | undefined, sha: string | undefined): string {
  return diffRefsHead || sha || '';
}

/**
 * The head pipeline as the MR's checks: GitLab tells one pipeline's status, not its jobs, so
 * it is one check (named by the pipeline's `name`, else "pipeline"); no head pipeline is no
 * CI. The head pipeline is GitLab's own choice for the MR's head: a merged-results or merge
 * train pipeline runs on a merge commit, so its `sha` is not compared with the head's.
 */
export function pipelineChecks(pipeline: JsonReader | undefined): ChecksSummary {
  if (!pipeline) return summarizeChecks([]);
  return summarizeChecks([{ name: pipeline.optionalString('name') ?? 'pipeline', verdict: pipelineVerdict(pipeline.string('status')) }]);
}

/**
 * A pipeline status's verdict: `canceled` fails like a failure; `skipped` and `manual` (it
 * waits for a person, not for CI) are neutral; every state on its way to running is pending.
 */
export function pipelineVerdict(status: string): CheckVerdict {
  switch (status) {
    case 'success':
      return 'passed';
    case 'failed':
    case 'canceled':
      return 'failed';
    case 'created':
    case 'waiting_for_resource':
    case 'preparing':
    case 'pending':
    case 'running':
    case 'scheduled':
      return 'pending';
    default:
      return 'neutral';
  }
}

/** `detailed_merge_status` values that mean GitLab is still computing (or syncing) it. */
const COMPUTING: ReadonlySet<string> = new Set(['checking', 'unchecked', 'approvals_syncing', 'preparing']);

/**
 * An open MR's mergeability from `detailed_merge_status` (GitLab 15.6+): `mergeable` is clean,
 * `conflict` / `broken_status` conflicts, `need_rebase` behind, `draft_status` draft, the
 * states still being computed unknown, and every other reason (approvals, discussions,
 * required pipeline, external checks, blocking MRs, ...) blocked. Older servers only send
 * `merge_status`: `can_be_merged` clean, `cannot_be_merged` conflicts, else unknown.
 */
export function mergeabilityOf(detailed: string | undefined, mergeStatus: string | undefined): Mergeability {
  if (detailed === undefined) return mergeStatus === 'can_be_merged' ? 'clean' : mergeStatus === 'cannot_be_merged' ? 'conflicts' : 'unknown';
  if (COMPUTING.has(detailed)) return 'unknown';
  switch (detailed) {
    case 'mergeable':
      return 'clean';
    case 'conflict':
    case 'broken_status':
      return 'conflicts';
    case 'need_rebase':
      return 'behind';
    case 'draft_status':
      return 'draft';
    default:
      return 'blocked';
  }
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
