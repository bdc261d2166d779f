import type { Clock } from '../src/domain/clock.ts';

/**
 * A clock that runs at real speed while work happens (HTTP, DynamoDB) and jumps over waits:
 * the loop's 10 s pauses and the TTLs cost no real time, the requests cost exactly theirs.
 */
export class VirtualClock implements Clock {
  readonly #origin: number;
  readonly #realStart = performance.now();
  #skipped = 0;

  constructor(start: number) {
    this.#origin = start;
  }

  now(): number {
    return Math.floor(this.#origin + this.#skipped + (performance.now() - this.#realStart));
  }

  /** Moves to `instant` at once when it is in the future; never goes back. */
  skipTo(instant: number): void {
    const ahead = instant - this.now();
    if (ahead > 0) this.#skipped += ahead;
  }
}
