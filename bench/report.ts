import type { ApiQuotaResult } from './scenarios/api-quota.ts';
import type { CostFigures, CostSection } from './scenarios/cost.ts';
import type { DynamoCostResult } from './scenarios/dynamodb-cost.ts';
import type { FootprintResult } from './scenarios/footprint.ts';
import type { FreshnessResult } from './scenarios/freshness.ts';
import { renderScale, type ScaleResult } from './scenarios/scale.ts';
import type { TickSpeedResult } from './scenarios/tick-speed.ts';
import type { WebhooksResult } from './scenarios/webhooks.ts';
import type { WorkerSettings } from './worker.ts';

export interface BenchResults {
  tickSpeed: TickSpeedResult;
  freshness: (Omit<FreshnessResult, 'capacity'> & { meetsTarget: boolean })[];
  freshnessSettings: WorkerSettings & { shardCount: number; ttlMs: number; tickIntervalMs: number; windowMs: number; latencyMs: number };
  apiQuota: ApiQuotaResult & { countedCallsPerRefresh: number; countedCallsPerRefreshAfterColdStart: number; notModifiedPerRefresh: number };
  dynamodb: DynamoCostResult;
  cost: CostSection;
  footprint: FootprintResult & { peakRssMb: number };
  scale: ScaleResult;
  webhooks: WebhooksResult;
  targets: Record<string, { target: string; measured: string; met: boolean }>;
  machine: { cores: number; node: string; platform: string; cpu: string; loadAverage?: { atStart: number; atEnd: number } };
  startedAt: string;
  durationMs: number;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The Markdown summary: one table per scenario, targets first. */
export function renderMarkdown(r: BenchResults): string {
  const t = r.tickSpeed;
  const lines = [
    `# gitsync benchmark results`,
    ``,
    `Run ${r.startedAt}, ${s(r.durationMs)} in all, on ${r.machine.cores} cores (${r.machine.cpu}), Node ${r.machine.node}, ${r.machine.platform}` +
      (r.machine.loadAverage ? `, 1-minute load average ${r.machine.loadAverage.atStart} at the start and ${r.machine.loadAverage.atEnd} at the end.` : '.'),
    `Everything runs on this machine: DynamoDB Local (Java) and the simulated GitHub share the cores with the tick.`,
    ``,
    `## Targets`,
    ``,
    `| Target | Goal | Measured | Met |`,
    `|---|---|---|---|`,
    ...Object.entries(r.targets).map(([k, v]) => `| ${k} | ${v.target} | ${v.measured} | ${v.met ? 'yes' : '**no**'} |`),
    ``,
    `## 1. Tick speed (${t.rows} rows, ${t.calls.total} calls, ${t.latencyMs} ms per call)`,
    ``,
    `| | ms |`,
    `|---|---|`,
    `| gitsync tick (median of ${t.wallRunsMs.length}: ${t.wallRunsMs.join(', ')}) | ${t.wallMs} |`,
    `| ideal ceil(${t.calls.total}/${t.concurrency})*${t.latencyMs} | ${t.idealMs} |`,
    `| Refresher alone (HTTP part, no claims / write-backs) | ${t.refreshOnlyMs} |`,
    `| the same tick, host answering at once (this machine's floor: DynamoDB Local + CPU) | ${t.zeroLatencyTickMs} |`,
    `| tick minus that floor, ratio to ideal | ${t.ratioNetOfFloor} |`,
    `| anchor pre-fix, sequential | ${t.sequentialMs} |`,
    `| ratio to ideal | ${t.ratioToIdeal} |`,
    `| speed-up over sequential | ${t.speedupOverSequential}x |`,
    ``,
    `Calls: ${t.calls.openRows} rows whose PR is open take ${t.calls.openCalls} (pull, reviews, the head commit's check runs and combined status); ${t.calls.closedRows} whose PR is closed or merged take ${t.calls.closedCalls} (the branch's open-PR search and newest-PR search, then those four); ${t.callsPerTick} requests per tick, as needed (docs/design/tick-speed.md).`,
    ``,
    `CONCURRENCY=${t.concurrency}, PER_TOKEN_CONCURRENCY=${t.perTokenConcurrency}; at most ${t.maxRowsPerToken} rows share a token, so the per-token limit bounds a tick at ${t.perTokenBoundMs} ms, under the ideal. Baseline: ${t.baseline}.`,
    ``,
    `## 2. Freshness under load (TTL ${s(r.freshnessSettings.ttlMs)}, tick every ${s(r.freshnessSettings.tickIntervalMs)}, ${r.freshnessSettings.latencyMs} ms per call, ${s(r.freshnessSettings.windowMs)} of virtual time)`,
    ``,
    `gitsync settings: CONCURRENCY=${r.freshnessSettings.concurrency}, PER_TOKEN_CONCURRENCY=${r.freshnessSettings.perTokenConcurrency}, BATCH_SIZE=${r.freshnessSettings.batchSize}, SHARD_COUNT=${r.freshnessSettings.shardCount}, TICK_BUDGET_MS=${r.freshnessSettings.tickBudgetMs}. Anchor: 50 rows per 10 s tick (600 rows per TTL), modelled on the same timeline (its post-fix HTTP time, 10 rows at a time, database time free).`,
    ``,
    `| rows | owners | p50 | p99 | max | refreshes/s | anchor p50 | anchor p99 | anchor max | anchor refreshes/s | due at end (gitsync / anchor) | real time |`,
    `|---|---|---|---|---|---|---|---|---|---|---|---|`,
    ...r.freshness.map(
      (f) =>
        `| ${f.rows} | ${f.owners} | ${s(f.p50LatenessMs)} | ${s(f.p99LatenessMs)} | ${s(f.maxLatenessMs)} | ${f.refreshesPerSecond} | ${s(f.anchorP50LatenessMs)} | ${s(f.anchorP99LatenessMs)} | ${s(f.anchorMaxLatenessMs)} | ${f.anchorRefreshesPerSecond} | ${f.pendingAtEnd} / ${f.anchorPendingAtEnd} | ${s(f.realMs)} |`,
    ),
    ``,
    `![lateness vs rows](freshness.svg)`,
    ``,
    `## 3. API quota (unchanged PRs, ${r.apiQuota.rows} rows)`,
    ``,
    `| phase | refreshes | requests | counted | 304 | counted / refresh | 304 / refresh |`,
    `|---|---|---|---|---|---|---|`,
    ...(['firstPass', 'steady', 'afterColdStart'] as const).map((k) => {
      const q = r.apiQuota[k];
      return `| ${k} | ${q.refreshes} | ${q.requests} | ${q.counted} | ${q.notModified} | ${q.countedCallsPerRefresh} | ${q.notModifiedPerRefresh} |`;
    }),
    ``,
    `After cold start = a new Node process (new DynamoDB client, provider registry, HTTP agent) over the same table: the ETags live in the rows.`,
    ``,
    `## 4. DynamoDB cost (${r.dynamodb.fromRun})`,
    ``,
    `| per refreshed row | units |`,
    `|---|---|`,
    `| write units (WRU) | ${r.dynamodb.wcuPerRefresh} (table ${r.dynamodb.tableWcuPerRefresh}, due index ${r.dynamodb.gsiWcuPerRefresh}) |`,
    `| read units (RRU) | ${r.dynamodb.rcuPerRefresh} |`,
    `| idle tick overhead (RRU) | ${r.dynamodb.rcuPerIdleTick} |`,
    ...Object.entries(r.dynamodb.breakdownPerRefresh)
      .filter(([, u]) => u.read > 0 || u.write > 0)
      .map(([l, u]) => `| ${l} | ${u.read ? `${u.read} RRU` : ''}${u.write ? `${u.write} WRU` : ''} |`),
    ``,
    `| tracked rows | USD / month |`,
    `|---|---|`,
    ...Object.entries(r.dynamodb.monthlyUsd).map(([rows, usd]) => `| ${Number(rows).toLocaleString('en-US')} | ${usd.toFixed(2)} |`),
    ``,
    `Prices: ${r.dynamodb.prices.region} on-demand, $${r.dynamodb.prices.usdPerMillionWriteUnits} per million WRU, $${r.dynamodb.prices.usdPerMillionReadUnits} per million RRU (as of ${r.dynamodb.prices.asOf}). ${r.dynamodb.formula}.`,
    ``,
    `What dominates: ${r.dynamodb.dominates}.`,
    ``,
    ...costMarkdown(r.cost),
    `## 5. Cold start and footprint`,
    ``,
    `| | refresh function | webhook function |`,
    `|---|---|---|`,
    `| bundle | ${r.footprint.bundle} | ${r.footprint.webhook.bundle} |`,
    `| bundle size (the handler's file: what a cold start parses) | ${(r.footprint.bundleBytes / 1024).toFixed(0)} KiB (+ ${(r.footprint.tracerFileBytes / 1024).toFixed(0)} KiB tracer file, loaded with tracing on only) | ${(r.footprint.webhook.bundleBytes / 1024).toFixed(0)} KiB |`,
    `| cold import (median of ${r.footprint.importRunsMs.length} fresh processes, in turn) | ${r.footprint.importMs} ms | ${r.footprint.webhook.importMs} ms |`,
    `| CPU time of the import (median; the process's, all threads) | ${r.footprint.importCpuMs} ms | ${r.footprint.webhook.importCpuMs} ms |`,
    `| cold import in Lambda with tracing on (X-Ray SDK loaded) | ${r.footprint.tracedImportMs} ms | (no tracer) |`,
    `| RSS after importing the bundle | ${r.footprint.importRssMb} MB | ${r.footprint.webhook.importRssMb} MB |`,
    `| peak RSS during scenario 1 (sampled every 20 ms; bench process: tick + simulated host + harness) | ${r.footprint.peakRssMb} MB | |`,
    ``,
    ...renderScale(r.scale),
    `## 6. Webhooks (${r.webhooks.deliveries} deliveries, ${r.webhooks.concurrency} at once, ${r.webhooks.latencyMs} ms per call)`,
    ``,
    `Each delivery follows a push on the simulated GitHub and goes through the real webhook handler against DynamoDB Local.`,
    ``,
    `| | ms |`,
    `|---|---|`,
    `| delivery to row p50 | ${r.webhooks.deliveryToRowP50Ms} |`,
    `| delivery to row p99 | ${r.webhooks.deliveryToRowP99Ms} |`,
    `| delivery to row max | ${r.webhooks.deliveryToRowMaxMs} |`,
    `| answer p99 (GitHub waits 10 s) | ${r.webhooks.answerP99Ms} |`,
    `| rows not holding the change after the answer | ${r.webhooks.staleAfterAnswer} |`,
    ``,
  ];
  return lines.join('\n');
}

/** The whole monthly bill at the template's defaults, line by line, polling, webhooks, a GitHub App host and idle side by side; change-to-row per path. */
export function billMarkdown(c: CostSection): string[] {
  const b = c.bill;
  const columns: [string, (typeof b)['idle']][] = [
    ['polling only, 10,000 rows', b.pollingOnly10k],
    ['webhooks, 10,000 rows', b.withWebhooks10k],
    ['webhooks, 100,000 rows', b.withWebhooks100k],
    ...b.app.flatMap((a): [string, (typeof b)['idle']][] => [
      [`App + redelivery, safety ${a.safetyTtlMs / 60_000} min, 10,000 rows`, a.bill10k],
      [`App + redelivery, safety ${a.safetyTtlMs / 60_000} min, 100,000 rows`, a.bill100k],
    ]),
    ['idle (0 rows)', b.idle],
  ];
  const money = (n: number | null) => (n === null ? '' : n.toFixed(2));
  const paths = (f: CostFigures['changeToRow']) =>
    Object.entries(f.byPath).map(([path, d]) => `${path} ${d.count ? `${(d.p50Ms / 1000).toFixed(0)} s / ${(d.p99Ms / 1000).toFixed(0)} s (${d.count})` : 'none'}`).join('; ');
  return [
    `The whole bill, USD / month, at template.yaml's defaults (ShardCount ${b.defaults.shardCount}, BatchSize ${b.defaults.batchSize}, Concurrency ${b.defaults.concurrency}, refresh ${b.defaults.refreshMemoryGb * 1024} MB, webhook ${b.defaults.webhookMemoryGb * 1024} MB, tracing ${b.defaults.tracing ? 'on' : 'off'}, ${b.defaults.alarmMetrics} alarm metrics, ${b.defaults.dashboards} dashboard):`,
    ``,
    `| line | ${columns.map(([name]) => name).join(' | ')} |`,
    `|---|${columns.map(() => '---|').join('')}`,
    ...Object.keys(b.idle.lines).map((line) => `| ${line} | ${columns.map(([, bill]) => money(bill.lines[line] ?? 0)).join(' | ')} |`),
    `| **total** | ${columns.map(([, bill]) => `**${money(bill.totalUsd)}**`).join(' | ')} |`,
    `| **per 1,000 rows** | ${columns.map(([, bill]) => `**${money(bill.usdPer1000Rows)}**`).join(' | ')} |`,
    `| free tiers would cover (not subtracted) | ${columns.map(([, bill]) => money(bill.freeTierUsd)).join(' | ')} |`,
    ``,
    `Metric series: ${b.metricSeries.pollingOnly} polling, ${b.metricSeries.withWebhooks} with webhooks, ${b.metricSeries.idle} idle. Log bytes per refresh invocation: ${b.logBytesPerInvocation.pollingOnly} (idle ${b.logBytesPerInvocation.idle}). ` +
      `A webhook delivery, measured on DynamoDB Local: ${c.delivery.wru} WRU / ${c.delivery.rru} RRU, ${c.delivery.ownMs} ms of the function's own time.`,
    ``,
    `Change-to-row p50 / p99 (changes) by path: polling: ${paths(c.changeToRow)}. Webhooks: ${paths(c.withWebhooks.changeToRow)}.` +
      b.app.map((a) => ` App, safety ${a.safetyTtlMs / 60_000} min: ${paths(a.changeToRow)} (refreshes per row per day ${a.refreshesPerRowPerDay}; ${a.redeliveries} of ${a.lostDeliveries} lost deliveries redelivered over ${a.redeliveryPasses} passes).`).join(''),
    ``,
  ];
}

function costMarkdown(c: CostSection): string[] {
  const row = (name: string, f: (x: CostFigures) => string) => `| ${name} | ${f(c.baseline)} | ${f(c)} | ${f(c.withWebhooks)} |`;
  const usd = (n: number) => `$${n.toFixed(2)}`;
  return [
    `## 7. Cost: today's design and the new one side by side`,
    ``,
    `Row mix: ${c.mix}. A simulated ${c.week.days}-day week of ${c.week.rows} rows per design, ${c.week.store}; per-operation units measured on DynamoDB Local in this run (${(c.realMs / 1000).toFixed(0)} s in all).`,
    ``,
    `| | today (row leases, fixed 120 s) | gitsync (shard leases, slots, adaptive) | gitsync, the host sends webhooks (PRs' safety poll every 15 min, relaxing to 1 h as a PR stays quiet) |`,
    `|---|---|---|---|`,
    row('WRU per refresh that found nothing new', (x) => String(x.wruPerUnchangedRefresh)),
    row('WRU per refresh that wrote a change', (x) => String(x.wruPerChangedRefresh)),
    row('RRU per refresh', (x) => String(x.rruPerRefresh)),
    row('HTTP cache table WRU / RRU per refresh (share that wrote its item)', (x) => `${x.httpCachePerRefresh.wru} / ${x.httpCachePerRefresh.rru} (${x.httpCachePerRefresh.writeShare})`),
    row("share of refreshes whose cache item the container's memory answered (no read)", (x) => String(x.httpCachePerRefresh.recalledShare)),
    row("tokens-table reads per token look-up (the container's token memory answers the rest)", (x) => String(x.tokenReadsPerLookup)),
    row('refreshes per row per day', (x) => String(x.refreshesPerRowPerDay)),
    row('API requests per row per day', (x) => String(x.apiRequestsPerRowPerDay)),
    row('change events per row per day', (x) => String(x.eventsPerRowPerDay)),
    row('webhook deliveries per row per day', (x) => String(x.deliveriesPerRowPerDay)),
    ...(['1000', '10000', '100000', '1000000'] as const).map((n) => row(`USD / month per 1,000 rows at ${Number(n).toLocaleString('en-US')} rows`, (x) => usd(x.monthlyUsdPer1000Rows[n]))),
    row('change-to-row p50 / p99, active rows', (x) => `${(x.changeToRow.activeP50Ms / 1000).toFixed(0)} s / ${(x.changeToRow.activeP99Ms / 1000).toFixed(0)} s`),
    row('change-to-row p50 / p99, quiet rows', (x) => `${(x.changeToRow.quietP50Ms / 1000).toFixed(0)} s / ${(x.changeToRow.quietP99Ms / 1000).toFixed(0)} s`),
    ``,
    ...billMarkdown(c),
    `Calibration (per refresh, the row's own operations and the HTTP cache table's apart; per idle tick):`,
    ``,
    `| design | store | unchanged WRU / RRU | changed WRU / RRU | idle tick WRU / RRU | row bytes | cache unchanged WRU / RRU | cache changed WRU / RRU | cache item bytes |`,
    `|---|---|---|---|---|---|---|---|---|`,
    ...c.calibration.map(
      (k) =>
        `| ${k.design} | ${k.store} | ${k.unchanged.wru} / ${k.unchanged.rru} | ${k.changed.wru} / ${k.changed.rru} | ${k.idleTick.wru} / ${k.idleTick.rru} | ${k.rowBytes} | ${k.cache.unchanged.wru} / ${k.cache.unchanged.rru} | ${k.cache.changed.wru} / ${k.cache.changed.rru} | ${k.cache.itemBytes} |`,
    ),
    ``,
    `Prices (${c.prices.region}, read ${c.prices.readOn}): DynamoDB $${c.prices.dynamodb.usdPerMillionWriteUnits} / M WRU, $${c.prices.dynamodb.usdPerMillionReadUnits} / M RRU, $${c.prices.dynamodb.usdPerGbMonth} / GB-month; Lambda arm64 $${c.prices.lambdaArm64.usdPerGbSecond} / GB-s + $${c.prices.lambdaArm64.usdPerMillionRequests} / M; Step Functions Express $${c.prices.stepFunctionsExpress.usdPerMillionRequests} / M + $${c.prices.stepFunctionsExpress.usdPerGbSecond} / GB-s; EventBridge $${c.prices.eventBridge.usdPerMillionEvents} / M events. Lambda ${c.bill.defaults.refreshMemoryGb * 1024} MB, ${c.projection.githubRequestMs} ms per GitHub request, CONCURRENCY ${c.bill.defaults.concurrency}, ${c.projection.tickBaseMs} ms per invocation. ${c.projection.note}`,
    ``,
  ];
}
