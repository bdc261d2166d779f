import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { publishTickMetrics, TICK_METRIC_NAMES } from '../../src/handler/tick-metrics.ts';
import { emptySummary, type TickSummary } from '../../src/refresh/tick-summary.ts';
import { captureJsonLines } from '../support/capture-output.ts';

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

const summary: TickSummary = {
  ...emptySummary(),
  refreshed: 7,
  noPr: 2,
  noToken: 1,
  rateLimited: 3,
  errors: 4,
  released: 5,
  claimed: 22,
  batches: 2,
  truncatedLists: 6,
  errorsByKind: { provider_error: 3, deadline_exceeded: 1, rate_limited: 0 },
  backlog: true,
  durationMs: 1234,
  oldestLatenessMs: 8_500,
};

async function publish(s: TickSummary) {
  const metrics = new Metrics({ namespace: 'gitsync-test', serviceName: 'gitsync' });
  const { lines } = await captureJsonLines('{"_aws"', () => publishTickMetrics(metrics, s));
  return { buffered: metrics.serializeMetrics() as unknown as Emf, singles: lines as unknown as Emf[] };
}

test('a tick publishes only what an alarm reads: the oldest due row\'s lateness, in the namespace, by service', async () => {
  const { buffered, singles } = await publish(summary);
  const [directive] = buffered._aws.CloudWatchMetrics;
  assert.equal(directive?.Namespace, 'gitsync-test');
  assert.deepEqual(directive?.Dimensions, [['service']]);
  const values = Object.fromEntries(directive!.Metrics.map((m) => [m.Name, [buffered[m.Name], m.Unit]]));
  assert.deepEqual(values, { OldestDueLateness: [8500, 'Milliseconds'] });
  for (const name of Object.keys(values)) assert.ok(TICK_METRIC_NAMES.includes(name), `${name} is listed for the alarm`);
  assert.deepEqual(singles, [], 'errors by kind are log fields now, not one series per kind');
});

test('an idle tick reports no lateness rather than 0 ms, so it publishes no metric at all', async () => {
  const { buffered, singles } = await publish(emptySummary());
  assert.deepEqual(buffered._aws.CloudWatchMetrics[0]?.Metrics ?? [], []);
  assert.deepEqual(singles, []);
});
