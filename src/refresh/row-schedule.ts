import type { DiffStatusRow } from '../domain/row.ts';

/** A row waiting for a refresh slot: the token its calls use and how many calls it should take. */
export interface ScheduledRow {
  token: string;
  calls: number;
}

export interface ScheduleLimits {
  /** Rows in flight at once, across all tokens. */
  concurrency: number;
  /** Rows in flight at once per token. */
  perTokenConcurrency: number;
}

/**
 * The calls a row's refresh is expected to make (see `Refresher`): a PR the row shows open is
 * its pull and its reviews; one it shows closed or merged first needs the branch's open PR
 * searched (a successor) and then its newest PR; no stored PR is one search before the two.
 * Only a weight for ordering: a row that turns out otherwise is still refreshed in full.
 */
export function expectedCalls(row: Pick<DiffStatusRow, 'url' | 'pullRequestState'>): number {
  if (!row.url) return 3;
  return row.pullRequestState === 'closed' || row.pullRequestState === 'merged' ? 4 : 2;
}

/**
 * Which waiting row starts next in a free slot, or -1 when none may (every waiting row's token
 * is at its limit). The token with the most calls still waiting goes first: its rows are the
 * ones that would otherwise be left over at the end of the batch, running a token's limit at
 * a time while the other slots stand idle. Within it, the row with most calls (it holds its
 * slot longest), then input order.
 */
export function nextRow(
  waiting: readonly number[],
  rows: readonly ScheduledRow[],
  activeByToken: ReadonlyMap<string, number>,
  waitingCallsByToken: ReadonlyMap<string, number>,
  perTokenConcurrency: number,
): number {
  let best = -1;
  let bestLoad = -1;
  let bestCalls = -1;
  waiting.forEach((index, at) => {
    const row = rows[index]!;
    if ((activeByToken.get(row.token) ?? 0) >= perTokenConcurrency) return;
    const load = waitingCallsByToken.get(row.token) ?? 0;
    if (load > bestLoad || (load === bestLoad && row.calls > bestCalls)) {
      best = at;
      bestLoad = load;
      bestCalls = row.calls;
    }
  });
  return best;
}

/**
 * Runs `start(i)` for every row under both limits, taking a global and a token slot together
 * when both are free: a row never holds one slot while it waits for the other, so a token's
 * next row is not queued behind every other token's rows when one of its own ends. Rejects
 * with the first task that rejects.
 */
export function runScheduled(rows: readonly ScheduledRow[], limits: ScheduleLimits, start: (index: number) => Promise<void>): Promise<void> {
  const waiting = rows.map((_, i) => i);
  const active = new Map<string, number>();
  const waitingCalls = new Map<string, number>();
  for (const row of rows) waitingCalls.set(row.token, (waitingCalls.get(row.token) ?? 0) + row.calls);
  const add = (map: Map<string, number>, token: string, by: number) => map.set(token, (map.get(token) ?? 0) + by);
  let running = 0;
  let left = rows.length;
  return new Promise((resolve, reject) => {
    if (left === 0) return resolve();
    const fill = () => {
      while (running < limits.concurrency) {
        const at = nextRow(waiting, rows, active, waitingCalls, limits.perTokenConcurrency);
        if (at < 0) return;
        const index = waiting.splice(at, 1)[0]!;
        const { token, calls } = rows[index]!;
        running += 1;
        add(active, token, 1);
        add(waitingCalls, token, -calls);
        start(index).then(
          () => {
            running -= 1;
            add(active, token, -1);
            if (--left === 0) resolve();
            else fill();
          },
          reject,
        );
      }
    };
    fill();
  });
}
