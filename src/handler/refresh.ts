import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import type { TickSummary } from '../refresh/tick-summary.ts';
import { readRefreshEnv, systemFromEnv, type EnvSystem } from '../system/from-env.ts';
import { loopEndsAtFor } from './loop-window.ts';
import { powertoolsLog } from './powertools-log.ts';
import { publishTickMetrics } from './tick-metrics.ts';

const logger = new Logger();
const metrics = new Metrics();
// Traces only inside Lambda with active tracing; a no-op elsewhere.
const tracer = new Tracer();
let system: EnvSystem | undefined;

/**
 * The state machine's Task: one tick, ending (write-backs included) before the loop
 * execution's minute does. Config is read once per container; a bad setting fails the
 * invocation with a message naming the variable. Row-level failures never throw: they
 * are counted in the returned summary, which also tells the loop whether a backlog remains.
 */
export async function handler(event: unknown, context: Context): Promise<TickSummary> {
  logger.addContext(context);
  system ??= systemFromEnv(readRefreshEnv(process.env), {
    log: powertoolsLog(logger),
    instrumentDynamoDb: (client) => tracer.captureAWSv3Client(client),
  });
  const summary = await system.tick({
    remainingMs: () => context.getRemainingTimeInMillis(),
    loopEndsAt: loopEndsAtFor(event, Date.now()),
  });
  publishTickMetrics(metrics, summary);
  metrics.publishStoredMetrics();
  logger.info('tick finished', { summary });
  return summary;
}
