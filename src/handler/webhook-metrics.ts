import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { ApplyResult } from '../webhooks/apply.ts';
import type { DeliveryReport } from '../webhooks/receive.ts';
import type { RedeliveryReport } from '../ops/redeliver.ts';

/**
 * Every metric name `publishWebhookMetrics` emits: what an alarm reads (refused deliveries)
 * and the receipt-to-row time, whose percentiles the dashboard charts. Deliveries by event
 * and outcome and the rows each matched, refreshed or made due are fields of the delivery's
 * log line (charted by the dashboard's log widgets): a metric series each would cost more.
 */
export const WEBHOOK_METRIC_NAMES = ['WebhookRefused', 'WebhookDeliveryToRow'] as const;

/** One delivery's metrics: `WebhookRefused` (401/403: a probe or a wrong secret; alarmed) and its rows' receipt-to-row times. */
export function publishWebhookMetrics(metrics: Metrics, report: DeliveryReport): void {
  if (report.outcome === 'refused') metrics.addMetric('WebhookRefused', MetricUnit.Count, 1);
  if (report.applied) publishRowMetrics(metrics, report.applied);
}

/** The receipt-to-row time of every row a delivery (or a handed-on continuation of one) refreshed. */
export function publishRowMetrics(metrics: Metrics, applied: ApplyResult): void {
  for (const ms of applied.rowLatenciesMs) metrics.addMetric('WebhookDeliveryToRow', MetricUnit.Milliseconds, ms);
}

/** What the webhook function records of one delivery: its metrics, then its one log line. */
export function reportDelivery(metrics: Metrics, logger: Logger, report: DeliveryReport): void {
  publishWebhookMetrics(metrics, report);
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  const { response, applied, ...fields } = report;
  const rows = applied
    ? { matched: applied.matched, refreshed: applied.summary.refreshed, madeDue: applied.madeDue, skipped: applied.skipped, handedOn: applied.next !== undefined }
    : {};
  if (report.outcome === 'refused') logger.warn('webhook delivery refused', { ...fields, statusCode: response.statusCode });
  else logger.info('webhook delivery', { ...fields, ...rows, statusCode: response.statusCode });
}

/** What the webhook function records of one scheduled redelivery pass: the redeliveries it asked for (a metric), then its one log line. */
export function reportRedeliveryPass(metrics: Metrics, logger: Logger, reports: RedeliveryReport[]): void {
  metrics.addMetric('Redeliveries', MetricUnit.Count, reports.reduce((n, r) => n + r.redelivered, 0));
  metrics.publishStoredMetrics();
  logger.info('redelivery pass', { reports });
}
