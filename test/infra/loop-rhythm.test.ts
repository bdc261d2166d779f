import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOOP_PERIOD_MS, laterSlotSeconds, loopMinuteEnd, SLOTS_PER_MINUTE, slotsExpression } from '../../src/loop/rhythm.ts';
import { stateMachineSource, substituteDefinition } from '../../src/dev/state-machine.ts';
import { loadTemplate } from '../../src/dev/template.ts';

const definition = substituteDefinition(stateMachineSource(loadTemplate(), 'RefreshLoop').text, { RefreshFunctionArn: 'arn:fn' }) as {
  States: Record<string, { Parameters?: Record<string, unknown>; TimeoutSeconds?: number }>;
};

test('the state machine in infra/ ticks at the slots of src/loop/rhythm.ts', () => {
  const plan = definition.States['Plan']?.Parameters;
  assert.equal(plan?.['slots.$'], slotsExpression(), 'Plan.slots.$: regenerate it from slotsExpression()');
  assert.equal(plan?.['slotCount'], SLOTS_PER_MINUTE - 1);
  assert.deepEqual(laterSlotSeconds(), [10, 20, 30, 40, 50]);
});

test('a tick the loop starts can never outlive the loop period', () => {
  const timeout = definition.States['Refresh']?.TimeoutSeconds ?? Infinity;
  assert.ok(timeout * 1_000 < LOOP_PERIOD_MS, `Task timeout ${timeout} s`);
});

test('the loop minute ends at the next whole minute after the execution started', () => {
  const at = (iso: string) => Date.parse(iso);
  assert.equal(loopMinuteEnd(at('2026-11-28T21:36:00.183Z')), at('2026-11-28T21:37:00Z'));
  assert.equal(loopMinuteEnd(at('2026-11-28T21:36:59.999Z')), at('2026-11-28T21:37:00Z'));
  assert.equal(loopMinuteEnd(at('2026-11-28T21:37:00Z')), at('2026-11-28T21:38:00Z'));
});
