/**
 * The local executor runs the template's real state machine definition: each execution's
 * Task calls follow its slots (first at once, then the minute's 10-second slots in order),
 * failures are caught by the definition and the loop goes on, and stop() ends everything.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRefreshLoop, type TickReport } from '../../../src/dev/local-run/executor.ts';
import { loadTemplate } from '../../../src/dev/template.ts';
import { emptySummary } from '../../../src/refresh/tick-summary.ts';

const template = loadTemplate();

async function until(condition: () => boolean): Promise<void> {
  // A guard against a hang, not a timing assertion.
  const guard = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > guard) throw new Error('gave up waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('executions start on schedule and call the handler at their slots, in order', async () => {
  const payloads: Record<string, unknown>[] = [];
  const reports: TickReport[] = [];
  let overlapping = 0;
  let inside = 0;
  const loop = startRefreshLoop({
    template,
    stateMachine: 'RefreshLoop',
    speed: 60,
    invoke: async (payload) => {
      payloads.push(payload);
      return emptySummary();
    },
    async onTick(report) {
      inside += 1;
      if (inside > 1) overlapping += 1;
      reports.push(report);
      await new Promise((r) => setTimeout(r, 5));
      inside -= 1;
    },
    onFailure: (err) => assert.fail(`unexpected failure: ${String(err)}`),
  });
  // Two executions: the second starts a (shortened) minute after the first.
  await until(() => new Set(payloads.map((p) => p['executionStartTime'])).size >= 2);
  await loop.stop();
  const count = payloads.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(payloads.length, count, 'nothing runs after stop()');
  assert.equal(reports.length, count);
  assert.equal(overlapping, 0, 'observers never overlap');

  const byExecution = Map.groupBy(payloads, (p) => String(p['executionStartTime']));
  const [first] = [...byExecution.values()];
  assert.ok(first);
  assert.equal(first[0]!['slot'], first[0]!['executionStartTime'], 'the first tick runs at once');
  const minute = String(first[0]!['executionStartTime']).slice(0, 16);
  const later = first.slice(1).map((p) => String(p['slot']));
  assert.ok(later.length >= 1 && later.length <= 5, `${later.length} slots after the first tick`);
  for (const slot of later) assert.match(slot, new RegExp(`^${minute}:[1-5]0Z$`));
  assert.deepEqual(later, [...later].sort(), 'slots in order');
  for (const p of payloads) assert.equal(p['source'], 'gitsync.loop');
});

test('a failing tick is reported and the loop goes on', async () => {
  let calls = 0;
  const failures: unknown[] = [];
  const loop = startRefreshLoop({
    template,
    stateMachine: 'RefreshLoop',
    speed: 60,
    invoke: async () => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('boom'), { name: 'TickBoom' });
      return emptySummary();
    },
    onTick: async () => {},
    onFailure: (err) => void failures.push(err),
  });
  await until(() => calls >= 3);
  await loop.stop();
  assert.equal(failures.length, 1);
  assert.equal((failures[0] as Error).message, 'boom');
});
