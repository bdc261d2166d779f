import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { OUTCOMES, type OutcomeCounter } from '../cadence/outcomes.ts';
import type { TickSummary } from '../refresh/tick-summary.ts';

/** Counters of a tick, by the metric name the dashboard and alarms use: one per outcome, then the claim, write, throttle and page-cap counters. */
const COUNTERS: readonly (readonly [string, OutcomeCounter | 'claimed' | 'lostClaims' | 'writeConflicts' | 'writeFailures' | 'unserved' | 'throttles' | 'truncatedLists'])[] = [
  ...Object.values(OUTCOMES).map((o) => [o.metric, o.counter] as const),
  ['Claimed', 'claimed'],
  ['LostClaims', 'lostClaims'],
  ['WriteConflicts', 'writeConflicts'],
  ['WriteFailures', 'writeFailures'],
  ['Unserved', 'unserved'],
  ['Throttles', 'throttles'],
  ['TruncatedLists', 'truncatedLists'],
];

/** Every metric name `publishTickMetrics` emits (the dashboard and alarms use these). */
export const TICK_METRIC_NAMES: readonly string[] = [
  ...COUNTERS.map(([name]) => name),
  'Backlog',
  'TickDuration',
  'OldestDueLateness',
  'RowErrors',
];

/** Dimension that splits `RowErrors` by `RefreshError.kind`. */
export const ERROR_KIND_DIMENSION = 'errorKind';

/**
 * Records one tick as CloudWatch EMF metrics. The counters go into `metrics`' buffer (the
 * caller publishes it with the invocation); errors by kind need their own dimension, so each
 * kind is emitted at once as a single metric.
 */
export function publishTickMetrics(metrics: Metrics, summary: TickSummary): void {
  for (const [name, field] of COUNTERS) {
    metrics.addMetric(name, MetricUnit.Count, summary[field]);
  }
  metrics.addMetric('Backlog', MetricUnit.Count, summary.backlog ? 1 : 0);
  metrics.addMetric('TickDuration', MetricUnit.Milliseconds, summary.durationMs);
  // No due row means no lateness: leaving the metric out keeps "nothing to do" from reading as 0 ms.
  if (summary.oldestLatenessMs !== null) {
    metrics.addMetric('OldestDueLateness', MetricUnit.Milliseconds, summary.oldestLatenessMs);
  }
  for (const [kind, count] of Object.entries(summary.errorsByKind)) {
    if (count > 0) {
      metrics.singleMetric().addDimension(ERROR_KIND_DIMENSION, kind).addMetric('RowErrors', MetricUnit.Count, count);
    }
  }
}
