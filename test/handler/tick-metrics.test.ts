import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ERROR_KIND_DIMENSION, publishTickMetrics, TICK_METRIC_NAMES } from '../../src/handler/tick-metrics.ts';
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

test('a tick becomes one EMF blob of counters, duration and lateness, in the namespace, by service', async () => {
  const { buffered } = await publish(summary);
  const [directive] = buffered._aws.CloudWatchMetrics;
  assert.equal(directive?.Namespace, 'gitsync-test');
  assert.deepEqual(directive?.Dimensions, [['service']]);
  const values = Object.fromEntries(directive!.Metrics.map((m) => [m.Name, [buffered[m.Name], m.Unit]]));
  assert.deepEqual(values.Refreshed, [7, 'Count']);
  assert.deepEqual(values.NoPr, [2, 'Count']);
  assert.deepEqual(values.NoToken, [1, 'Count']);
  assert.deepEqual(values.RateLimited, [3, 'Count']);
  assert.deepEqual(values.Errors, [4, 'Count']);
  assert.deepEqual(values.Released, [5, 'Count']);
  assert.deepEqual(values.Claimed, [22, 'Count']);
  assert.deepEqual(values.TruncatedLists, [6, 'Count']);
  assert.deepEqual(values.Backlog, [1, 'Count']);
  assert.deepEqual(values.TickDuration, [1234, 'Milliseconds']);
  assert.deepEqual(values.OldestDueLateness, [8500, 'Milliseconds']);
  for (const name of Object.keys(values)) assert.ok(TICK_METRIC_NAMES.includes(name), `${name} is listed for the dashboard`);
});

test('errors by kind go out at once, one metric per kind with its own dimension; zero counts are skipped', async () => {
  const { singles } = await publish(summary);
  const byKind = Object.fromEntries(singles.map((blob) => [blob[ERROR_KIND_DIMENSION], blob.RowErrors]));
  assert.deepEqual(byKind, { provider_error: 3, deadline_exceeded: 1 });
  for (const blob of singles) {
    assert.deepEqual(blob._aws.CloudWatchMetrics[0]?.Dimensions, [['service', ERROR_KIND_DIMENSION]]);
    assert.equal(blob.service, 'gitsync');
  }
});

test('an idle tick reports no lateness rather than 0 ms, and backlog 0', async () => {
  const { buffered, singles } = await publish(emptySummary());
  const names = buffered._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name);
  assert.ok(!names.includes('OldestDueLateness'));
  assert.equal(buffered.Backlog, 0);
  assert.deepEqual(singles, []);
});
