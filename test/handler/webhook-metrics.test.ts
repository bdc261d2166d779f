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

test('a processed delivery: one count by event and outcome, rows matched / refreshed / made due, delivery-to-row per row', async () => {
  const { buffered, singles } = await publish({
    response,
    outcome: 'processed',
    event: 'pull_request',
    applied: { matched: 5, summary: { ...emptySummary(), refreshed: 2, released: 1 }, madeDue: 2, skipped: 0, rowLatenciesMs: [310, 420], unwritten: 0 },
  });
  assert.deepEqual(
    singles.map((l) => [l.event, l.outcome, l.WebhookDeliveries]),
    [['pull_request', 'processed', 1]],
  );
  assert.equal(buffered.WebhookRowsMatched, 5);
  assert.equal(buffered.WebhookRowsRefreshed, 2);
  assert.equal(buffered.WebhookRowsMadeDue, 3, 'made due, and released at the deadline');
  assert.deepEqual(buffered.WebhookDeliveryToRow, [310, 420]);
  assert.equal(buffered.WebhookRefused, undefined);
  for (const name of ['WebhookRowsMatched', 'WebhookRowsRefreshed', 'WebhookRowsMadeDue', 'WebhookDeliveryToRow']) {
    assert.ok(WEBHOOK_METRIC_NAMES.includes(name as (typeof WEBHOOK_METRIC_NAMES)[number]), name);
  }
});

test('a refused delivery counts WebhookRefused (the alarm) and nothing about rows', async () => {
  const { buffered, singles } = await publish({ response: { ...response, statusCode: 401 }, outcome: 'refused', event: 'unknown' });
  assert.deepEqual(singles.map((l) => [l.outcome, l.WebhookDeliveries]), [['refused', 1]]);
  assert.equal(buffered.WebhookRefused, 1);
  assert.equal(buffered.WebhookRowsMatched, undefined);
});
