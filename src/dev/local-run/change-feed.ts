import type { DiffStatusRow } from '../../domain/row.ts';
import { parseRemote } from '../../providers/origin.ts';
import { nearestRank } from '../nearest-rank.ts';

/** The attributes the feed reads. */
export type FeedRow = Pick<
  DiffStatusRow,
  | 'chatId'
  | 'gitRemoteOrigin'
  | 'gitBranch'
  | 'refreshedAt'
  | 'webhookAt'
  | 'pullRequestState'
  | 'pullRequestDraft'
  | 'pullRequestTitle'
  | 'approved'
  | 'changesRequested'
  | 'additions'
  | 'deletions'
  | 'checks'
  | 'mergeable'
>;

export type ChangePath = 'webhook' | 'polling';

/** One change as it landed in a row. */
export interface FeedEntry {
  chatId: string;
  /** What the row shows differently, e.g. `open -> merged, +12/-3`. */
  what: string;
  /** `webhook`: a delivery arrived after the row's previous refresh and before this one. */
  path: ChangePath;
  /** From the host's change to the row's write-back. */
  afterChangeMs: number;
}

interface Shown {
  refreshedAt: number | undefined;
  status: string;
  fields: FeedRow;
}

const statusOf = (r: FeedRow) =>
  JSON.stringify([r.pullRequestState, r.pullRequestDraft, r.pullRequestTitle, r.approved, r.changesRequested, r.additions, r.deletions, checksOf(r), r.mergeable]);

/** The checks as the feed shows them: `success 3/3`, `failure 2/3 (test)`, `pending 1/3`. */
function checksOf(r: FeedRow): string | undefined {
  const c = r.checks;
  if (typeof c !== 'object' || c === null) return undefined;
  const failing = Array.isArray(c.failing) && c.failing.length > 0 ? ` (${c.failing.join(', ')})` : '';
  return `${c.state} ${c.passed}/${c.total}${failing}`;
}

/**
 * Follows the changes a simulated host makes (per repository and head branch) into the rows:
 * each time a row's stored status changes after a host change it had not shown yet, one entry
 * with the path that brought it and how long after the (earliest unshown) change it landed.
 */
export class ChangeFeed {
  readonly #changes = new Map<string, number[]>();
  readonly #shown = new Map<string, Shown>();
  readonly #samples: Record<ChangePath, number[]> = { webhook: [], polling: [] };

  /** The host changed the pull request of the repository at `origin` (as rows name it) and `branch` at `at`. */
  recordChange(origin: string, branch: string, at: number): void {
    const key = changeKey(origin, branch);
    if (key !== null) this.#changes.set(key, [...(this.#changes.get(key) ?? []), at]);
  }

  observe(rows: readonly FeedRow[]): FeedEntry[] {
    const entries: FeedEntry[] = [];
    for (const row of rows) {
      const before = this.#shown.get(row.chatId);
      const status = statusOf(row);
      this.#shown.set(row.chatId, { refreshedAt: row.refreshedAt, status, fields: row });
      if (!before || row.refreshedAt === undefined || row.refreshedAt === before.refreshedAt || status === before.status) continue;
      const key = row.gitRemoteOrigin && row.gitBranch ? changeKey(row.gitRemoteOrigin, row.gitBranch) : null;
      const changes = key === null ? undefined : this.#changes.get(key);
      const since = before.refreshedAt ?? -Infinity;
      const first = changes?.find((at) => at > since && at <= row.refreshedAt!);
      // A status change without a recorded host change (the first sweep of seeded rows) is no sample.
      if (first === undefined) continue;
      const path: ChangePath = row.webhookAt !== undefined && row.webhookAt > since && row.webhookAt <= row.refreshedAt ? 'webhook' : 'polling';
      const afterChangeMs = row.refreshedAt - first;
      this.#samples[path].push(afterChangeMs);
      entries.push({ chatId: row.chatId, what: describeChange(before.fields, row), path, afterChangeMs });
    }
    return entries;
  }

  /** Change-to-row times, of one path or of both. */
  samples(path?: ChangePath): number[] {
    return path ? [...this.#samples[path]] : [...this.#samples.webhook, ...this.#samples.polling];
  }
}

function describeChange(a: FeedRow, b: FeedRow): string {
  const parts: string[] = [];
  const state = (r: FeedRow) => (r.pullRequestState === 'open' && r.pullRequestDraft ? 'draft' : (r.pullRequestState ?? 'no PR'));
  if (state(a) !== state(b)) parts.push(`${state(a)} -> ${state(b)}`);
  if (a.approved !== b.approved && b.approved) parts.push('approved');
  if (Boolean(a.changesRequested) !== Boolean(b.changesRequested)) parts.push(b.changesRequested ? 'changes requested' : 'changes no longer requested');
  if (a.additions !== b.additions || a.deletions !== b.deletions) parts.push(`+${b.additions ?? 0}/-${b.deletions ?? 0}`);
  if (a.pullRequestTitle !== b.pullRequestTitle && a.pullRequestTitle !== undefined) parts.push('new title');
  if (checksOf(a) !== checksOf(b) && checksOf(b) !== undefined) parts.push(`checks ${checksOf(b)}`);
  if (a.mergeable !== b.mergeable && b.mergeable !== undefined && b.mergeable !== 'draft') parts.push(b.mergeable);
  return parts.join(', ') || 'updated';
}

export interface PathQuantiles {
  p50Ms: number | null;
  p99Ms: number | null;
}

export function pathQuantiles(samples: readonly number[]): PathQuantiles {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50Ms: nearestRank(sorted, 0.5) ?? null, p99Ms: nearestRank(sorted, 0.99) ?? null };
}

/** Repository path (lower case) and branch of an origin: what a change and a row are matched by. */
function changeKey(origin: string, branch: string): string | null {
  const remote = parseRemote(origin);
  return remote ? `${remote.segments.join('/').toLowerCase()} ${branch}` : null;
}
