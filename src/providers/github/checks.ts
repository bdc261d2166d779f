import { boundCheckName, isCheckVerdict, latestPerKey, summarizeChecks, type CheckVerdict, type ChecksSummary, type Mergeability } from '../../domain/checks.ts';
import type { PullRequestState } from '../../domain/row.ts';
import { ProviderError } from '../../domain/errors.ts';
import { JsonReader, readArray } from '../http/json-reader.ts';

/** One check run as kept per page: its name (cut), verdict and id (a re-run has a larger id). */
export type CheckRun = [name: string, verdict: CheckVerdict, id: number];
/** One status context of the combined status, as kept: its context (cut) and verdict. */
export type StatusContext = [context: string, verdict: CheckVerdict];

/** `conclusion`s that fail a PR's checks; `neutral`, `skipped` and `stale` count as neither. */
const FAILING_CONCLUSIONS: ReadonlySet<string> = new Set(['failure', 'timed_out', 'cancelled', 'action_required', 'startup_failure']);

/**
 * A check run's verdict: still `queued` / `in_progress` (any status but `completed`) is
 * pending; completed, its conclusion decides. A conclusion gitsync does not know is neutral:
 * it neither fails nor passes the PR.
 */
export function checkRunVerdict(status: string, conclusion: string | undefined): CheckVerdict {
  if (status !== 'completed') return 'pending';
  if (conclusion === 'success') return 'passed';
  return conclusion !== undefined && FAILING_CONCLUSIONS.has(conclusion) ? 'failed' : 'neutral';
}

/** A commit status context's verdict (`success`, `pending`, `failure`, `error`). */
export function statusVerdict(state: string): CheckVerdict {
  if (state === 'success') return 'passed';
  if (state === 'pending') return 'pending';
  return state === 'failure' || state === 'error' ? 'failed' : 'neutral';
}

/** One page of `GET .../commits/{sha}/check-runs`: the items are under `check_runs`. */
export function checkRunItems(body: unknown): unknown[] {
  return JsonReader.object(body, 'GitHub check runs').array('check_runs');
}

/** A page of check runs as kept for 304s: small tuples, names cut. */
export function compactCheckRunPage(items: readonly unknown[]): CheckRun[] {
  return items.map((item, i) => {
    const run = JsonReader.object(item, 'GitHub check runs', `check_runs.${i}`);
    return [boundCheckName(run.string('name')), checkRunVerdict(run.string('status'), run.optionalString('conclusion')), run.number('id')];
  });
}

export function readCheckRunPage(compact: unknown): CheckRun[] {
  return readArray(compact, 'cached GitHub check runs').map((entry) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !isCheckVerdict(entry[1]) || typeof entry[2] !== 'number') {
      throw new ProviderError('unexpected cached GitHub check runs answer: an entry should be [name, verdict, id]');
    }
    return [entry[0], entry[1], entry[2]];
  });
}

/**
 * The combined status as kept for 304s: its contexts (latest per context already, as GitHub
 * folds them) and `total_count`, so a list longer than the page read is told apart.
 */
export function compactCombinedStatus(body: unknown): { s: StatusContext[]; n: number } {
  const combined = JsonReader.object(body, 'GitHub combined status');
  const statuses = combined.array('statuses').map((item, i): StatusContext => {
    const status = JsonReader.object(item, 'GitHub combined status', `statuses.${i}`);
    return [boundCheckName(status.string('context')), statusVerdict(status.string('state'))];
  });
  return { s: statuses, n: combined.number('total_count') };
}

export function readCombinedStatus(compact: unknown): { s: StatusContext[]; n: number } {
  const stored = JsonReader.object(compact, 'cached GitHub combined status');
  const s = stored.array('s').map((entry): StatusContext => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !isCheckVerdict(entry[1])) {
      throw new ProviderError('unexpected cached GitHub combined status answer: an entry should be [context, verdict]');
    }
    return [entry[0], entry[1]];
  });
  return { s, n: stored.number('n') };
}

/**
 * The head commit's checks: its check runs (the latest run per name: a re-run replaces the
 * run before it) and its commit statuses, folded into one summary. Pure.
 */
export function foldChecks(runs: readonly CheckRun[], statuses: readonly StatusContext[]): ChecksSummary {
  return summarizeChecks([
    ...latestPerKey(runs.map(([name, verdict, id]) => ({ key: name, name, verdict, order: id }))),
    ...statuses.map(([name, verdict]) => ({ name, verdict })),
  ]);
}

/**
 * A PR's `mergeable_state` as gitsync tells it. `dirty` is conflicts; `unstable` (mergeable,
 * but checks that are not required fail) and `has_hooks` (mergeable, Enterprise hooks pass)
 * are clean: the failing checks show in `checks`, and `blocked` is kept for what stops a
 * merge. Absent, null or a state gitsync does not know is `unknown` (GitHub computes it
 * lazily). Only an open PR has mergeability: a closed or merged one has none (undefined).
 */
export function mergeabilityOf(mergeableState: string | undefined, state: PullRequestState): Mergeability | undefined {
  if (state !== 'open') return undefined;
  switch (mergeableState) {
    case 'clean':
    case 'unstable':
    case 'has_hooks':
      return 'clean';
    case 'dirty':
      return 'conflicts';
    case 'blocked':
    case 'behind':
    case 'draft':
      return mergeableState;
    default:
      return 'unknown';
  }
}
