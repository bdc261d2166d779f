import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { publishWebhookMetrics, WEBHOOK_METRIC_NAMES } from '../../src/handler/webhook-metrics.ts';
import { emptySummary } from '../../src/refresh/tick-summary.ts';
import type { DeliveryReport } from '../../src/webhooks/receive.ts';
import { captureJsonLines } from '../support/capture-output.ts';

const response = { statusCode: 200, headers: {}, body: '{}' };

async function publish(report: DeliveryReport) {
  const metrics = new Metrics({ namespace: 'gitsync-test', serviceName: 'gitsync' });
  const { lines } = await captureJsonLines('{"_aws"', () => publishWebhookMetrics(metrics, report));
  return { buffered: metrics.serializeMetrics() as unknown as Record<string, unknown>, singles: lines as Record<string, unknown>[] };
}

test('a processed delivery: the delivery-to-row time per row, nothing else (the rest is in its log line)', async () => {
  const { buffered, singles } = await publish({
    response,
    outcome: 'processed',
    event: 'pull_request',
    applied: { matched: 5, summary: { ...emptySummary(), refreshed: 2, released: 1 }, madeDue: 2, skipped: 0, rowLatenciesMs: [310, 420], unwritten: 0 },
  });
  assert.deepEqual(singles, [], 'no metric with dimensions of its own: each would be a series');
  assert.deepEqual(buffered.WebhookDeliveryToRow, [310, 420]);
  assert.equal(buffered.WebhookRefused, undefined);
  const names = Object.keys(buffered).filter((k) => k !== '_aws' && k !== 'service');
  for (const name of names) assert.ok(WEBHOOK_METRIC_NAMES.includes(name as (typeof WEBHOOK_METRIC_NAMES)[number]), name);
});

test('a refused delivery counts WebhookRefused (the alarm) and nothing about rows', async () => {
  const { buffered, singles } = await publish({ response: { ...response, statusCode: 401 }, outcome: 'refused', event: 'unknown' });
  assert.deepEqual(singles, []);
  assert.equal(buffered.WebhookRefused, 1);
  assert.equal(buffered.WebhookDeliveryToRow, undefined);
});
