import { isHeadSha } from '../../domain/checks.ts';
import type { PullRequestState } from '../../domain/row.ts';
import { JsonReader } from '../http/json-reader.ts';
import { pickFields, type FieldSpec } from '../http/pick.ts';
import type { ReviewSummary } from '../review-summary.ts';
import type { VersionedPullRequest as PullRequestFields } from '../version-stats.ts';

/** The fields of `GET .../pullrequests/{id}` the mapping reads (kept for 304s); participants are cut down apart. */
const PULL_REQUEST_FIELDS: FieldSpec = {
  id: true,
  title: true,
  state: true,
  draft: true,
  author: { display_name: true, nickname: true, links: { avatar: { href: true } } },
  source: { branch: { name: true }, commit: { hash: true } },
  destination: { branch: { name: true }, commit: { hash: true } },
  links: { html: { href: true } },
};

const PARTICIPANT_FIELDS: FieldSpec = { role: true, approved: true, state: true, user: { display_name: true, nickname: true, account_id: true, uuid: true } };


const STATES: Record<string, PullRequestState> = { OPEN: 'open', MERGED: 'merged', DECLINED: 'closed', SUPERSEDED: 'closed' };

/** The answer cut down to what `readPullRequest` reads. */
export function compactPullRequest(body: unknown): unknown {
  const picked = pickFields(body, PULL_REQUEST_FIELDS);
  const participants = typeof body === 'object' && body !== null ? (body as { participants?: unknown }).participants : undefined;
  return Array.isArray(participants) ? { ...(picked as object), participants: participants.map((p) => pickFields(p, PARTICIPANT_FIELDS)) } : picked;
}

export function readPullRequest(value: unknown): PullRequestFields {
  const pr = JsonReader.object(value, 'Bitbucket Cloud pull request');
  const state = pr.oneOf('state', STATES);
  const author = pr.optionalObject('author');
  const source = pr.object('source');
  const destination = pr.object('destination');
  return {
    status: {
      pullRequestState: state,
      pullRequestTitle: pr.string('title'),
      pullRequestDraft: pr.optionalBoolean('draft') ?? false,
      authorLogin: author?.optionalString('nickname') ?? author?.optionalString('display_name') ?? '',
      authorAvatarUrl: author?.optionalObject('links')?.optionalObject('avatar')?.optionalString('href') ?? '',
      baseBranch: destination.object('branch').string('name'),
      headBranch: source.object('branch').string('name'),
      prNumber: pr.number('id'),
      ...headShaOf(commitHash(source)),
      ...summarizeParticipants(pr.field('participants') === undefined ? [] : pr.array('participants')),
    },
    diffVersion: `${commitHash(destination)}..${commitHash(source)}`,
    webUrl: pr.optionalObject('links')?.optionalObject('html')?.optionalString('href'),
  };
}

/** The head commit (Bitbucket names it by its first 12 hex digits; the statuses API takes that form). */
function headShaOf(hash: string): { headSha?: string } {
  return isHeadSha(hash) ? { headSha: hash.toLowerCase() } : {};
}

function commitHash(side: JsonReader): string {
  return side.optionalObject('commit')?.optionalString('hash') ?? '';
}

/**
 * Participants' decisions: `state` `approved` / `changes_requested` (older answers only have
 * `approved`). Changes requested when anyone requests them; approved when someone approves
 * and nobody requests changes; the count is the participants who decided, as on GitHub.
 */
export function summarizeParticipants(participants: readonly unknown[]): ReviewSummary {
  let approvals = 0;
  let changes = 0;
  participants.forEach((entry, i) => {
    const p = JsonReader.object(entry, 'Bitbucket Cloud pull request', `participants.${i}`);
    const state = p.optionalString('state');
    if (state === 'changes_requested') changes++;
    else if (state === 'approved' || p.optionalBoolean('approved') === true) approvals++;
  });
  return { changesRequested: changes > 0, approved: changes === 0 && approvals > 0, reviewerCount: approvals + changes };
}
