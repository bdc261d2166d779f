/**
 * `npm run build [-- --build-dir DIR] [FunctionLogicalId...]`: what `sam build` does for the
 * template's esbuild functions, with the template's own BuildProperties, into
 * `.aws-sam/build/<LogicalId>/`. Prints each bundle's size and its cold import time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { DEFAULT_ENV_VARS_FILE, lambdaEnvironment } from '../src/dev/lambda-env.ts';
import { DEFAULT_BUILD_DIR, esbuildOptions, handlerModulePath, samFunctions } from '../src/dev/sam-function.ts';
import { loadTemplate } from '../src/dev/template.ts';

const { values, positionals } = parseArgs({
  options: { 'build-dir': { type: 'string', default: DEFAULT_BUILD_DIR } },
  allowPositionals: true,
});
const buildDir = resolve(values['build-dir']);
const functions = samFunctions(loadTemplate()).filter((f) => positionals.length === 0 || positionals.includes(f.logicalId));
if (functions.length === 0) throw new Error(`no function named ${positionals.join(', ')} in template.yaml`);

for (const fn of functions) {
  const outdir = join(buildDir, fn.logicalId);
  rmSync(outdir, { recursive: true, force: true });
  const result = await build(esbuildOptions(fn, outdir));
  const files = Object.keys(result.metafile?.outputs ?? {}).map((f) => resolve(fn.codeUri, f));
  const bytes = (f: string) => statSync(f).size;
  const code = files.filter((f) => !f.endsWith('.map'));
  console.log(`${fn.logicalId} -> ${relative(process.cwd(), outdir)}/`);
  for (const f of files) console.log(`  ${relative(outdir, f).padEnd(24)} ${kib(bytes(f))}`);
  // The handler's file is what a cold start parses; another entry point's file loads only on its path.
  const handlerFile = handlerModulePath(fn, buildDir).file;
  const others = code.filter((f) => f !== handlerFile);
  const rest = others.length > 0 ? `; ${others.map((f) => `${relative(outdir, f)} ${kib(bytes(f))}`).join(', ')} loaded only on its path` : '';
  console.log(`  bundle size: ${kib(bytes(handlerFile))} (the handler's file, without source maps${rest})`);
  console.log(`  import time: ${importTimeMs(fn, buildDir).toFixed(0)} ms (fresh Node ${process.versions.node})`);
}

function kib(n: number): string {
  return `${(n / 1024).toFixed(1)} KiB`;
}

/** Cold import of the bundle in a fresh process with the function's environment. */
function importTimeMs(fn: (typeof functions)[number], dir: string): number {
  const { file } = handlerModulePath(fn, dir);
  const envFile = existsSync(DEFAULT_ENV_VARS_FILE) ? DEFAULT_ENV_VARS_FILE : undefined;
  const script =
    'const t0 = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t0));';
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(file).href], {
    env: { PATH: process.env.PATH ?? '', ...lambdaEnvironment(fn, envFile) },
    encoding: 'utf8',
  });
  return Number(out);
}
