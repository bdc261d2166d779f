import { createHash } from 'node:crypto';

/**
 * Small seeded pseudo-random generator (a 32-bit xorshift-multiply mix), so a simulated
 * world replays identically for a seed without any dependency.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An independent generator, derived from this one's seed and `label`. */
  fork(label: string): Random;
}

export function seededRandom(seed: number | string): Random {
  const origin = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  let state = origin;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('cannot pick from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    fork: (label) => seededRandom(hashString(`${origin}:${label}`)),
  };
}

/** A 32-bit seed from a label. */
function hashString(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}
