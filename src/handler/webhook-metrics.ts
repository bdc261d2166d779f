import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { ApplyResult } from '../webhooks/apply.ts';
import type { DeliveryReport } from '../webhooks/receive.ts';

/** Every metric name `publishWebhookMetrics` emits (the dashboard and alarms use these). */
export const WEBHOOK_METRIC_NAMES = [
  'WebhookDeliveries',
  'WebhookRefused',
  'WebhookRowsMatched',
  'WebhookRowsRefreshed',
  'WebhookRowsMadeDue',
  'WebhookDeliveryToRow',
] as const;

/**
 * One delivery's metrics: `WebhookDeliveries` by `event` and `outcome`, `WebhookRefused`
 * (401/403: a probe or a wrong secret; alarmed), rows matched / refreshed / made due, and the
 * receipt-to-row time of every row refreshed in the delivery.
 */
export function publishWebhookMetrics(metrics: Metrics, report: DeliveryReport): void {
  metrics
    .singleMetric()
    .addDimensions({ event: report.event, outcome: report.outcome })
    .addMetric('WebhookDeliveries', MetricUnit.Count, 1);
  if (report.outcome === 'refused') metrics.addMetric('WebhookRefused', MetricUnit.Count, 1);
  if (report.applied) publishRowMetrics(metrics, report.applied);
}

/** What a delivery (or a handed-on continuation of one) did to its rows. */
export function publishRowMetrics(metrics: Metrics, applied: ApplyResult): void {
  metrics.addMetric('WebhookRowsMatched', MetricUnit.Count, applied.matched);
  metrics.addMetric('WebhookRowsRefreshed', MetricUnit.Count, applied.summary.refreshed);
  metrics.addMetric('WebhookRowsMadeDue', MetricUnit.Count, applied.madeDue + applied.summary.released);
  for (const ms of applied.rowLatenciesMs) metrics.addMetric('WebhookDeliveryToRow', MetricUnit.Milliseconds, ms);
}
