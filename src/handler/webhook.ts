import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { powertoolsLog } from './powertools-log.ts';
import { publishRowMetrics, reportDelivery, reportRedeliveryPass } from './webhook-metrics.ts';

interface ContinuationResult {
  matched: number;
  madeDue: number;
  skipped: number;
  handedOn: boolean;
}
import { readWebhookEnv, webhookReceiverFromEnv } from '../system/webhook-from-env.ts';
import { isContinuation, isRedeliveryPass, type WebhookReceiver } from '../system/webhook-receiver.ts';
import type { RedeliveryReport } from '../ops/redeliver.ts';
import type { FunctionUrlEvent, FunctionUrlResponse } from '../webhooks/receive.ts';

const logger = new Logger();
const metrics = new Metrics();
let receiver: WebhookReceiver | undefined;

/**
 * The function URL's handler (payload format 2.0): one GitHub or GitLab delivery, answered
 * well inside GitHub's 10 s. Config is read once per container; a bad setting fails the
 * invocation with a message naming the variable.
 */
export async function handler(event: FunctionUrlEvent, context: Context): Promise<FunctionUrlResponse | ContinuationResult | RedeliveryReport[]> {
  logger.addContext(context);
  receiver ??= webhookReceiverFromEnv(readWebhookEnv(process.env), { log: powertoolsLog(logger) });
  if (isRedeliveryPass(event)) {
    // Scheduled: ask each GitHub App to send again what this function failed to take.
    const reports = await receiver.redeliverFailed();
    reportRedeliveryPass(metrics, logger, reports);
    return reports;
  }
  if (isContinuation(event)) {
    // The rest of a large delivery, handed on by this function (a direct invoke, not the URL).
    const applied = await receiver.continue(event, () => context.getRemainingTimeInMillis());
    const result = { matched: applied.matched, madeDue: applied.madeDue, skipped: applied.skipped, handedOn: applied.next !== undefined };
    publishRowMetrics(metrics, applied);
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    logger.info('webhook continuation', result);
    return result;
  }
  const report = await receiver.receive(event, () => context.getRemainingTimeInMillis());
  reportDelivery(metrics, logger, report);
  return report.response;
}
