import type { Clock } from '../src/domain/clock.ts';

/**
 * A clock that runs at real speed while work happens (HTTP, DynamoDB) and jumps over waits:
 * the loop's 10 s pauses and the TTLs cost no real time, the requests cost exactly theirs.
 * `rate` is virtual seconds per real second while work happens: below 1, one process standing
 * in for many Lambda workers, each with CPU of its own, gets more real time per virtual second;
 * above 1, a run whose work costs little real CPU (simulated latency) covers its virtual
 * window sooner. The caller scales simulated latencies by 1 / rate to keep them.
 */
export class VirtualClock implements Clock {
  readonly #origin: number;
  readonly #rate: number;
  readonly #realStart = performance.now();
  #skipped = 0;

  constructor(start: number, rate = 1) {
    if (!(rate > 0 && Number.isFinite(rate))) throw new RangeError(`rate must be a positive number, got ${rate}`);
    this.#origin = start;
    this.#rate = rate;
  }

  now(): number {
    return Math.floor(this.#origin + this.#skipped + (performance.now() - this.#realStart) * this.#rate);
  }

  /** Moves to `instant` at once when it is in the future; never goes back. */
  skipTo(instant: number): void {
    const ahead = instant - this.now();
    if (ahead > 0) this.#skipped += ahead;
  }
}
