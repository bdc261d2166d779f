import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { describeError } from '../domain/errors.ts';
import { runSlot, slotParts, type SlotAnswer } from '../loop/slot.ts';
import { loopEndsAtFor, loopRole } from '../loop/task.ts';
import { readRefreshEnv, systemFromEnv, type EnvSystem } from '../system/from-env.ts';
import { powertoolsLog } from './powertools-log.ts';
import { reportTick } from './tick-metrics.ts';
import { tracesHere } from './tracing.ts';

const logger = new Logger();
const metrics = new Metrics();
// Traces only inside Lambda with tracing on; elsewhere (and with TracingMode PassThrough) the
// X-Ray SDK is not loaded at all.
const tracer = tracesHere(process.env) ? new (await import('@aws-lambda-powertools/tracer')).Tracer() : undefined;
let system: EnvSystem | undefined;
let started: Promise<void> | undefined;

/**
 * The state machine's Tasks: the slot's lead (one tick over every shard, or a census and the
 * shard groups for the loop's Workers Map when one worker is not enough) or a worker (one
 * tick over its group), ending (write-backs included) before the loop execution's minute does. Config is read once per container; a bad setting fails the
 * invocation with a message naming the variable. Row-level failures never throw: they
 * are counted in the returned summary, which also tells the loop whether a backlog remains.
 */
export async function handler(event: unknown, context: Context): Promise<SlotAnswer> {
  logger.addContext(context);
  system ??= systemFromEnv(readRefreshEnv(process.env), {
    log: powertoolsLog(logger),
    ...(tracer ? { instrumentDynamoDb: (client) => tracer.captureAWSv3Client(client) } : {}),
  });
  const live = system;
  // Checked once per container before any row is touched (a GitHub App's key must read).
  started ??= live.start().catch((err: unknown) => {
    started = undefined;
    metrics.addMetric('StartFailures', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    logger.error('the function cannot start; no row was touched', { error: describeError(err) });
    throw err;
  });
  await started;
  const run = { remainingMs: () => context.getRemainingTimeInMillis(), loopEndsAt: loopEndsAtFor(event, live.clock.now()) };
  const onCensusError = (err: unknown) => logger.warn('due census failed; the lead ticks every shard itself', { error: describeError(err) });
  const summary = await runSlot(slotParts(live, run, { onCensusError }), loopRole(event), live.clock.now());
  reportTick(metrics, logger, summary);
  return summary;
}
