import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { TickSummary } from '../refresh/tick-summary.ts';

/**
 * Every metric name `publishTickMetrics` emits: only what an alarm reads (the lateness alarm).
 * A custom metric series costs $0.30 a month, more than a small deployment's DynamoDB; the
 * rest of what a tick knows (outcomes, errors by kind, duration, backlog, claims, throttles)
 * is in its log line, which the dashboard's log widgets and the saved queries chart.
 */
export const TICK_METRIC_NAMES: readonly string[] = ['OldestDueLateness'];

/** Records one tick as CloudWatch EMF metrics in `metrics`' buffer (the caller publishes it with the invocation). */
export function publishTickMetrics(metrics: Metrics, summary: TickSummary): void {
  // No due row means no lateness: leaving the metric out keeps "nothing to do" from reading as 0 ms.
  if (summary.oldestLatenessMs !== null) {
    metrics.addMetric('OldestDueLateness', MetricUnit.Milliseconds, summary.oldestLatenessMs);
  }
}

/** What the refresh function records of one invocation: its metrics, then its one log line (the summary). */
export function reportTick(metrics: Metrics, logger: Logger, summary: TickSummary): void {
  publishTickMetrics(metrics, summary);
  // An idle tick has no metric: publishing nothing would log Powertools' "no metrics" warning, a line per tick.
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  logger.info('tick finished', { summary: summary as unknown as Record<string, unknown> });
}
