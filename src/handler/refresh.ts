import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { emptySummary, type TickSummary } from '../refresh/tick-summary.ts';
import { describeError } from '../domain/errors.ts';
import { loopRole } from '../scale/loop-event.ts';
import { leadSlot, type LeadAnswer } from '../scale/slot-lead.ts';
import { readRefreshEnv, systemFromEnv, type EnvSystem } from '../system/from-env.ts';
import { loopEndsAtFor } from './loop-window.ts';
import { powertoolsLog } from './powertools-log.ts';
import { reportTick } from './tick-metrics.ts';
import { dynamoDbTracing } from './tracing.ts';

const logger = new Logger();
const metrics = new Metrics();
// Started at init (no top-level await: the bundle is CommonJS), so where it traces the X-Ray
// SDK loads with the function, as before; elsewhere it is not loaded at all.
const tracing = dynamoDbTracing(process.env);
let system: EnvSystem | undefined;
let started: Promise<void> | undefined;

/**
 * The state machine's Tasks: the slot's lead (one tick over every shard, or a census and the
 * shard groups for the loop's Workers Map when one worker is not enough) or a worker (one
 * tick over its group), ending (write-backs included) before the loop execution's minute does. Config is read once per container; a bad setting fails the
 * invocation with a message naming the variable. Row-level failures never throw: they
 * are counted in the returned summary, which also tells the loop whether a backlog remains.
 */
export async function handler(event: unknown, context: Context): Promise<TickSummary | LeadAnswer> {
  logger.addContext(context);
  system ??= systemFromEnv(readRefreshEnv(process.env), { log: powertoolsLog(logger), ...(await tracing) });
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
  const tick = (shards?: readonly number[]) => live.tick({ ...run, ...(shards ? { shards } : {}) });
  const role = loopRole(event);
  const census = live.census;
  const summary: TickSummary | LeadAnswer =
    role.role === 'worker'
      ? await live.tick({ ...run, shards: role.shards, fanOutWorker: true })
      : census
        ? await leadSlot(
            { census, tick, emptySummary, onCensusError: (err) => logger.warn('due census failed; the lead ticks every shard itself', { error: describeError(err) }) },
            live.settings.fanOut,
            live.clock.now(),
            role.slotIndex,
          )
        : { ...(await tick()), groups: [], dueEstimate: null };
  reportTick(metrics, logger, summary);
  return summary;
}
