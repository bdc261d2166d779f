import { setTimeout as sleep } from 'node:timers/promises';
import type { TickSummary } from '../../refresh/tick-summary.ts';

/** One finished invocation of the refresh handler. */
export interface TickReport {
  summary: TickSummary;
  startedAt: number;
  endedAt: number;
}

/** The refresh handler as the loop calls it. */
export type InvokeRefresh = (payload: Record<string, unknown>) => Promise<TickSummary>;

export interface LoopOptions {
  /** The state machine's waits are divided by this. */
  speed: number;
  invoke: InvokeRefresh;
  /** Awaited before the loop goes on, so observers see each tick's effect alone. */
  onTick(report: TickReport): Promise<void>;
  /** A tick that threw (the state machine would catch it and go on). */
  onFailure(error: unknown): void;
}

export interface RefreshLoop {
  /** Starts nothing new, cuts waits short and resolves once every running tick has ended. */
  stop(): Promise<void>;
}

const TICK_INTERVAL_MS = 10_000;

/**
 * Runs the refresh handler every 10 s (divided by `speed`), one tick at a time.
 */
export function startRefreshLoop(options: LoopOptions): RefreshLoop {
  const stopping = new AbortController();
  const run = (async () => {
    while (!stopping.signal.aborted) {
      const startedAt = Date.now();
      try {
        const summary = await options.invoke({ source: 'gitsync.local-run', slot: new Date(startedAt).toISOString() });
        await options.onTick({ summary, startedAt, endedAt: Date.now() });
      } catch (err) {
        options.onFailure(err);
      }
      const next = startedAt + TICK_INTERVAL_MS / options.speed;
      await sleep(Math.max(0, next - Date.now()), undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await run;
    },
  };
}
