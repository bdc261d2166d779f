/**
 * `npm run bench` (Markdown) / `npm run bench -- --json` (JSON on the last stdout line).
 * Starts DynamoDB Local on loopback, runs the six scenarios against the real tick code and
 * the simulated GitHub, writes bench/results/ (latest.json, summary.md, freshness.svg).
 * `--quick` runs smaller loads, for trying the harness out.
 */
import { DEFAULT_CADENCE } from '../src/cadence/policy.ts';
import { SLOT_INTERVAL_MS } from '../src/loop/rhythm.ts';
import { cpus, loadavg } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../src/dev/dynamodb-local/start.ts';
import { renderMarkdown, type BenchResults } from './report.ts';
import { apiQuota } from './scenarios/api-quota.ts';
import { costSection } from './scenarios/cost.ts';
import { dynamoCost } from './scenarios/dynamodb-cost.ts';
import { footprint } from './scenarios/footprint.ts';
import { githubAppMints } from './scenarios/github-app.ts';
import {
  freshness,
  FRESHNESS_SETTINGS,
  FRESHNESS_SHARDS,
  TTL_MS,
  WINDOW_MS,
  type FreshnessResult,
} from './scenarios/freshness.ts';
import { scale, scaleTargets } from './scenarios/scale.ts';
import { tickSpeed } from './scenarios/tick-speed.ts';
import { loadTemplate } from '../src/dev/template.ts';
import { webhooks } from './scenarios/webhooks.ts';
import { renderLineChart } from './svg-chart.ts';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const SIZES = quick ? [100, 300] : [500, 2000, 5000];
const P99_TARGET_MS = 15_000;
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const round2 = (n: number) => Math.round(n * 100) / 100;
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
/** Runs one section and prints its real time to stderr, so a run's total can be read section by section. */
async function timed<T>(section: string, run: () => T | Promise<T>): Promise<T> {
  progress(section);
  const started = performance.now();
  const out = await run();
  progress(`${section}: ${((performance.now() - started) / 1000).toFixed(1)} s real (load ${round2(loadavg()[0]!)})`);
  return out;
}

// `--only webhooks` / `--only cost` (`--only scale` below): just that section, its JSON on stdout (writes no results).
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only === 'webhooks' || only === 'cost') {
  const db = await startDynamoDbLocal();
  try {
    const section =
      only === 'webhooks'
        ? { webhooks: await webhooks(db.endpoint, { deliveries: quick ? 40 : 200, concurrency: 4 }) }
        : { cost: await costSection(db.endpoint, quick, progress) };
    console.log(JSON.stringify({ ...section, loadAverage: round2(loadavg()[0]!) }));
  } finally {
    await db.stop();
  }
  process.exit(0);
}
// `--only github-app`: GitHub App token mints for 10,000 rows over 50 installations, its JSON on stdout (writes no results).
if (only === 'github-app') {
  const db = await startDynamoDbLocal();
  const started = performance.now();
  try {
    const result = await githubAppMints(db.endpoint, quick ? { rows: 1_000, installations: 10, hours: 1 } : {});
    console.log(JSON.stringify({ githubApp: result, realMs: Math.round(performance.now() - started), loadAverage: round2(loadavg()[0]!) }));
  } finally {
    await db.stop();
  }
  process.exit(0);
}
// `--only scale`: just the scale section, its JSON on stdout with its real time (writes no results).
if (only === 'scale') {
  const db = await startDynamoDbLocal();
  const started = performance.now();
  // The 1M model's DynamoDB units per refresh: the last full run's measured figures (bench/results/latest.json).
  const last = JSON.parse(readFileSync(`${RESULTS}latest.json`, 'utf8')) as Pick<BenchResults, 'dynamodb'>;
  try {
    const scaled = await scale(db.endpoint, {
      quick,
      memoryMb: Number(loadTemplate().Parameters?.['RefreshMemorySize']?.Default),
      writeUnitsPerRefresh: last.dynamodb.wcuPerRefresh,
      readUnitsPerRefresh: last.dynamodb.rcuPerRefresh,
      progress,
    });
    console.log(JSON.stringify({ scale: scaled, targets: scaleTargets(scaled), realMs: Math.round(performance.now() - started), loadAverage: round2(loadavg()[0]!) }));
  } finally {
    await db.stop();
  }
  process.exit(0);
}
// `--only tick` (after the API-quota run, which warms DynamoDB Local as in the full run; its
// figures are not printed) / `--only footprint`: that section's JSON on stdout (writes no results).
if (only === 'tick') {
  const db = await startDynamoDbLocal();
  try {
    await timed('API quota (warms DynamoDB Local)', () => apiQuota(db.endpoint));
    const tick = await timed('scenario 1: tick speed', () => tickSpeed(db.endpoint));
    console.log(JSON.stringify({ tickSpeed: tick, loadAverage: round2(loadavg()[0]!) }));
  } finally {
    await db.stop();
  }
  process.exit(0);
}
// `--baseline DIR`: another build's bundles (`npm run build -- --build-dir DIR` of another commit) imported in the same rounds.
if (only === 'footprint') {
  const baseline = process.argv.includes('--baseline') ? resolve(process.argv[process.argv.indexOf('--baseline') + 1] ?? '') : undefined;
  console.log(JSON.stringify({ footprint: await timed('scenario 5: footprint', () => footprint(baseline)), loadAverage: round2(loadavg()[0]!) }));
  process.exit(0);
}
if (only !== undefined) throw new Error(`--only takes "tick", "footprint", "webhooks", "cost" or "scale", not ${JSON.stringify(only)}`);

const startedAt = new Date();
const loadAtStart = loadavg()[0]!;
const t0 = performance.now();
// Cold imports first, before DynamoDB Local's JVM shares the cores: measured after the cost
// section it still collects garbage, and the same bundles imported ~40% slower.
const foot = await timed('scenario 5: footprint', () => footprint());
const db = await startDynamoDbLocal();
try {
  // The API-quota run comes first: it also warms DynamoDB Local's JIT before the timed tick.
  const quota = await timed('scenario 3: API quota (also warms DynamoDB Local)', () => apiQuota(db.endpoint));
  const tick = await timed('scenario 1: tick speed', () => tickSpeed(db.endpoint));
  const runs: FreshnessResult[] = [];
  for (const rows of SIZES) runs.push(await timed(`scenario 2: freshness, ${rows} rows`, () => freshness(db.endpoint, rows)));
  const cost = await timed('scenario 4: DynamoDB cost', () => dynamoCost(runs[0]!, FRESHNESS_SHARDS));
  const costs = await timed("scenario 7: cost, today's design and the new one side by side", () => costSection(db.endpoint, quick, progress));
  const appWeek = costs.bill.app.find((a) => a.safetyTtlMs === DEFAULT_CADENCE.appSafetyTtlMs);
  if (!appWeek) throw new Error('the cost section billed no App host at the default App safety cadence');
  const memoryMb = Number(loadTemplate().Parameters?.['RefreshMemorySize']?.Default);
  const scaled = await timed('scale-out', () =>
    scale(db.endpoint, {
      quick,
      memoryMb,
      writeUnitsPerRefresh: cost.wcuPerRefresh,
      readUnitsPerRefresh: cost.rcuPerRefresh,
      progress,
    }),
  );
  const hooks = await timed('scenario 6: webhooks', () => webhooks(db.endpoint, { deliveries: quick ? 40 : 200, concurrency: 4 }));
  progress(`all sections: ${((performance.now() - t0) / 1000).toFixed(1)} s real`);

  const largest = runs.at(-1)!;
  const results: BenchResults = {
    tickSpeed: tick,
    freshness: runs.map(({ capacity: _capacity, ...f }) => ({ ...f, meetsTarget: f.p99LatenessMs <= P99_TARGET_MS })),
    freshnessSettings: { ...FRESHNESS_SETTINGS, shardCount: FRESHNESS_SHARDS, ttlMs: TTL_MS, tickIntervalMs: SLOT_INTERVAL_MS, windowMs: WINDOW_MS, latencyMs: 100 },
    apiQuota: {
      ...quota,
      countedCallsPerRefresh: quota.steady.countedCallsPerRefresh,
      countedCallsPerRefreshAfterColdStart: quota.afterColdStart.countedCallsPerRefresh,
      notModifiedPerRefresh: quota.steady.notModifiedPerRefresh,
    },
    dynamodb: cost,
    cost: costs,
    footprint: { ...foot, peakRssMb: tick.peakRssMb },
    scale: scaled,
    webhooks: hooks,
    targets: {
      ...scaleTargets(scaled),
      'cost: WRU per refresh that found nothing new': { target: '<= 1.5', measured: `${costs.wruPerUnchangedRefresh} (today ${costs.baseline.wruPerUnchangedRefresh})`, met: costs.wruPerUnchangedRefresh <= 1.5 },
      'cost: WRU per refresh that wrote a change': { target: '<= 3', measured: `${costs.wruPerChangedRefresh} (today ${costs.baseline.wruPerChangedRefresh})`, met: costs.wruPerChangedRefresh <= 3 },
      'cost: USD per month per 1,000 rows at 10,000 rows': {
        target: '<= 4',
        measured: `${costs.monthlyUsdPer1000Rows['10000']} (today ${costs.baseline.monthlyUsdPer1000Rows['10000']})`,
        met: costs.monthlyUsdPer1000Rows['10000'] <= 4,
      },
      'cost: USD per month per 1,000 rows at 10,000 rows, with webhooks': {
        target: '<= 2.5',
        measured: String(costs.monthlyUsdPer1000RowsWithWebhooks['10000']),
        met: costs.monthlyUsdPer1000RowsWithWebhooks['10000'] <= 2.5,
      },
      'cost: USD per month per 1,000 rows at 100,000 rows, with webhooks': {
        target: '<= 1.5',
        measured: String(costs.monthlyUsdPer1000RowsWithWebhooks['100000']),
        met: costs.monthlyUsdPer1000RowsWithWebhooks['100000'] <= 1.5,
      },
      // The same goals on a GitHub App host, at the template's App safety cadence (CADENCE_APP_SAFETY_MS): the redelivery pass brings its lost deliveries.
      'cost: USD per month per 1,000 rows at 10,000 rows, with webhooks from a GitHub App host': {
        target: '<= 2.5',
        measured: `${appWeek.bill10k.usdPer1000Rows} (safety poll ${appWeek.safetyTtlMs / 60_000} min)`,
        met: (appWeek.bill10k.usdPer1000Rows ?? Infinity) <= 2.5,
      },
      'cost: USD per month per 1,000 rows at 100,000 rows, with webhooks from a GitHub App host': {
        target: '<= 1.5',
        measured: `${appWeek.bill100k.usdPer1000Rows} (safety poll ${appWeek.safetyTtlMs / 60_000} min)`,
        met: (appWeek.bill100k.usdPer1000Rows ?? Infinity) <= 1.5,
      },
      'cost: idle deployment (0 rows), USD per month': { target: '<= 6', measured: String(costs.bill.idle.totalUsd), met: costs.bill.idle.totalUsd <= 6 },
      'cost: change-to-row p99, active rows': {
        target: '<= 130 s',
        measured: `${(costs.changeToRow.activeP99Ms / 1000).toFixed(1)} s (today ${(costs.baseline.changeToRow.activeP99Ms / 1000).toFixed(1)} s)`,
        met: costs.changeToRow.activeP99Ms <= 130_000,
      },
      'tick <= 1.3x ideal': { target: '<= 1.3', measured: String(tick.ratioToIdeal), met: tick.ratioToIdeal <= 1.3 },
      'tick net of the floor <= 1.15x ideal': { target: '<= 1.15', measured: String(tick.ratioNetOfFloor), met: tick.ratioNetOfFloor <= 1.15 },
      'cold import of the refresh bundle': { target: '<= 120 ms', measured: `${foot.importMs} ms (${foot.tracedImportMs} ms with tracing on)`, met: foot.importMs <= 120 },
      'cold import of the webhook bundle': { target: '<= 150 ms', measured: `${foot.webhook.importMs} ms`, met: foot.webhook.importMs <= 150 },
      'speed-up over sequential': { target: '>= 6x', measured: `${tick.speedupOverSequential}x`, met: tick.speedupOverSequential >= 6 },
      [`p99 lateness at ${largest.rows} rows`]: {
        target: '<= 15 s',
        measured: `${(largest.p99LatenessMs / 1000).toFixed(1)} s`,
        met: largest.p99LatenessMs <= P99_TARGET_MS,
      },
      'counted calls per refresh (steady)': {
        target: '<= 0.05',
        measured: String(quota.steady.countedCallsPerRefresh),
        met: quota.steady.countedCallsPerRefresh <= 0.05,
      },
      'webhook delivery-to-row p99': {
        target: '<= 2 s',
        measured: `${(hooks.deliveryToRowP99Ms / 1000).toFixed(2)} s`,
        met: hooks.deliveryToRowP99Ms <= 2_000 && hooks.staleAfterAnswer === 0,
      },
      'counted calls per refresh (after cold start)': {
        target: '<= 0.05',
        measured: String(quota.afterColdStart.countedCallsPerRefresh),
        met: quota.afterColdStart.countedCallsPerRefresh <= 0.05,
      },
    },
    machine: {
      cores: cpus().length,
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      cpu: cpus()[0]?.model ?? 'unknown',
      // Other work on a shared machine slows every figure: keep the 1-minute load with the results.
      loadAverage: { atStart: round2(loadAtStart), atEnd: round2(loadavg()[0]!) },
    },
    startedAt: startedAt.toISOString(),
    durationMs: 0,
  };
  results.durationMs = Math.round(performance.now() - t0);

  const markdown = renderMarkdown(results);
  mkdirSync(RESULTS, { recursive: true });
  if (!quick) {
    writeFileSync(`${RESULTS}latest.json`, JSON.stringify(results, null, 2) + '\n');
    writeFileSync(`${RESULTS}summary.md`, markdown);
    writeFileSync(
      `${RESULTS}freshness.svg`,
      renderLineChart({
        title: `Lateness vs tracked rows (TTL 120 s, ${results.freshnessSettings.latencyMs} ms per call)`,
        xLabel: 'tracked rows',
        yLabel: 'lateness (log scale)',
        x: runs.map((r) => r.rows),
        series: [
          { name: 'gitsync p50', color: '#1f77b4', dashed: true, values: runs.map((r) => r.p50LatenessMs) },
          { name: 'gitsync p99', color: '#1f77b4', values: runs.map((r) => r.p99LatenessMs) },
          { name: 'anchor (50 rows / 10 s) p50', color: '#ff7f0e', dashed: true, values: runs.map((r) => r.anchorP50LatenessMs) },
          { name: 'anchor (50 rows / 10 s) p99', color: '#ff7f0e', values: runs.map((r) => r.anchorP99LatenessMs) },
        ],
        target: { value: P99_TARGET_MS, label: 'p99 target 15 s' },
      }),
    );
  }
  console.log(json ? JSON.stringify(results) : markdown);
} finally {
  await db.stop();
}
process.exit(0);
