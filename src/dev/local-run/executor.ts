import { setTimeout as sleep } from 'node:timers/promises';
import { StateMachine } from 'aws-local-stepfunctions';
import { LOOP_PERIOD_MS, loopMinuteEnd } from '../../loop/rhythm.ts';
import type { TickSummary } from '../../refresh/tick-summary.ts';
import { stateMachineSource, substituteDefinition } from '../state-machine.ts';
import type { CfnTemplate } from '../template.ts';

/** One finished invocation of the refresh handler. */
export interface TickReport {
  summary: TickSummary;
  startedAt: number;
  endedAt: number;
}

/** The refresh handler as the state machine's Task calls it: with the Task's `Payload`. */
export type InvokeRefresh = (payload: Record<string, unknown>) => Promise<TickSummary>;

export interface LoopOptions {
  template: CfnTemplate;
  /** The template's state machine to run. */
  stateMachine: string;
  /** Waits (of the state machine, and between scheduled starts) are divided by this. */
  speed: number;
  invoke: InvokeRefresh;
  /** Awaited before the Task returns; calls never overlap, so each sees one tick's effect. */
  onTick(report: TickReport): Promise<void>;
  /** A tick that threw: the state machine catches it and goes on at its next slot. */
  onFailure(error: unknown): void;
}

export interface RefreshLoop {
  /** Starts no execution, aborts the running ones and resolves once every running tick has ended. */
  stop(): Promise<void>;
}

/** EventBridge's schedule for the state machine: one execution per loop period (a minute). */
const SCHEDULE_MS = LOOP_PERIOD_MS;
const LOCAL_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:gitsync-local-RefreshFunction';

interface TaskState {
  Type: 'Task';
  Resource: string;
  Retry?: { IntervalSeconds?: number }[];
}
interface Definition {
  States: Record<string, { Type: string; ItemProcessor?: Definition } | TaskState>;
}

/** Every state, those inside a Map's processor (the fan-out's workers) included. */
function allStates(definition: Definition): [string, Definition['States'][string]][] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, Definition['States'][string]],
    ...('ItemProcessor' in state && state.ItemProcessor ? allStates(state.ItemProcessor) : []),
  ]);
}

/**
 * Runs the template's state machine under aws-local-stepfunctions, started once a minute as
 * EventBridge does, every Task bound to the refresh handler. Step Functions' `$$.State.EnteredTime`
 * (which the library lacks) and the waits follow a schedule clock per execution that starts
 * at the top of the execution's minute and runs `speed` times faster than real time; a Wait
 * ends at once and the Task then sleeps until the clock reaches its slot, the instant the Wait
 * was for. The handler itself only ever sees real time.
 */
export function startRefreshLoop(options: LoopOptions): RefreshLoop {
  const source = stateMachineSource(options.template, options.stateMachine);
  const definition = substituteDefinition(source.text, { RefreshFunctionArn: LOCAL_FUNCTION_ARN }) as Definition;
  const machine = new StateMachine(definition as never);
  // Every Task, the Map's worker Task included, is bound to the local handler: none calls AWS.
  const states = allStates(definition);
  const tasks = states.filter((s): s is [string, TaskState] => s[1].Type === 'Task').map(([name, state]) => ({ name, state }));
  const waits = states.filter(([, s]) => s.Type === 'Wait').map(([name]) => name);

  const stopping = new AbortController();
  const running = new Set<{ abort(): void; result: Promise<unknown> }>();
  const inFlight = new Set<Promise<unknown>>();
  let observed: Promise<void> = Promise.resolve();

  const execute = () => {
    let schedule: { realStart: number; minute: number } | undefined;
    const scheduleNow = () =>
      schedule ? schedule.minute + (Date.now() - schedule.realStart) * options.speed : Date.now();

    const refresh = async (raw: unknown): Promise<unknown> => {
      const payload = (raw as { Payload: Record<string, unknown> }).Payload;
      if (schedule === undefined) {
        const realStart = Date.parse(String(payload['executionStartTime']));
        schedule = { realStart, minute: loopMinuteEnd(realStart) - LOOP_PERIOD_MS };
      } else {
        const slot = Date.parse(String(payload['slot']));
        const waitMs = (slot - scheduleNow()) / options.speed;
        if (waitMs > 0) await sleep(waitMs, undefined, { signal: stopping.signal }).catch(() => {});
      }
      if (stopping.signal.aborted) throw Object.assign(new Error('the local run is stopping'), { name: 'Local.Stopping' });
      const startedAt = Date.now();
      let summary: TickSummary;
      try {
        summary = await options.invoke(payload);
      } catch (err) {
        options.onFailure(err);
        throw err;
      }
      const report = { summary, startedAt, endedAt: Date.now() };
      observed = observed.then(() => options.onTick(report)).catch((err: unknown) => options.onFailure(err));
      await observed;
      return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: summary };
    };
    const tracked = (raw: unknown) => {
      const call = refresh(raw);
      inFlight.add(call);
      void call.catch(() => {}).finally(() => inFlight.delete(call));
      return call as Promise<never>;
    };

    const execution = machine.run({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} } as never, {
      noThrowOnAbort: true,
      context: { State: { get EnteredTime() { return new Date(scheduleNow()).toISOString(); } } } as never,
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(tasks.map((t) => [t.name, tracked])),
        waitTimeOverrides: Object.fromEntries(waits.map((name) => [name, 0])),
        // At real speed Retry keeps its own backoff and jitter; faster, each retrier's first interval, shortened.
        ...(options.speed === 1
          ? {}
          : {
              retryIntervalOverrides: Object.fromEntries(
                tasks.filter((t) => t.state.Retry).map((t) => [t.name, t.state.Retry!.map((r) => ((r.IntervalSeconds ?? 1) * 1000) / options.speed)]),
              ),
            }),
      },
    });
    running.add(execution);
    void execution.result.catch((err: unknown) => options.onFailure(err)).finally(() => running.delete(execution));
  };

  const startedAt = Date.now();
  const scheduler = (async () => {
    for (let n = 1; !stopping.signal.aborted; n++) {
      execute();
      const next = startedAt + (n * SCHEDULE_MS) / options.speed;
      await sleep(Math.max(0, next - Date.now()), undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await scheduler;
      for (const execution of running) execution.abort();
      await Promise.allSettled([...running].map((e) => e.result));
      await Promise.allSettled([...inFlight]);
      await observed.catch(() => {});
    },
  };
}
