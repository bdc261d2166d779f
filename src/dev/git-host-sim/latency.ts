import type { Random } from './prng.ts';
import type { SimRoute as Route } from './dialect.ts';

/**
 * Delay before each answer: a fixed number of ms, a base plus uniform jitter in
 * [0, jitterMs], or a function of the request (null route: not a served endpoint).
 */
export type LatencyOption = number | { baseMs: number; jitterMs?: number } | ((route: Route | null) => number);

export function latencyOf(option: LatencyOption | undefined, rng: Random): (route: Route | null) => number {
  if (option === undefined) return () => 0;
  if (typeof option === 'function') return (route) => Math.max(0, option(route));
  const { baseMs, jitterMs = 0 } = typeof option === 'number' ? { baseMs: option } : option;
  if (baseMs < 0 || jitterMs < 0) throw new RangeError('latency and jitter must not be negative');
  return () => baseMs + (jitterMs > 0 ? rng.next() * jitterMs : 0);
}
