import type { PullRequestState } from './row.ts';

/**
 * CI checks and mergeability of a pull request's head commit: what a PR card shows next to
 * "approved". One shape for every host type; each provider maps its host's answers onto it.
 */

/** `neutral`: every check skipped or neutral; `none`: no CI at all on the head commit. */
export const CHECK_STATES = ['success', 'failure', 'pending', 'neutral', 'none'] as const;
export type CheckState = (typeof CHECK_STATES)[number];

/** The head commit's checks, folded into counts (a push resets them: they are the new head's). */
export interface ChecksSummary {
  state: CheckState;
  total: number;
  passed: number;
  failed: number;
  pending: number;
  /** Names of failing checks, at most `MAX_FAILING_NAMES`, each at most `MAX_CHECK_NAME_LENGTH` characters. */
  failing: string[];
}

/**
 * `blocked`: required reviews or checks missing; `unknown`: the host is still computing it.
 * `unknown` is never stored as a change (see `settledStatus` in row.ts): the row keeps what it knew.
 */
export const MERGEABILITIES = ['clean', 'conflicts', 'blocked', 'behind', 'draft', 'unknown'] as const;
export type Mergeability = (typeof MERGEABILITIES)[number];

/**
 * The checks fields of a pull request's status. Each is absent when the host type cannot
 * tell (not yet mapped for it, or the host did not answer that part): absent means unknown.
 */
export interface HeadChecks {
  checks?: ChecksSummary;
  mergeable?: Mergeability;
  /** The commit `checks` belong to. */
  headSha?: string;
}

export const MAX_FAILING_NAMES = 5;
export const MAX_CHECK_NAME_LENGTH = 100;
/** Longest commit id kept (a SHA-256 object name is 64 hex digits). */
export const MAX_SHA_LENGTH = 64;

/** How one check (a run, a status context, a pipeline) ended or stands, host terms mapped. */
export const CHECK_VERDICTS = ['passed', 'failed', 'pending', 'neutral'] as const;
export type CheckVerdict = (typeof CHECK_VERDICTS)[number];

export function isCheckVerdict(value: unknown): value is CheckVerdict {
  return (CHECK_VERDICTS as readonly unknown[]).includes(value);
}

/** A host's check states mapped to verdicts; a state not listed is `neutral` (it neither fails nor passes a PR). */
export type VerdictTable = Readonly<Record<string, CheckVerdict>>;

export function verdictIn(table: VerdictTable, state: string): CheckVerdict {
  return Object.hasOwn(table, state) ? table[state]! : 'neutral';
}

/**
 * The summary of a head commit's checks, each given by its name and verdict. Pure. The
 * state is `failure` when any check failed, else `pending` while any runs, else `success`
 * when any passed, `neutral` when all were skipped or neutral, `none` without checks.
 */
export function summarizeChecks(checks: readonly { name: string; verdict: CheckVerdict }[]): ChecksSummary {
  const count = (verdict: CheckVerdict) => checks.filter((c) => c.verdict === verdict).length;
  const passed = count('passed');
  const failed = count('failed');
  const pending = count('pending');
  const state: CheckState =
    checks.length === 0 ? 'none' : failed > 0 ? 'failure' : pending > 0 ? 'pending' : passed > 0 ? 'success' : 'neutral';
  const failing = checks.filter((c) => c.verdict === 'failed').map((c) => c.name);
  return { state, total: checks.length, passed, failed, pending, failing: boundNames(failing) };
}

/**
 * One report of a check as a host lists them: `key` identifies the check (a re-run or a new
 * report under the same key replaces the one before), `name` is what people see, `order`
 * places the report in time (an id or a timestamp: larger is later).
 */
export interface CheckReport {
  key: string;
  name: string;
  verdict: CheckVerdict;
  order: number;
}

/**
 * The latest report per key, as `summarizeChecks` takes them, in the order their keys first
 * appear. Pure. Hosts that keep every report of a check (Bitbucket Data Center's builds,
 * Azure DevOps' pull-request statuses, GitHub's re-run check runs) fold through this.
 */
export function latestPerKey(reports: readonly CheckReport[]): { name: string; verdict: CheckVerdict }[] {
  const latest = new Map<string, CheckReport>();
  for (const report of reports) {
    const seen = latest.get(report.key);
    if (!seen || report.order > seen.order) latest.set(report.key, report);
  }
  return [...latest.values()].map(({ name, verdict }) => ({ name, verdict }));
}

/** At most `MAX_FAILING_NAMES` names, each cut by `boundCheckName`. */
function boundNames(names: readonly string[]): string[] {
  return names.slice(0, MAX_FAILING_NAMES).map(boundCheckName);
}

/** A check's name cut to `MAX_CHECK_NAME_LENGTH` characters (ending with "…" when cut). */
export function boundCheckName(name: string): string {
  return name.length > MAX_CHECK_NAME_LENGTH ? `${name.slice(0, MAX_CHECK_NAME_LENGTH - 1)}…` : name;
}

/**
 * A stored `checks` value as gitsync can use it, or undefined when it is unusable (another
 * writer stored something else): counts must be whole numbers >= 0 and the state one of
 * `CHECK_STATES`; an over-long `failing` list or name is cut, not refused.
 */
export function readChecks(value: unknown): ChecksSummary | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (!(CHECK_STATES as readonly unknown[]).includes(v.state)) return undefined;
  const counts = [v.total, v.passed, v.failed, v.pending];
  if (!counts.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) return undefined;
  if (!Array.isArray(v.failing) || !v.failing.every((n) => typeof n === 'string')) return undefined;
  return {
    state: v.state as CheckState,
    total: v.total as number,
    passed: v.passed as number,
    failed: v.failed as number,
    pending: v.pending as number,
    failing: boundNames(v.failing as string[]),
  };
}

/**
 * A pull request's mergeability on a host that tells it apart from its state: a closed or
 * merged PR has none (undefined), a draft is `draft` (it cannot be merged as it is) and only
 * an open, ready PR is asked `ofOpen`, the host's own answer (which may cost a request).
 */
export async function mergeabilityOf(state: PullRequestState, draft: boolean, ofOpen: () => Mergeability | Promise<Mergeability>): Promise<Mergeability | undefined> {
  if (state !== 'open') return undefined;
  return draft ? 'draft' : ofOpen();
}

export function isMergeability(value: unknown): value is Mergeability {
  return (MERGEABILITIES as readonly unknown[]).includes(value);
}

/** A usable `headSha`: a non-empty hex commit id. */
export function isHeadSha(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_SHA_LENGTH && /^[0-9a-f]+$/i.test(value);
}

/**
 * Whether a reported value is no news: `mergeable: 'unknown'` means the host has not finished
 * computing, so the stored value stays (and the row is asked again soon, src/cadence).
 */
export function isUnsettled(field: string, value: unknown): boolean {
  return field === 'mergeable' && value === 'unknown';
}
