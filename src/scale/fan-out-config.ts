import { integer } from '../config/env.ts';
import { INLINE_MAP_MAX_CONCURRENCY } from './partition-limits.ts';
import type { FanOutSettings } from './fan-out.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** MAX_WORKERS (default 8), RESERVED_CONCURRENCY (default 0: none), ROWS_PER_WORKER (default 300). */
export function readFanOutSettings(env: Env): FanOutSettings {
  return {
    maxWorkers: integer(env, 'MAX_WORKERS', 8, 1, INLINE_MAP_MAX_CONCURRENCY),
    reservedConcurrency: integer(env, 'RESERVED_CONCURRENCY', 0, 0, 100_000),
    rowsPerWorker: integer(env, 'ROWS_PER_WORKER', 300, 1, 1_000_000),
  };
}
