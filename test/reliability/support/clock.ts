import type { Clock } from '../../../src/domain/clock.ts';

/**
 * Real elapsed time plus manual jumps, strictly increasing: two calls never return the same
 * instant, so "claimed after that write was planned" is decidable from recorded times even
 * when several ticks run at once.
 */
export class SteppingClock implements Clock {
  readonly #startedAt = performance.now();
  #base: number;
  #last = -Infinity;

  constructor(start = Date.UTC(2026, 10, 28, 12, 0, 0)) {
    this.#base = start;
  }

  now(): number {
    const t = Math.floor(this.#base + performance.now() - this.#startedAt);
    this.#last = Math.max(t, this.#last + 1);
    return this.#last;
  }

  /** Jumps ahead (a Lambda that slept, ticks that came later). */
  advance(ms: number): void {
    this.#base += ms;
  }
}
