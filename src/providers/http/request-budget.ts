import { createHash } from 'node:crypto';

const HOUR_MS = 3_600_000;

/**
 * At most `perHour` requests per token in any rolling hour, counted in this process (the
 * refresh loop's container lives from tick to tick). `take` counts one request when the
 * budget allows it and returns null, or returns the instant at which it will. Tokens are
 * keyed by a digest, never kept as they are.
 */
export class RequestBudget {
  readonly #perHour: number;
  readonly #sent = new Map<string, number[]>();

  constructor(perHour: number) {
    if (!Number.isInteger(perHour) || perHour < 1) throw new RangeError(`an hourly request budget must be a whole number >= 1, got ${perHour}`);
    this.#perHour = perHour;
  }

  take(token: string, now: number): number | null {
    const key = createHash('sha256').update(token).digest('base64url');
    const times = (this.#sent.get(key) ?? []).filter((t) => t > now - HOUR_MS);
    if (times.length >= this.#perHour) {
      this.#sent.set(key, times);
      return times[0]! + HOUR_MS;
    }
    times.push(now);
    this.#sent.set(key, times);
    return null;
  }
}
