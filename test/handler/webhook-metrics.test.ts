import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger } from '@aws-lambda-powertools/logger';
import { publishWebhookMetrics, reportRedeliveryPass, WEBHOOK_METRIC_NAMES } from '../../src/handler/webhook-metrics.ts';
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

test('a redelivery pass: one Redeliveries datapoint (what it asked GitHub for, over every App host), then its log line', async () => {
  const metrics = new Metrics({ namespace: 'gitsync-test', serviceName: 'gitsync' });
  const logged: unknown[] = [];
  const logger = { info: (message: string, fields: unknown) => logged.push({ message, fields }) } as unknown as Logger;
  const reports = [
    { host: 'github.com', listed: 12, redelivered: 2, refused: 1 },
    { host: 'ghe.example', listed: 3, redelivered: 1, refused: 0 },
  ];
  const { lines } = await captureJsonLines('{"_aws"', () => reportRedeliveryPass(metrics, logger, reports));
  assert.equal(lines.length, 1, 'published with the pass');
  assert.equal((lines[0] as Record<string, unknown>)['Redeliveries'], 3);
  assert.deepEqual(logged, [{ message: 'redelivery pass', fields: { reports } }]);
});
