import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptySummary } from '../../src/refresh/tick-summary.ts';
import { reportTick, TICK_METRIC_NAMES } from '../../src/handler/tick-metrics.ts';
import { reportDelivery, WEBHOOK_METRIC_NAMES } from '../../src/handler/webhook-metrics.ts';
import { InvocationMeter, monthlyBill, templateDefaults, type MonthQuantities } from '../../bench/bill.ts';
import { loadTemplate } from '../../src/dev/template.ts';

test('the bill reads the template\'s defaults, and a conditional resource counts only when its condition holds', () => {
  const template = loadTemplate();
  const d = templateDefaults(template);
  assert.equal(d.shardCount, Number(template.Parameters?.ShardCount?.Default));
  assert.equal(d.concurrency, Number(template.Parameters?.Concurrency?.Default));
  assert.equal(d.tracing, template.Parameters?.TracingMode?.Default === 'Active');
  assert.equal(d.dashboards, template.Parameters?.CreateDashboard?.Default === 'true' ? 1 : 0);
  const withDashboard = structuredClone(template);
  withDashboard.Parameters!.CreateDashboard!.Default = 'true';
  assert.equal(templateDefaults(withDashboard).dashboards, 1);
  assert.ok(d.alarmMetrics >= 7, 'every alarm, and each metric of a metric-math alarm');
});

test('every line of the bill is priced; the free tier is its own figure, never subtracted', () => {
  const d = { ...templateDefaults(), dashboards: 1, tracing: true };
  const zero: MonthQuantities = {
    rows: 0, dynamodb: { rowWru: 0, rowRru: 0, loopWru: 0, loopRru: 0, tokensRru: 0, tokensWru: 0, webhookWru: 0, webhookRru: 0, storageGb: 0, cacheWru: 0, cacheRru: 0, cacheStorageGb: 0 },
    refreshInvocations: 0, refreshGbSeconds: 0, webhookInvocations: 0, webhookGbSeconds: 0, markStaleInvocations: 0, markStaleGbSeconds: 0,
    executions: 0, executionSeconds: 50, changeEvents: 0, logGb: 0, metricMonths: 0, traces: 0, secretCalls: 0, transferOutGb: 0,
  };
  const idle = monthlyBill(zero, d);
  assert.equal(idle.usdPer1000Rows, null);
  assert.equal(idle.totalUsd, d.alarmMetrics * 0.1 + 3 + d.secrets * 0.4, 'what a deployment pays before its first row or tick');
  const month = monthlyBill({ ...zero, rows: 1_000, refreshGbSeconds: 100_000, refreshInvocations: 259_200, metricMonths: 2, logGb: 1, traces: 259_200 }, d);
  assert.ok(month.lines['X-Ray']! > 1.29 && month.lines['X-Ray']! < 1.3);
  const cache = monthlyBill({ ...zero, rows: 1_000, dynamodb: { ...zero.dynamodb, cacheWru: 2e6, cacheRru: 8e6, cacheStorageGb: 2 } }, d);
  assert.equal(cache.lines['DynamoDB: HTTP cache table'], 2 * 0.625 + 8 * 0.125 + 2 * 0.25, 'its writes, reads and storage on their own line');
  assert.equal(cache.lines['DynamoDB: point-in-time recovery'], 0, 'no PITR on the cache table');
  assert.equal(month.lines['CloudWatch: custom metrics'], 0.6);
  assert.ok(month.freeTierUsd > 0 && month.totalUsd > month.freeTierUsd, 'shown, not taken off');
  assert.equal(month.totalUsd, Object.values(month.lines).reduce((a, b) => a + b, 0));
});

test('the meter counts what the handler\'s Logger and Metrics write: an idle tick is one line and no metric series', () => {
  const meter = new InvocationMeter({ functionName: 'f', memoryMb: 512, logLevel: 'INFO' });
  meter.invocation(0, () => reportTick(meter.metrics, meter.logger, emptySummary()), 60);
  assert.equal(meter.series().count, 0);
  assert.equal(meter.invocationLines, 4, 'the report line, START, END, REPORT');
  meter.invocation(3_600_000, () => reportTick(meter.metrics, meter.logger, { ...emptySummary(), oldestLatenessMs: 5_000 }), 60);
  meter.invocation(3_700_000, () => reportTick(meter.metrics, meter.logger, { ...emptySummary(), oldestLatenessMs: 5_000 }), 60);
  assert.deepEqual(meter.series(), { count: 1, hours: 1 }, 'one series, one hour with datapoints');
  assert.ok(meter.invocationBytes > 600 && meter.invocationBytes < 10_000);
});

test('the meter counts each distinct EMF series the handlers emit (name and dimensions), across both functions\' reports', () => {
  const meter = new InvocationMeter({ functionName: 'webhook', memoryMb: 256, logLevel: 'INFO' });
  const applied = { matched: 1, summary: { ...emptySummary(), refreshed: 1 }, madeDue: 0, skipped: 0, rowLatenciesMs: [900], unwritten: 0 };
  const response = { statusCode: 200, headers: {}, body: '' };
  meter.invocation(0, () => reportDelivery(meter.metrics, meter.logger, { response, outcome: 'processed', event: 'push', host: 'github.com', deliveryId: 'a', applied }), 40);
  meter.invocation(1_000, () => reportDelivery(meter.metrics, meter.logger, { response: { ...response, statusCode: 401 }, outcome: 'refused', event: 'push', host: 'github.com', deliveryId: 'b' }), 5);
  meter.invocation(2_000, () => reportDelivery(meter.metrics, meter.logger, { response, outcome: 'processed', event: 'pull_request', host: 'github.com', deliveryId: 'c', applied }), 40);
  assert.deepEqual(meter.series(), { count: WEBHOOK_METRIC_NAMES.length, hours: WEBHOOK_METRIC_NAMES.length });
  meter.invocation(0, () => reportTick(meter.metrics, meter.logger, { ...emptySummary(), oldestLatenessMs: 1 }), 60);
  assert.equal(meter.series().count, WEBHOOK_METRIC_NAMES.length + TICK_METRIC_NAMES.length);
});

test('the meter refuses to count with Powertools Metrics turned off by the environment (it would read 0 series)', () => {
  const saved = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    assert.throws(() => new InvocationMeter({ functionName: 'f', memoryMb: 512, logLevel: 'INFO' }), /disabled by the environment/);
  } finally {
    if (saved === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = saved;
  }
});
