import { DeadlineExceeded, RateLimitedError, type RefreshError, type RefreshErrorKind } from '../domain/errors.ts';
import { changedPullRequestFields, type DiffStatusRow } from '../domain/row.ts';
import { scheduledAt, type Schedule } from '../store/due-slot.ts';
import { OUTCOME_OF_ERROR, type Outcome } from './outcomes.ts';
import type { RefreshResult } from '../domain/refresh-result.ts';
import { pollInterval, safetyInterval } from './adaptive-interval.ts';
import { headChecksCadence } from './head-checks.ts';
import { hostKey } from '../providers/host.ts';
import { parseRemote } from '../providers/origin.ts';
import type { CadencePolicy } from './policy.ts';

/** The hosts sending webhooks now, each with the safety interval of its PRs (`webhookHostsAt`). */
export type WebhookHosts = ReadonlyMap<string, number>;

/** The bookkeeping a row's schedule carries besides `staleAt`. */
export type CadenceAttribute =
  | 'errorCount'
  | 'lastErrorKind'
  | 'lastErrorMessage'
  | 'lastErrorAt'
  | 'changedAt'
  | 'checkedAt'
  | 'checkOutcome'
  | 'awaitingToken'
  | 'mergeableUnknownSince';

export interface NextDue {
  outcome: Outcome;
  /**
   * Where the row goes in the due index: every `periodMs` for a steady outcome (a refresh,
   * no PR, no token: the slot, and so the index, stays put while the period does), once at
   * an instant for a backoff, a rate-limit reset or a release.
   */
  schedule: Schedule;
  /** The row's next `staleAt` as planned (the store keeps it on the slot's grid). */
  staleAt: number;
  set: Partial<Pick<DiffStatusRow, CadenceAttribute>>;
  remove: CadenceAttribute[];
}

const LAST_ERROR = ['lastErrorKind', 'lastErrorMessage', 'lastErrorAt'] as const;
const MAX_ERROR_MESSAGE = 500;
/** Stored kinds of an earlier time-out: a row that runs out of time again backs off. */
const TIMED_OUT: ReadonlySet<string> = new Set<RefreshErrorKind>(['deadline_exceeded', 'slow_host']);

/**
 * When a refreshed row is next due, and the bookkeeping that goes with it. Pure: the clock,
 * the random source (backoff jitter, in [0, 1)) and the hosts that send webhooks now
 * (`webhookHostsAt`) are passed in. A PR (open, merged or closed) or a branch without one on
 * such a host is polled at most at the host's safety cadence: its changes arrive as deliveries.
 */
export function nextDue(
  row: DiffStatusRow,
  result: RefreshResult,
  now: number,
  policy: CadencePolicy,
  random: () => number,
  webhookHosts: WebhookHosts = NO_HOSTS,
): NextDue {
  const cleared: CadenceAttribute[] = ['errorCount', ...LAST_ERROR];
  switch (result.kind) {
    case 'refreshed': {
      // The PR's last real change drives the interval: now when this refresh found one.
      const changedAt = changedPullRequestFields(row, result.status).length > 0 ? now : lastKnownChange(row, now);
      const adaptive = pollInterval(result.status.pullRequestState, changedAt, now, policy);
      // A PR on a host that sends webhooks, in any state: its changes (a reopen too) arrive as
      // deliveries, polling is a safety net, which relaxes as the PR stays quiet.
      const hostSafety = webhookHosts.get(hostOfUrl(result.status.url) ?? '');
      const safety = hostSafety === undefined ? undefined : safetyInterval(hostSafety, changedAt, now, policy);
      // Pending checks and mergeability still being computed ask for a sooner look.
      const head = headChecksCadence(row, result.status, now, policy);
      const every = Math.min(safety === undefined ? adaptive : Math.max(adaptive, safety), head.withinMs ?? Infinity);
      const unknownSince = head.mergeableUnknownSince;
      const set = { ...(changedAt === row.changedAt ? {} : { changedAt }), ...(unknownSince !== undefined && unknownSince !== row.mergeableUnknownSince ? { mergeableUnknownSince: unknownSince } : {}) };
      const remove: CadenceAttribute[] = unknownSince === undefined && row.mergeableUnknownSince !== undefined ? [...cleared, 'mergeableUnknownSince'] : cleared;
      return checked(row, now, due('refreshed', { kind: 'every', periodMs: every, from: now }, set, remove));
    }
    case 'no_pr': {
      const changedAt = lastKnownChange(row, now);
      const soon = noPullRequestDelay(now, row.updatedAt, policy);
      const adaptive = pollInterval('no_pr', changedAt, now, policy);
      // On a host that sends webhooks the PR's opening is delivered ("opened" names the head
      // branch), so the branch waits for that delivery: polling is only a safety net against
      // a lost one, pushes or not.
      const every = originOnHosts(row.gitRemoteOrigin, webhookHosts)
        ? Math.max(adaptive, policy.webhookNoPullRequestMs)
        : soon === policy.noPullRequestSoonMs ? soon : adaptive;
      return checked(row, now, due('no_pr', { kind: 'every', periodMs: every, from: now }, changedAt === row.changedAt ? {} : { changedAt }, cleared));
    }
    case 'failed': {
      const after = afterFailure(row, result.error, now, policy, random);
      // A row released before its turn came was not checked: nothing asked the host.
      return after.outcome === 'released' && !(result.error instanceof DeadlineExceeded && result.error.inFlight) ? after : checked(row, now, after);
    }
  }
}

/**
 * Every check records when it happened and how it ended (`checkedAt`, `checkOutcome`), and
 * whether the row now waits for its owner's token (`awaitingToken`, the sparse index a
 * linked token reads): a row never looks unchecked, nor overdue, while gitsync keeps it.
 */
function checked(row: DiffStatusRow, now: number, next: NextDue): NextDue {
  const waitsFor = next.outcome === 'no_token' && typeof row.ownerId === 'string' && row.ownerId !== '' ? row.ownerId : undefined;
  const set: NextDue['set'] = { ...next.set, checkedAt: now, checkOutcome: next.outcome, ...(waitsFor ? { awaitingToken: waitsFor } : {}) };
  const remove: CadenceAttribute[] = !waitsFor && row.awaitingToken !== undefined ? [...next.remove, 'awaitingToken'] : next.remove;
  return { ...next, set, remove };
}

function due(outcome: Outcome, schedule: Schedule, set: NextDue['set'], remove: CadenceAttribute[]): NextDue {
  return { outcome, schedule, staleAt: scheduledAt(schedule), set, remove };
}

/** When the row last changed as far as it records; a row from before `changedAt` existed uses its last push or refresh. */
function lastKnownChange(row: DiffStatusRow, now: number): number {
  return row.changedAt ?? row.updatedAt ?? now;
}

const NO_HOSTS: WebhookHosts = new Map();

function hostOfUrl(url: string): string | undefined {
  return URL.canParse(url) ? hostKey(new URL(url)) : undefined;
}

/** Whether a row's origin is on one of `hosts`; an ssh origin's port is ssh's, so it matches on the hostname. */
function originOnHosts(origin: string | undefined, hosts: WebhookHosts): boolean {
  if (hosts.size === 0 || typeof origin !== 'string') return false;
  const remote = parseRemote(origin);
  if (!remote) return false;
  if (!remote.ssh) return hosts.has(remote.host);
  for (const host of hosts.keys()) if (host.replace(/:\d+$/, '') === remote.host) return true;
  return false;
}

/**
 * The hosts whose PRs poll at a safety cadence at `now`: those configured with
 * `"webhooks": true`, and those whose last verified delivery is within the active window.
 * When deliveries stop, the host drops out after the window and polling goes back to normal.
 * A host with a GitHub App (`appHosts`: its failed deliveries are sent again) polls at
 * `appSafetyTtlMs`, any other at `webhookSafetyTtlMs`.
 */
export function webhookHostsAt(
  now: number,
  configured: Iterable<string>,
  lastDeliveries: ReadonlyMap<string, number>,
  policy: CadencePolicy,
  appHosts: ReadonlySet<string> = new Set(),
): Map<string, number> {
  const sending = new Set(configured);
  for (const [host, at] of lastDeliveries) if (now - at <= policy.webhookActiveWindowMs) sending.add(host);
  return new Map([...sending].map((host) => [host, appHosts.has(host) ? policy.appSafetyTtlMs : policy.webhookSafetyTtlMs]));
}

function afterFailure(row: DiffStatusRow, error: RefreshError, now: number, policy: CadencePolicy, random: () => number): NextDue {
  const outcome = OUTCOME_OF_ERROR[error.kind];
  const inFlight = error instanceof DeadlineExceeded && error.inFlight;
  // Its turn never came before the deadline: due again at once, for the next tick; nothing went wrong.
  if (outcome === 'released' && !inFlight) return due('released', { kind: 'once', at: now }, {}, []);
  const lastError = { lastErrorKind: error.kind, lastErrorMessage: error.message.slice(0, MAX_ERROR_MESSAGE), lastErrorAt: now };
  const errorCount = (typeof row.errorCount === 'number' ? row.errorCount : 0) + 1;
  if (outcome === 'released') {
    // Still in flight at the deadline: at once the first time (the batch was simply long); a
    // repeat means the row's host keeps eating the budget, so it waits like any failure.
    const repeated = TIMED_OUT.has(row.lastErrorKind ?? '');
    return due(outcome, { kind: 'once', at: now + (repeated ? errorDelay(errorCount, random, policy) : 0) }, { ...lastError, errorCount }, []);
  }
  switch (outcome) {
    case 'no_token': {
      // Steady until a token is linked (which makes the row due at once): a long safety period
      // keeps the row's slot (and the index) put, and a repeat keeps the stamp of when it began.
      const repeat = row.lastErrorKind === error.kind && row.lastErrorMessage === lastError.lastErrorMessage;
      return due(outcome, { kind: 'every', periodMs: policy.noTokenMs, from: now }, repeat ? {} : lastError, ['errorCount']);
    }
    case 'rate_limited': {
      const resetAt = error instanceof RateLimitedError ? error.resetAt : now;
      return due(outcome, { kind: 'once', at: rateLimitedUntil(now, resetAt, policy) }, lastError, []);
    }
    default: {
      return due('error', { kind: 'once', at: now + errorDelay(errorCount, random, policy) }, { ...lastError, errorCount }, []);
    }
  }
}

/** 15 s while a push is less than 2 minutes old (bounds calls to about 8 per push), else 5 min. */
export function noPullRequestDelay(now: number, updatedAt: number | undefined, p: CadencePolicy): number {
  const sinceChange = updatedAt === undefined ? Infinity : now - updatedAt;
  return sinceChange < p.recentChangeWindowMs ? p.noPullRequestSoonMs : p.noPullRequestLaterMs;
}

/**
 * Delay after the `failures`-th transient failure in a row (1 = first): base * 2^(n-1) plus
 * jitter, capped. The doubling outgrows the jitter, so each failure waits at least as long
 * as the one before.
 */
export function errorDelay(failures: number, random: () => number, p: CadencePolicy): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const base = Math.min(p.errorCapMs, p.errorBaseMs * 2 ** exponent);
  const jittered = base * (1 + p.errorJitterRatio * random());
  return Math.round(Math.min(p.errorCapMs, jittered));
}

/** The provider's reset time wins, but never sooner than the floor. */
export function rateLimitedUntil(now: number, resetAt: number, p: CadencePolicy): number {
  return Math.max(resetAt, now + p.rateLimitFloorMs);
}
