/** Time source, injected so every backoff rule can be tested at exact instants. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
