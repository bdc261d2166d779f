import { nearestRank } from '../src/dev/nearest-rank.ts';

/** Nearest-rank percentile (p in 0..100) of already sorted values; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  return nearestRank(sorted, p / 100) ?? Number.NaN;
}

export interface Distribution {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}
