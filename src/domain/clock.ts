import { setTimeout as wait } from 'node:timers/promises';

/** Time source, injected so every backoff rule can be tested at exact instants. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/**
 * A clock that also waits, for the parts of refreshing that pause or give up (a throttle's
 * pause, a deadline's abort): injected like the clock, so no product path waits on real time
 * behind its back.
 */
export interface WaitingClock extends Clock {
  /** Resolves `ms` from now. */
  sleep(ms: number): Promise<void>;
  /** A signal that aborts `ms` from now with a `TimeoutError`, as `AbortSignal.timeout` does. */
  abortAfter(ms: number): AbortSignal;
}

/** Real time: the one place the product reads the system clock (the composition root injects it). */
export const systemClock: WaitingClock = {
  now: () => Date.now(),
  sleep: (ms) => wait(ms),
  abortAfter: (ms) => AbortSignal.timeout(ms),
};

/** `clock`'s time with real waits, for a clock that only tells the time (a test's, the bench's virtual one). */
export function withRealWaits(clock: Clock | WaitingClock): WaitingClock {
  if ('sleep' in clock && 'abortAfter' in clock) return clock;
  return { now: () => clock.now(), sleep: systemClock.sleep, abortAfter: systemClock.abortAfter };
}
