import type { PathQuantiles } from './change-feed.ts';
import type { Census } from './row-census.ts';
import type { HostCounters, RunTotals } from './run-totals.ts';

/** The final summary; `--json` prints it as one line. Fields are documented in docs/local-run.md. */
export interface RunSummary {
  mode: 'simulated' | 'real-hosts';
  /** Bringing up DynamoDB, the host and the seed, before the loop started. */
  setupMs: number;
  /** The loop's own run time. */
  durationMs: number;
  speed: number;
  stoppedBy: 'duration' | 'signal';
  rows: number;
  rowsWithToken: number;
  rowsRefreshedAtLeastOnce: number;
  /** Rows with a token that were never refreshed (should be 0 after a sweep). */
  rowsWithTokenNeverRefreshed: number;
  /** Rows backing off because their owner has no token, at the end. */
  rowsBackingOffNoToken: number;
  ticks: number;
  failedTicks: number;
  refreshes: number;
  noPr: number;
  noToken: number;
  rateLimited: number;
  errors: number;
  /** Every failed refresh by its kind (no_token, rate_limited, provider_error, ...), not only `errors`. */
  failuresByKind: Record<string, number>;
  released: number;
  writeConflicts: number;
  p50LatenessMs: number | null;
  p99LatenessMs: number | null;
  latencySamples: number;
  apiCalls: number | null;
  notModified: number | null;
  rateLimitHits: number | null;
  apiCallsPerRefresh: number | null;
  /** Signed deliveries the simulated host sent that were answered 2xx, and refused ones (401/403); null without the simulated host. */
  webhookDeliveries: number | null;
  webhookRefused: number | null;
  /** From a change on the simulated host to the row showing it, over both paths. */
  changeToRowP50Ms: number | null;
  changeToRowP99Ms: number | null;
  changeToRow: { webhook: PathQuantiles; polling: PathQuantiles };
  /** `--github-app`: installation tokens the simulated GitHub minted, and for how many installations; null otherwise. */
  appTokenMints: number | null;
  appInstallationsMinted: number | null;
  final: Omit<Census, 'at'>;
}

/** What the webhook side of a run adds to the summary. */
export interface WebhookFigures {
  deliveries: number;
  refused: number;
  all: PathQuantiles;
  webhook: PathQuantiles;
  polling: PathQuantiles;
}

export interface SummaryInput {
  mode: RunSummary['mode'];
  setupMs: number;
  durationMs: number;
  speed: number;
  stoppedBy: RunSummary['stoppedBy'];
  census: Census;
  rowsWithToken: ReadonlySet<string>;
  refreshedRows: ReadonlySet<string>;
  totals: RunTotals;
  p50: number | null;
  p99: number | null;
  latencySamples: number;
  host: HostCounters | null;
  webhooks: WebhookFigures | null;
  /** `--github-app`: what the simulated GitHub minted. */
  app?: { mints: number; installations: number } | null;
}

export function buildSummary(i: SummaryInput): RunSummary {
  const refreshedWithToken = [...i.rowsWithToken].filter((id) => i.refreshedRows.has(id)).length;
  const { at: _at, ...final } = i.census;
  const completed = i.totals.refreshed + i.totals.noPr;
  return {
    mode: i.mode,
    setupMs: i.setupMs,
    durationMs: i.durationMs,
    speed: i.speed,
    stoppedBy: i.stoppedBy,
    rows: i.census.total,
    rowsWithToken: i.rowsWithToken.size,
    rowsRefreshedAtLeastOnce: i.refreshedRows.size,
    rowsWithTokenNeverRefreshed: i.rowsWithToken.size - refreshedWithToken,
    rowsBackingOffNoToken: i.census.backingOff['no_token'] ?? 0,
    ticks: i.totals.ticks,
    failedTicks: i.totals.failedTicks,
    refreshes: i.totals.refreshed,
    noPr: i.totals.noPr,
    noToken: i.totals.noToken,
    rateLimited: i.totals.rateLimited,
    errors: i.totals.errors,
    failuresByKind: i.totals.errorsByKind,
    released: i.totals.released,
    writeConflicts: i.totals.writeConflicts,
    p50LatenessMs: i.p50,
    p99LatenessMs: i.p99,
    latencySamples: i.latencySamples,
    apiCalls: i.host?.apiCalls ?? null,
    notModified: i.host?.notModified ?? null,
    rateLimitHits: i.host?.rateLimitHits ?? null,
    apiCallsPerRefresh: i.host && completed > 0 ? round(i.host.apiCalls / completed, 2) : null,
    webhookDeliveries: i.webhooks?.deliveries ?? null,
    webhookRefused: i.webhooks?.refused ?? null,
    changeToRowP50Ms: i.webhooks?.all.p50Ms ?? null,
    changeToRowP99Ms: i.webhooks?.all.p99Ms ?? null,
    changeToRow: {
      webhook: i.webhooks?.webhook ?? { p50Ms: null, p99Ms: null },
      polling: i.webhooks?.polling ?? { p50Ms: null, p99Ms: null },
    },
    appTokenMints: i.app?.mints ?? null,
    appInstallationsMinted: i.app?.installations ?? null,
    final,
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The human summary printed at the end of every run. */
export function renderSummary(s: RunSummary): string[] {
  const ms = (v: number | null) => (v === null ? '-' : `${(v / 1000).toFixed(1)} s`);
  const failures = Object.entries(s.failuresByKind).map(([k, n]) => `${k} ${n}`).join(', ');
  return [
    `summary (${(s.durationMs / 1000).toFixed(0)} s after ${(s.setupMs / 1000).toFixed(0)} s of setup, ${s.ticks} ticks${s.stoppedBy === 'signal' ? ', stopped by signal' : ''}):`,
    `  rows ${s.rows}, with a token ${s.rowsWithToken}, refreshed at least once ${s.rowsRefreshedAtLeastOnce}` +
      `${s.rowsWithTokenNeverRefreshed ? ` (${s.rowsWithTokenNeverRefreshed} with a token never refreshed)` : ''}`,
    `  outcomes: refreshed ${s.refreshes}, no PR ${s.noPr}, no token ${s.noToken}, rate limited ${s.rateLimited}, errors ${s.errors}, ` +
      `released ${s.released}${failures ? `; failures by kind: ${failures}` : ''}`,
    `  lateness p50 ${ms(s.p50LatenessMs)}, p99 ${ms(s.p99LatenessMs)} (${s.latencySamples} write-backs)`,
    ...(s.webhookDeliveries === null
      ? []
      : [
          `  webhooks: ${s.webhookDeliveries} deliveries, ${s.webhookRefused} refused; change to row p50 ${ms(s.changeToRowP50Ms)}, p99 ${ms(s.changeToRowP99Ms)} ` +
            `(webhook p50 ${ms(s.changeToRow.webhook.p50Ms)}, p99 ${ms(s.changeToRow.webhook.p99Ms)}; polling p50 ${ms(s.changeToRow.polling.p50Ms)}, p99 ${ms(s.changeToRow.polling.p99Ms)})`,
        ]),
    ...(s.appTokenMints === null
      ? []
      : [`  GitHub App: ${s.appTokenMints} installation tokens minted for ${s.appInstallationsMinted} installations (tokens are shared by every container through the tokens table)`]),
    s.apiCalls === null
      ? '  API calls: not counted against real hosts'
      : `  API calls ${s.apiCalls} (${s.notModified} answered 304), ${s.apiCallsPerRefresh ?? '-'} per refresh, rate-limit hits ${s.rateLimitHits}`,
    `  at the end: fresh ${s.final.fresh}, no PR yet ${s.final.waitingForPr}, due ${s.final.due}, leased ${s.final.leased}, ` +
      `backing off ${JSON.stringify(s.final.backingOff)}`,
  ];
}
