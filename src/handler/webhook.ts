import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { powertoolsLog } from './powertools-log.ts';
import { publishWebhookMetrics } from './webhook-metrics.ts';
import { readWebhookEnv, webhookReceiverFromEnv } from '../system/from-env.ts';
import type { WebhookReceiver } from '../system/webhook-receiver.ts';
import type { FunctionUrlEvent, FunctionUrlResponse } from '../webhooks/receive.ts';

const logger = new Logger();
const metrics = new Metrics();
let receiver: WebhookReceiver | undefined;

/**
 * The function URL's handler (payload format 2.0): one GitHub or GitLab delivery, answered
 * well inside GitHub's 10 s. Config is read once per container; a bad setting fails the
 * invocation with a message naming the variable.
 */
export async function handler(event: FunctionUrlEvent, context: Context): Promise<FunctionUrlResponse> {
  logger.addContext(context);
  receiver ??= webhookReceiverFromEnv(readWebhookEnv(process.env), { log: powertoolsLog(logger) });
  const report = await receiver.receive(event, () => context.getRemainingTimeInMillis());
  publishWebhookMetrics(metrics, report);
  metrics.publishStoredMetrics();
  const { response, applied, ...fields } = report;
  const rows = applied
    ? { matched: applied.matched, refreshed: applied.summary.refreshed, madeDue: applied.madeDue, skipped: applied.skipped, unfinished: applied.unfinished }
    : {};
  if (report.outcome === 'refused') logger.warn('webhook delivery refused', { ...fields, statusCode: response.statusCode });
  else logger.info('webhook delivery', { ...fields, ...rows, statusCode: response.statusCode });
  return response;
}
