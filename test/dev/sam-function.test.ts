import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lambdaEnvironment } from '../../src/dev/lambda-env.ts';
import { esbuildOptions, samFunction, type SamFunction } from '../../src/dev/sam-function.ts';
import { loadTemplate } from '../../src/dev/template.ts';

const dir = mkdtempSync(join(tmpdir(), 'gitsync-sam-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const refresh = samFunction(loadTemplate(), 'RefreshFunction');

test('template values resolve as sam local does: parameters to defaults, resources to logical ids', () => {
  assert.equal(refresh.timeoutSeconds, 40);
  assert.equal(refresh.memoryMb, 512);
  assert.equal(refresh.environment.TABLE_NAME, 'DiffStatusTable');
  assert.equal(refresh.environment.BATCH_SIZE, '50');
  assert.equal(refresh.environment.DYNAMODB_ENDPOINT, '');
});

test('BuildProperties map onto esbuild options, key=value lists included', () => {
  const options = esbuildOptions(refresh, '/out');
  assert.equal(options.format, 'cjs');
  assert.deepEqual(options.target, ['node24']);
  assert.deepEqual(options.outExtension, { '.js': '.cjs' });
  assert.ok(options.external?.includes('@aws-sdk/credential-provider-ini'));
  assert.deepEqual(options.mainFields, ['module', 'main']);
  // SAM passes the YAML value as text (`--sources-content=false`): a map without the sources' text.
  assert.equal(options.sourcemap, true);
  assert.equal(options.sourcesContent, false);
  assert.equal(options.bundle, true);
  assert.ok(options.entryPoints[0]?.endsWith('/src/handler/refresh.ts'));
});

test('an unknown BuildProperty is an error, never silently dropped', () => {
  const fn: SamFunction = { ...refresh, buildProperties: { ...refresh.buildProperties, TreeShaking: false } };
  assert.throws(() => esbuildOptions(fn, '/out'), /BuildProperties.TreeShaking is not supported/);
});

test('env.json overrides as SAM does: Parameters, then the function\'s own entry, declared variables only', () => {
  const file = join(dir, 'env.json');
  writeFileSync(
    file,
    JSON.stringify({
      Parameters: { TABLE_NAME: 'from-parameters', BATCH_SIZE: '5', NOT_DECLARED: 'x' },
      RefreshFunction: { TABLE_NAME: 'from-function', ALSO_NOT_DECLARED: 'y' },
      MarkStaleFunction: { BATCH_SIZE: '7' },
    }),
  );
  const warnings: string[] = [];
  const env = lambdaEnvironment(refresh, file, (m) => warnings.push(m));
  assert.equal(env.TABLE_NAME, 'from-function');
  assert.equal(env.BATCH_SIZE, '5');
  assert.equal(env.NOT_DECLARED, undefined);
  assert.equal(env.ALSO_NOT_DECLARED, undefined);
  assert.deepEqual(warnings, [`${file}: RefreshFunction does not declare ALSO_NOT_DECLARED; ignored`]);
  assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'RefreshFunction');
  assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs24.x');
});

test('the invoke runner gives the handler a context counting down the timeout it is given', async () => {
  const module = join(dir, 'probe.mjs');
  writeFileSync(module, 'export const handler = async (event, context) => ({ event, remaining: context.getRemainingTimeInMillis() });');
  const event = join(dir, 'event.json');
  writeFileSync(event, '{"hello":"world"}');
  const runner = fileURLToPath(new URL('../../src/dev/invoke-runner.ts', import.meta.url));
  const child = fork(runner, [module, 'handler', event, String(refresh.timeoutSeconds * 1000)], { stdio: 'ignore' });
  const message = (await new Promise((resolve) => child.once('message', resolve))) as {
    ok: boolean;
    result: { event: unknown; remaining: number };
  };
  assert.equal(message.ok, true);
  assert.deepEqual(message.result.event, { hello: 'world' });
  assert.ok(message.result.remaining <= 40_000 && message.result.remaining > 30_000, `remaining ${message.result.remaining} ms`);
});
