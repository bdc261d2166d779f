/**
 * The anchor's fixed capacity on a timeline: a tick every `intervalMs` takes the `batchSize`
 * oldest due rows; the k-th of them (from 0) is refreshed `finishMs(k)` after the tick starts
 * (HTTP only: its database work is free, which favours the anchor) and is next due `ttlMs`
 * after that. Lateness = refresh instant - staleAt.
 */
export interface AnchorModelInput {
  /** Each row's first staleAt (epoch ms). */
  staleAts: readonly number[];
  start: number;
  end: number;
  intervalMs: number;
  batchSize: number;
  ttlMs: number;
  finishMs(position: number): number;
}

export interface LatenessSamples {
  /** One per refresh inside [start, end]. */
  refreshed: number[];
  /** Rows still due at `end`: their lateness so far (a lower bound). */
  pending: number[];
}

export function anchorLateness(input: AnchorModelInput): LatenessSamples {
  const staleAt = [...input.staleAts];
  const refreshed: number[] = [];
  for (let tick = input.start; tick <= input.end; tick += input.intervalMs) {
    const due = staleAt
      .map((at, row) => ({ at, row }))
      .filter((r) => r.at <= tick)
      .sort((a, b) => a.at - b.at)
      .slice(0, input.batchSize);
    due.forEach(({ at, row }, k) => {
      const done = tick + input.finishMs(k);
      refreshed.push(done - at);
      staleAt[row] = done + input.ttlMs;
    });
  }
  return { refreshed, pending: pendingLateness(staleAt, input.end) };
}

export function pendingLateness(staleAts: readonly number[], end: number): number[] {
  return staleAts.filter((at) => at < end).map((at) => end - at);
}
