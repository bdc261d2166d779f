import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadRefreshFunction } from '../../../src/dev/local-run/refresh-function.ts';
import type { CfnTemplate } from '../../../src/dev/template.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

const template: CfnTemplate = {
  Parameters: { Batch: { Type: 'Number', Default: 25 } },
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table' },
    Fn: {
      Type: 'AWS::Serverless::Function',
      Metadata: { BuildMethod: 'esbuild', BuildProperties: { EntryPoints: ['env-echo-handler.ts'] } },
      Properties: {
        CodeUri: FIXTURES,
        Handler: 'env-echo-handler.tick',
        Runtime: 'nodejs24.x',
        Timeout: 40,
        Environment: { Variables: { TABLE_NAME: { Ref: 'Table' }, BATCH_SIZE: { Ref: 'Batch' }, SHARD_COUNT: '1', NODE_OPTIONS: '--enable-source-maps' } },
      },
    },
  },
};

test('the function runs with the template environment, this process overriding it, then the run, and a Lambda context', async () => {
  process.env['SHARD_COUNT'] = '4';
  delete process.env['LOG_LEVEL'];
  const invoke = await loadRefreshFunction(template, 'Fn', { TABLE_NAME: 'local-rows' });
  const summary = await invoke({ source: 'gitsync.loop' });
  const { seen } = (await import('./fixtures/env-echo-handler.ts')) as typeof import('./fixtures/env-echo-handler.ts');
  const call = seen.at(-1)!;
  assert.equal(summary.refreshed, seen.length);
  assert.deepEqual(call.event, { source: 'gitsync.loop' });
  assert.equal(call.env['TABLE_NAME'], 'local-rows');
  assert.equal(call.env['BATCH_SIZE'], '25', 'parameter defaults resolved');
  assert.equal(call.env['SHARD_COUNT'], '4', 'this process overrides the template');
  assert.equal(call.env['LOG_LEVEL'], 'SILENT', 'handler logs off so the progress view stays readable');
  assert.equal(call.env['POWERTOOLS_METRICS_DISABLED'], 'true');
  assert.notEqual(call.env['NODE_OPTIONS'], '--enable-source-maps', 'runtime options are not applied to this process');
  assert.ok(call.remainingMs > 30_000 && call.remainingMs <= 40_000, 'remaining time counts down from the timeout');
});

test('a handler the template names but the entry points do not hold is refused', async () => {
  const broken = structuredClone(template);
  broken.Resources['Fn']!.Properties!['Handler'] = 'other.tick';
  await assert.rejects(loadRefreshFunction(broken, 'Fn', {}), /no EntryPoints file for handler other\.tick/);
});
