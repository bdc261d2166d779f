/**
 * A cold start in a new process: builds every part from scratch (DynamoDB client, provider
 * registry, the container's shared HTTP agent, token resolver) over an existing table and runs
 * the loop for a while on its own virtual clock. Input: one JSON argument; output: JSON, last line.
 */
import { VirtualClock } from './virtual-clock.ts';
import { createWorker, runLoop, type WorkerSettings } from './worker.ts';
import type { WorldConfig } from './world.ts';

export interface ColdStartInput {
  world: WorldConfig;
  settings: WorkerSettings;
  startAt: number;
  durationMs: number;
}

export interface ColdStartOutput {
  refreshed: number;
  ticks: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as ColdStartInput;
const clock = new VirtualClock(input.startAt);
const worker = createWorker(input.world, input.settings, clock);
const run = await runLoop(worker, clock, input.startAt + input.durationMs);
worker.close();
const output: ColdStartOutput = { refreshed: worker.refreshes.length, ticks: run.ticks.length };
console.log(JSON.stringify(output));
process.exit(0);
