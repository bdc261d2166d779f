/**
 * One tracked branch: the public contract of the diff-status table. Other services write
 * these rows; gitsync owns the pull-request fields and its bookkeeping attributes.
 * Times are epoch milliseconds. An absent attribute means "unknown".
 */
import { isUnsettled, type HeadChecks } from './checks.ts';
import { sameValue } from './same-value.ts';

export type PullRequestState = 'open' | 'closed' | 'merged';

/** What a provider reports about one pull / merge request (with its head commit's checks: `HeadChecks`). */
export interface PullRequestStatus extends HeadChecks {
  url: string;
  pullRequestState: PullRequestState;
  pullRequestTitle: string;
  pullRequestDraft: boolean;
  changesRequested: boolean;
  /** Added and deleted lines; absent when the host cannot tell (Azure DevOps): unknown, never a made-up 0. */
  additions?: number;
  deletions?: number;
  changedFiles: number;
  authorLogin: string;
  authorAvatarUrl: string;
  baseBranch: string;
  headBranch: string;
  prNumber: number;
  commits: number;
  approved: boolean;
  reviewerCount: number;
}

/** Conditional-request validators kept with the row so 304s work across cold starts. */
export interface CachedResponse {
  etag: string;
  /** The part of the previous answer the provider needs to rebuild its result. */
  value: unknown;
}
export type ConditionalCacheEntries = Record<string, CachedResponse>;

export interface DiffStatusRow extends Partial<PullRequestStatus> {
  chatId: string;
  ownerId?: string;
  workspaceId?: string;
  gitRemoteOrigin?: string;
  gitBranch?: string;
  archived?: boolean;
  refreshedAt?: number;
  staleAt?: number;
  createdAt?: number;
  updatedAt?: number;
  /** Sparse GSI partition key: present only while the row can be polled. */
  dueShard?: string;
  /** The row's schedule in the due index, `"<periodMs>/<anchorMs>"` (see store/due-slot.ts). */
  dueSlot?: string;
  /** When the PR's status last really changed (or a push came): drives the adaptive cadence. */
  changedAt?: number;
  /** Bumped by every write-back and every push: a write-back is fenced on the version it read. */
  version?: number;
  /** Sparse `byRepoBranch` GSI key (`repoBranchKey()` of origin and branch): how a webhook finds the row. */
  repoBranchKey?: string;
  /** When the last verified webhook delivery naming this row's repository and branch was received. */
  webhookAt?: number;
  /** Since when the host has answered that it is still computing the PR's mergeability (see src/cadence/head-checks.ts). */
  mergeableUnknownSince?: number;

  /** When gitsync last asked the host about this row (whatever the answer). */
  checkedAt?: number;
  /** How that check ended (an `Outcome` of src/cadence/outcomes.ts). */
  checkOutcome?: string;
  /**
   * Sparse `byAwaitingToken` GSI key: the owner whose missing token stops this row. Linking a
   * token for that owner (`gitsync.TokenLinked`) makes these rows due at once.
   */
  awaitingToken?: string;

  // gitsync bookkeeping (documented in docs/table-contract.md)
  leaseId?: string;
  leaseExpiresAt?: number;
  lastErrorKind?: string;
  lastErrorMessage?: string;
  lastErrorAt?: number;
  errorCount?: number;
  /**
   * Legacy: the HTTP cache as rows kept it before the cache table. Read only while the table
   * has no item for the row; the row's next refresh removes it (see `refresh/http-caches.ts`).
   */
  httpCache?: ConditionalCacheEntries;
  /** Where the host moved the origin's repository (a rename or transfer), learned from its answers. */
  repoMove?: RepoMove;
}

/**
 * A repository's current path on the origin's host, valid only while the row's origin is
 * still `origin`: a push to another repository makes it void by itself.
 */
export interface RepoMove {
  origin: string;
  path: string;
}

/** Names of the PR fields a successful refresh writes, in a stable order. */
export const PULL_REQUEST_FIELDS = [
  'url',
  'pullRequestState',
  'pullRequestTitle',
  'pullRequestDraft',
  'changesRequested',
  'additions',
  'deletions',
  'changedFiles',
  'authorLogin',
  'authorAvatarUrl',
  'baseBranch',
  'headBranch',
  'prNumber',
  'commits',
  'approved',
  'reviewerCount',
  'checks',
  'mergeable',
  'headSha',
] as const satisfies readonly (keyof PullRequestStatus)[];

/** A row can be polled when it names a branch on a remote and is not archived. */
export function isPollable(row: Pick<DiffStatusRow, 'gitRemoteOrigin' | 'gitBranch' | 'archived'>): boolean {
  return Boolean(row.gitRemoteOrigin) && Boolean(row.gitBranch) && row.archived !== true;
}

/** Attributes the refresh reads, by the type they must have when present. */
const READ_ATTRIBUTES = {
  ownerId: 'string',
  gitRemoteOrigin: 'string',
  gitBranch: 'string',
  url: 'string',
  updatedAt: 'number',
  errorCount: 'number',
  changedAt: 'number',
} as const;

/**
 * Why a row cannot be refreshed as stored (an attribute of the wrong type), or null. Rows are
 * written by other services, so their shape is checked rather than trusted. gitsync's own
 * caches (`httpCache`, `repoMove`) are not checked here: a damaged one is ignored and
 * rewritten, never a reason to stop refreshing the row.
 */
export function rowProblem(row: DiffStatusRow): string | null {
  for (const [attribute, type] of Object.entries(READ_ATTRIBUTES)) {
    const value: unknown = row[attribute as keyof DiffStatusRow];
    if (value === undefined) continue;
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    if (actual !== type) return `attribute ${attribute} must be a ${type}, not ${actual}`;
  }
  return null;
}

/**
 * `status` as the row stores it: a value that is no news (`isUnsettled`: mergeability the host
 * is still computing) is replaced by the row's stored one, or left out when it has none.
 */
export function settledStatus(row: DiffStatusRow, status: PullRequestStatus): PullRequestStatus {
  const unsettled = PULL_REQUEST_FIELDS.filter((f) => isUnsettled(f, status[f]));
  if (unsettled.length === 0) return status;
  const out: Record<string, unknown> = { ...status };
  for (const f of unsettled) {
    if (row[f] === undefined || isUnsettled(f, row[f])) delete out[f];
    else out[f] = row[f];
  }
  return out as unknown as PullRequestStatus;
}

/** The PR fields whose stored value differs from `status` as settled (empty: nothing changed). */
export function changedPullRequestFields(row: DiffStatusRow, status: PullRequestStatus): (keyof PullRequestStatus)[] {
  const settled = settledStatus(row, status);
  return PULL_REQUEST_FIELDS.filter((f) => !sameValue(row[f], settled[f]));
}

/** The version a write-back fenced on `claimed`'s leaves the row at (a version that is not a number is replaced). */
export function versionAfterWrite(claimed: Pick<DiffStatusRow, 'version'>): number {
  const version: unknown = claimed.version;
  return (typeof version === 'number' && Number.isFinite(version) ? version : 0) + 1;
}
