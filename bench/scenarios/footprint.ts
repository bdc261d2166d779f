import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { median } from '../stats.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SAM_BUILD = join(ROOT, '.aws-sam/build/RefreshFunction');
const IMPORTS = 7;

export interface FootprintResult {
  bundle: string;
  bundleBytes: number;
  importMs: number;
  importRunsMs: number[];
  /** RSS of a fresh process right after importing the bundle. */
  importRssMb: number;
}

/**
 * The refresh function's bundle: `npm run build`'s output when the project has that script,
 * else the same esbuild settings as template.yaml over the refresh code the handler wires.
 * Import time: median over fresh processes.
 */
export async function footprint(): Promise<FootprintResult> {
  const bundle = await refreshBundle();
  const runs: number[] = [];
  const rss: number[] = [];
  const probe = `const t = performance.now(); await import(${JSON.stringify(bundle.path)}); const ms = performance.now() - t; console.log(JSON.stringify({ ms, rss: process.memoryUsage().rss }));`;
  for (let i = 0; i < IMPORTS; i++) {
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`importing the bundle failed: ${out.stderr}`);
    const m = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { ms: number; rss: number };
    runs.push(Math.round(m.ms * 10) / 10);
    rss.push(m.rss);
  }
  return {
    bundle: bundle.description,
    bundleBytes: statSync(bundle.path).size,
    importMs: median(runs),
    importRunsMs: runs,
    importRssMb: Math.round(median(rss) / 1024 / 1024),
  };
}

async function refreshBundle(): Promise<{ path: string; description: string }> {
  const pkg = (await import(join(ROOT, 'package.json'), { with: { type: 'json' } })).default as { scripts?: Record<string, string> };
  if (pkg.scripts?.['build']) {
    const out = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    const file = existsSync(SAM_BUILD) ? readdirSync(SAM_BUILD).find((f) => /\.m?js$/.test(f)) : undefined;
    if (out.status === 0 && file) return { path: join(SAM_BUILD, file), description: `npm run build: .aws-sam/build/RefreshFunction/${file}` };
  }
  const dir = join(ROOT, 'bench/.build');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'refresh-entry.ts');
  writeFileSync(entry, REFRESH_ENTRY);
  const outfile = join(dir, 'refresh.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    banner: { js: "import { createRequire as gitsyncCreateRequire } from 'node:module'; const require = gitsyncCreateRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return { path: outfile, description: 'esbuild (template.yaml settings, no source map) of the refresh code a handler wires: bench/.build/refresh.mjs' };
}

/** The refresh handler, bundled here when `npm run build` is unavailable. */
const REFRESH_ENTRY = `export { handler } from '../../src/handler/refresh.ts';\n`;
