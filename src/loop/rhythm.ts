/**
 * The refresh loop's rhythm, in one place: template.yaml's schedule starts one Step Functions
 * execution a minute (EventBridge's finest rate), which ticks in 10-second slots of its own
 * minute (infra/refresh-loop.asl.json, checked against this file by test/infra/loop-rhythm.test.ts);
 * the handler ends each tick before that minute does, and the bench replays the same slots.
 */

/** One loop execution per minute; the cron form fires at the start of each minute, unlike `rate()`. */
export const LOOP_SCHEDULE = 'cron(* * * * ? *)';
export const LOOP_PERIOD_MS = 60_000;
/** A tick starts at each 10-second slot of the execution's minute. */
export const SLOT_INTERVAL_MS = 10_000;
export const SLOTS_PER_MINUTE = LOOP_PERIOD_MS / SLOT_INTERVAL_MS;

/** Seconds of the minute of the slots after the first (which runs at once): 10, 20, ..., 50. */
export function laterSlotSeconds(): number[] {
  return Array.from({ length: SLOTS_PER_MINUTE - 1 }, (_, i) => ((i + 1) * SLOT_INTERVAL_MS) / 1_000);
}

/** The state machine's list of later slots, as its `Plan` state builds them from `$.minute` ('YYYY-MM-DDTHH:MM'). */
export function slotsExpression(): string {
  const slots = laterSlotSeconds().map((s) => `States.Format('{}:${String(s).padStart(2, '0')}Z', $.minute)`);
  return `States.Array(${slots.join(', ')})`;
}

/** When the loop execution that started at `startedAt` (epoch ms) reaches the end of its minute. */
export function loopMinuteEnd(startedAt: number): number {
  return startedAt - (startedAt % LOOP_PERIOD_MS) + LOOP_PERIOD_MS;
}
