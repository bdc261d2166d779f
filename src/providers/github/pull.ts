import { isHeadSha, isMergeability } from '../../domain/checks.ts';
import type { PullRequestState, PullRequestStatus } from '../../domain/row.ts';
import { JsonReader, readArray } from '../http/json-reader.ts';
import { pickFields, type FieldSpec } from '../http/pick.ts';
import { mergeabilityOf } from './checks.ts';
import type { ReviewSummary } from '../review-summary.ts';

/** The fields of `GET /repos/{o}/{r}/pulls/{n}` the mapping reads (kept for 304s). */
export const PULL_FIELDS: FieldSpec = {
  number: true,
  html_url: true,
  state: true,
  merged: true,
  merged_at: true,
  title: true,
  draft: true,
  additions: true,
  deletions: true,
  changed_files: true,
  commits: true,
  user: { login: true, avatar_url: true },
  base: { ref: true },
  head: { ref: true, sha: true },
  mergeable_state: true,
};

export type PullFields = Omit<PullRequestStatus, 'url' | keyof ReviewSummary | 'checks'> & {
  /** Where GitHub says the PR lives (`html_url`): the new path of a renamed repository. */
  webUrl: string | undefined;
};

/**
 * Maps a (compact) pull request; `mergeable` is not read, so its lazy `null` is harmless
 * (`mergeable_state` tells the same, and `unknown` while GitHub computes it). A head `sha`
 * that is no commit id is left out: no checks are asked for it.
 */
export function readPull(value: unknown): PullFields {
  const pr = JsonReader.object(value, 'GitHub pull request');
  const user = pr.optionalObject('user');
  const state = pullState(pr);
  const head = pr.object('head');
  const sha = head.optionalString('sha');
  const mergeable = mergeabilityOf(pr.optionalString('mergeable_state'), state);
  return {
    pullRequestState: state,
    pullRequestTitle: pr.string('title'),
    pullRequestDraft: pr.optionalBoolean('draft') ?? false,
    additions: pr.number('additions'),
    deletions: pr.number('deletions'),
    changedFiles: pr.number('changed_files'),
    commits: pr.number('commits'),
    authorLogin: user?.string('login') ?? '',
    authorAvatarUrl: user?.optionalString('avatar_url') ?? '',
    baseBranch: pr.object('base').string('ref'),
    headBranch: head.string('ref'),
    prNumber: pr.number('number'),
    ...(isHeadSha(sha) ? { headSha: sha.toLowerCase() } : {}),
    ...(mergeable ? { mergeable } : {}),
    webUrl: pr.optionalString('html_url'),
  };
}

/** The fields of `PullFields` the row stores as they are (all but `webUrl`, which the row's `url` stands for). */
const ROW_FIELDS = {
  pullRequestState: 'string',
  pullRequestTitle: 'string',
  pullRequestDraft: 'boolean',
  additions: 'number',
  deletions: 'number',
  changedFiles: 'number',
  commits: 'number',
  authorLogin: 'string',
  authorAvatarUrl: 'string',
  baseBranch: 'string',
  headBranch: 'string',
  prNumber: 'number',
} as const satisfies Record<Exclude<keyof PullFields, 'webUrl' | keyof typeof OPTIONAL_ROW_FIELDS>, 'string' | 'number' | 'boolean'>;

/** The fields of `PullFields` the row may lack (a closed PR has no mergeability), each with its check when present. */
const OPTIONAL_ROW_FIELDS = { headSha: isHeadSha, mergeable: isMergeability } as const;

/** What of a pull the row stores, `url` the one built from its `webUrl`: the part a row-backed 304 is checked against. */
export function pullRowFields({ webUrl: _, ...fields }: PullFields, url: string): Record<string, unknown> {
  return { ...fields, url };
}

/**
 * The pull `number` as the row's fields hold it, or undefined when they do not (another PR,
 * a field missing or of the wrong type). The row's `url` was built from `html_url`, so it
 * stands for it: it names the same PR and the same repository.
 */
export function pullFromRow(stored: Readonly<Partial<Record<string, unknown>>> | undefined, number: number): PullFields | undefined {
  if (!stored || stored['prNumber'] !== number || !['open', 'closed', 'merged'].includes(stored['pullRequestState'] as string)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(ROW_FIELDS)) {
    if (typeof stored[field] !== type) return undefined;
    out[field] = stored[field];
  }
  for (const [field, usable] of Object.entries(OPTIONAL_ROW_FIELDS)) {
    if (stored[field] === undefined) continue;
    if (!usable(stored[field])) return undefined;
    out[field] = stored[field];
  }
  out['webUrl'] = typeof stored['url'] === 'string' ? stored['url'] : undefined;
  return out as PullFields;
}

function pullState(pr: JsonReader): PullRequestState {
  const state = pr.string('state');
  if (state === 'open') return 'open';
  const merged = pr.optionalBoolean('merged') ?? pr.optionalString('merged_at') !== undefined;
  return merged ? 'merged' : 'closed';
}

/** The first pull request of a search answer, kept as `[{ number }]` or `[]`. */
export function compactPullSearch(body: unknown): unknown[] {
  return readArray(body, 'GitHub pull request search')
    .slice(0, 1)
    .map((pr) => pickFields(pr, { number: true }));
}

export function firstPullNumber(compact: unknown): number | null {
  const first = readArray(compact, 'GitHub pull request search')[0];
  return first === undefined ? null : JsonReader.object(first, 'GitHub pull request').number('number');
}
