import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { markStale } from '../../src/ops/mark-stale.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { pipeline, type Pipeline } from '../support/pipeline.ts';

let t: TestTables;
let p: Pipeline;
before(async () => {
  t = await createTestTables();
  p = pipeline(t);
});
after(() => t.close());

test('mark-stale sets the webhook index key with branch and origin, and removes it for an origin without a repository', async () => {
  await p.put({ chatId: 'ms-1', staleAt: p.clock.now() + 60_000 });
  await markStale(p.store, p.clock, { chatIds: ['ms-1'], branch: 'feature', origin: 'git@GIT.test:o/r.git' });
  assert.equal((await p.get('ms-1')).repoBranchKey, 'git.test/o/r feature');
  await markStale(p.store, p.clock, { chatIds: ['ms-1'], branch: 'feature', origin: 'https://git.test/' });
  assert.equal((await p.get('ms-1')).repoBranchKey, undefined);
  await markStale(p.store, p.clock, { chatIds: ['ms-archived'], branch: 'b', origin: 'https://git.test/o/r' });
  assert.equal((await p.get('ms-archived')).repoBranchKey, 'git.test/o/r b', 'also on a chat new to the table');
});

test('a row another service inserted without the key gets it from its next refresh, whatever the outcome', async () => {
  await p.put({ chatId: 'direct-1', gitBranch: 'branch-1' });
  p.provider.branches.set('branch-2', { error: () => new Error('boom') });
  await p.put({ chatId: 'direct-2', gitBranch: 'branch-2' });
  assert.equal((await p.get('direct-1')).repoBranchKey, undefined);
  await p.tick();
  assert.equal((await p.get('direct-1')).repoBranchKey, 'git.test/o/r branch-1');
  assert.equal((await p.get('direct-2')).repoBranchKey, 'git.test/o/r branch-2');
});
