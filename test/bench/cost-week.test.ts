import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CADENCE } from '../../src/cadence/policy.ts';
import { simulateWeek, type Design } from '../../bench/scenarios/cost.ts';

const GITSYNC: Design = { name: 'gitsync', store: 'slots', cadence: DEFAULT_CADENCE };
const MINUTE = 60_000;

test('the week\'s slow paths reach their rows: a token linked within a slot or two, a lost delivery at the safety poll, or at the App\'s next redelivery pass', async () => {
  const hooks = await simulateWeek(GITSYNC, 60, {}, 0.5, true, 30);
  assert.ok(hooks.changeToRow.tokenLinked.length > 0 && hooks.changeToRow.prOpened.length > 0 && hooks.changeToRow.reopened.length > 0, JSON.stringify(hooks.changeToRow));
  for (const ms of hooks.changeToRow.tokenLinked) assert.ok(ms <= 30_000, `a linked token makes the row due at once: ${ms} ms`);
  assert.ok(hooks.lostDeliveries > 0 && hooks.redeliveries === 0, 'without an App nothing is redelivered');
  assert.equal(hooks.changeToRow.lostDelivery.length, hooks.lostDeliveries);
  for (const ms of hooks.changeToRow.lostDelivery) assert.ok(ms <= DEFAULT_CADENCE.webhookSafetyTtlMs + MINUTE, `the safety poll finds a lost delivery's change: ${ms} ms`);

  const app = await simulateWeek(GITSYNC, 60, {}, 0.5, true, 30, { safetyTtlMs: 60 * MINUTE });
  assert.equal(app.redeliveries, app.lostDeliveries, 'every lost delivery is sent again');
  assert.equal(app.redeliveryPasses, (0.5 * 24 * 60) / 5, 'a pass every 5 minutes');
  for (const ms of app.changeToRow.lostDelivery) assert.ok(ms <= 5 * MINUTE + 20_000, `redelivered at the next pass: ${ms} ms`);
  assert.ok(app.refreshes < hooks.refreshes, 'the relaxed safety poll checks less');
});
