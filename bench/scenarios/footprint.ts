import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../stats.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SAM_BUILD = join(ROOT, '.aws-sam/build');
const IMPORTS = 7;

export interface BundleFootprint {
  bundle: string;
  bundleBytes: number;
  /** Median cold import over fresh processes. */
  importMs: number;
  importRunsMs: number[];
  /** RSS of a fresh process right after importing the bundle. */
  importRssMb: number;
}

/** The refresh function's figures at the top level (as before), the webhook function's under `webhook`. */
export interface FootprintResult extends BundleFootprint {
  /**
   * The refresh bundle imported as in Lambda with tracing on (`AWS_LAMBDA_FUNCTION_NAME` set):
   * the X-Ray SDK is loaded too (src/handler/tracing.ts). `importMs` is outside Lambda.
   */
  tracedImportMs: number;
  tracedImportRunsMs: number[];
  webhook: BundleFootprint;
}

/**
 * `npm run build` (the template's esbuild settings, as `sam build`), then each bundle imported
 * in fresh processes, the bundles in turn so a drifting machine slows them alike.
 */
export async function footprint(): Promise<FootprintResult> {
  const out = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`npm run build failed: ${out.stderr}`);
  const refresh = bundleOf('RefreshFunction');
  const webhook = bundleOf('WebhookFunction');
  const runs = { refresh: [] as Probe[], traced: [] as Probe[], webhook: [] as Probe[] };
  for (let i = 0; i < IMPORTS; i++) {
    runs.refresh.push(probe(refresh.path, {}));
    runs.traced.push(probe(refresh.path, { AWS_LAMBDA_FUNCTION_NAME: 'gitsync-refresh' }));
    runs.webhook.push(probe(webhook.path, {}));
  }
  const traced = summary(refresh, runs.traced);
  return {
    ...summary(refresh, runs.refresh),
    tracedImportMs: traced.importMs,
    tracedImportRunsMs: traced.importRunsMs,
    webhook: summary(webhook, runs.webhook),
  };
}

interface Probe {
  ms: number;
  rss: number;
}

function bundleOf(logicalId: string): { path: string; description: string } {
  const dir = join(SAM_BUILD, logicalId);
  const file = readdirSync(dir).find((f) => /\.[cm]?js$/.test(f));
  if (!file) throw new Error(`npm run build left no bundle in ${dir}`);
  return { path: join(dir, file), description: `npm run build: .aws-sam/build/${logicalId}/${file}` };
}

/** One import of the bundle in a fresh process; `env` adds to a bare environment (no AWS variables). */
function probe(path: string, env: Record<string, string>): Probe {
  const script = `const t = performance.now(); await import(${JSON.stringify(path)}); const ms = performance.now() - t; console.log(JSON.stringify({ ms, rss: process.memoryUsage().rss }));`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...env } });
  if (out.status !== 0) throw new Error(`importing ${path} failed: ${out.stderr}`);
  const m = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as Probe;
  return { ms: Math.round(m.ms * 10) / 10, rss: m.rss };
}

function summary(bundle: { path: string; description: string }, runs: Probe[]): BundleFootprint {
  return {
    bundle: bundle.description,
    bundleBytes: statSync(bundle.path).size,
    importMs: median(runs.map((r) => r.ms)),
    importRunsMs: runs.map((r) => r.ms),
    importRssMb: Math.round(median(runs.map((r) => r.rss)) / 1024 / 1024),
  };
}
