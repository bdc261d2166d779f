import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectedCalls, nextRow, runScheduled, type ScheduledRow } from '../../src/refresh/row-schedule.ts';

test('expected calls follow the refresh path the row will take', () => {
  const cases: [Parameters<typeof expectedCalls>[0], number][] = [
    [{ url: 'https://git.test/o/r/pull/1', pullRequestState: 'open' }, 2],
    [{ url: 'https://git.test/o/r/pull/1' }, 2],
    [{ url: 'https://git.test/o/r/pull/1', pullRequestState: 'closed' }, 4],
    [{ url: 'https://git.test/o/r/pull/1', pullRequestState: 'merged' }, 4],
    [{}, 3],
    [{ url: '', pullRequestState: 'merged' }, 3],
  ];
  for (const [row, calls] of cases) assert.equal(expectedCalls(row), calls, JSON.stringify(row));
});

test('the next row is of the token with most calls waiting, then the heavier row, then input order', () => {
  const rows: ScheduledRow[] = [
    { token: 'a', calls: 2 },
    { token: 'b', calls: 2 },
    { token: 'b', calls: 4 },
    { token: 'c', calls: 2 },
    { token: 'c', calls: 2 },
    { token: 'c', calls: 2 },
  ];
  const waitingCalls = (waiting: number[]) => {
    const m = new Map<string, number>();
    for (const i of waiting) m.set(rows[i]!.token, (m.get(rows[i]!.token) ?? 0) + rows[i]!.calls);
    return m;
  };
  const all = [0, 1, 2, 3, 4, 5];
  const cases: { waiting: number[]; active: [string, number][]; perToken: number; pick: number | -1 }[] = [
    // c and b both wait 6 calls: b's 4-call row is heavier than c's first.
    { waiting: all, active: [], perToken: 2, pick: 2 },
    // b at its limit: c (6 calls) before a (2).
    { waiting: all, active: [['b', 2]], perToken: 2, pick: 3 },
    // b and c at their limit: a.
    { waiting: all, active: [['b', 1], ['c', 1]], perToken: 1, pick: 0 },
    // every waiting row's token at its limit: none.
    { waiting: [1, 3], active: [['b', 1], ['c', 1]], perToken: 1, pick: -1 },
    { waiting: [], active: [], perToken: 1, pick: -1 },
  ];
  for (const c of cases) {
    const at = nextRow(c.waiting, rows, new Map(c.active), waitingCalls(c.waiting), c.perToken);
    assert.equal(at === -1 ? -1 : c.waiting[at], c.pick, JSON.stringify(c));
  }
});

test('a token whose rows wait does not hold back a free slot, and both limits hold', async () => {
  // a: 3 rows, b and c: 1 row each; 2 slots, 1 per token. Nested limits (token slot, then a
  // global one) would queue a's second row behind b's and c's; here it starts when a0 ends.
  const rows: ScheduledRow[] = [
    { token: 'b', calls: 2 },
    { token: 'a', calls: 2 },
    { token: 'a', calls: 2 },
    { token: 'a', calls: 2 },
    { token: 'c', calls: 2 },
  ];
  const started: number[] = [];
  const release = new Map<number, () => void>();
  let running = 0;
  let maxRunning = 0;
  const perToken = new Map<string, number>();
  const done = runScheduled(rows, { concurrency: 2, perTokenConcurrency: 1 }, (i) => {
    started.push(i);
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    const token = rows[i]!.token;
    perToken.set(token, (perToken.get(token) ?? 0) + 1);
    assert.ok(perToken.get(token)! <= 1, `token ${token} over its limit`);
    return new Promise<void>((resolve) =>
      release.set(i, () => {
        running -= 1;
        perToken.set(token, perToken.get(token)! - 1);
        resolve();
      }),
    );
  });
  const settle = () => new Promise((r) => setImmediate(r));
  await settle();
  assert.deepEqual(started, [1, 0]);
  release.get(1)!();
  await settle();
  assert.deepEqual(started, [1, 0, 2], "a's next row takes a's freed slot");
  release.get(0)!();
  await settle();
  assert.deepEqual(started, [1, 0, 2, 4]);
  release.get(2)!();
  await settle();
  release.get(4)!();
  await settle();
  assert.deepEqual(started, [1, 0, 2, 4, 3]);
  release.get(3)!();
  await done;
  assert.equal(maxRunning, 2);
});

test('no rows resolve at once; a failing row rejects the run', async () => {
  await runScheduled([], { concurrency: 1, perTokenConcurrency: 1 }, () => Promise.reject(new Error('never called')));
  await assert.rejects(
    runScheduled([{ token: 'a', calls: 2 }], { concurrency: 1, perTokenConcurrency: 1 }, () => Promise.reject(new Error('boom'))),
    /boom/,
  );
});
