/**
 * `npm run invoke -- [FunctionLogicalId] <event.json> [--env-vars FILE] [--build-dir DIR]`:
 * `sam local invoke` for the built bundle (run `npm run build` first). The handler comes from
 * the template, the environment from the template and `events/env.json`, and the context's
 * `getRemainingTimeInMillis` counts down the template's timeout. Logs go to stderr, the
 * handler's JSON result to stdout. Default function: RefreshFunction.
 */
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_ENV_VARS_FILE, lambdaEnvironment } from '../src/dev/lambda-env.ts';
import { DEFAULT_BUILD_DIR, handlerModulePath, samFunction } from '../src/dev/sam-function.ts';
import { loadTemplate } from '../src/dev/template.ts';

const { values, positionals } = parseArgs({
  options: {
    'env-vars': { type: 'string', default: DEFAULT_ENV_VARS_FILE },
    'build-dir': { type: 'string', default: DEFAULT_BUILD_DIR },
  },
  allowPositionals: true,
});
const [logicalId, eventFile] = positionals.length >= 2 ? positionals : ['RefreshFunction', positionals[0]];
if (!logicalId || !eventFile) {
  console.error('usage: npm run invoke -- [FunctionLogicalId] <event.json> [--env-vars FILE] [--build-dir DIR]');
  process.exit(2);
}

const fn = samFunction(loadTemplate(), logicalId);
const { file, exportName } = handlerModulePath(fn, resolve(values['build-dir']));
const timeoutMs = fn.timeoutSeconds * 1000;
const runner = fileURLToPath(new URL('../src/dev/invoke-runner.ts', import.meta.url));

const started = Date.now();
const child = fork(runner, [file, exportName, resolve(eventFile), String(timeoutMs)], {
  // Only what Lambda would set: nothing of this shell leaks in, except PATH.
  env: { PATH: process.env.PATH ?? '', ...lambdaEnvironment(fn, values['env-vars'], (m) => console.error(m)) },
  execPath: process.execPath,
  // The function's logs go to stderr, so stdout carries only the result (as with SAM).
  stdio: ['ignore', 2, 2, 'ipc'],
});

type Outcome =
  | { ok: true; result: unknown; rssMb: number }
  | { ok: false; error: { errorType: string; errorMessage: string; stackTrace: string[] } };

const outcome = await new Promise<Outcome | 'timeout' | 'exit'>((done) => {
  const timer = setTimeout(() => {
    child.kill('SIGKILL');
    done('timeout');
  }, timeoutMs);
  child.once('message', (m) => {
    clearTimeout(timer);
    done(m as Outcome);
  });
  child.once('exit', () => {
    clearTimeout(timer);
    done('exit');
  });
});
const elapsed = Date.now() - started;

if (outcome === 'timeout') {
  console.log(JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${fn.timeoutSeconds} seconds` }));
  process.exit(1);
}
if (outcome === 'exit') {
  console.log(JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: 'the runtime exited without a result' }));
  process.exit(1);
}
if (!outcome.ok) {
  console.log(JSON.stringify(outcome.error));
  process.exit(1);
}
console.error(`REPORT ${fn.logicalId} Duration: ${elapsed} ms (incl. start) Max Memory Used: ${outcome.rssMb.toFixed(0)} MB of ${fn.memoryMb} MB`);
console.log(JSON.stringify(outcome.result));
