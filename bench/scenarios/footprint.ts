import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handlerModulePath, samFunction } from '../../src/dev/sam-function.ts';
import { loadTemplate } from '../../src/dev/template.ts';
import { TRACER_FILE } from '../../src/handler/tracing.ts';
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
  /**
   * Median CPU time of the import (the process's, all threads): what the import costs apart from
   * waiting for a core, steadier than the wall time on a loaded machine.
   */
  importCpuMs: number;
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
  /** The tracer's own file beside the refresh handler's (src/handler/tracing.ts), loaded only with tracing on. */
  tracerFileBytes: number;
  webhook: BundleFootprint;
  /** Another build's bundles (`--baseline DIR`), imported in the same rounds, and each import's medians over its own (wall, CPU). */
  baseline?: { buildDir: string; refresh: BundleFootprint; webhook: BundleFootprint; refreshRatio: Ratio; webhookRatio: Ratio };
}

/**
 * `npm run build` (the template's esbuild settings, as `sam build`), then each bundle imported
 * in fresh processes, the bundles in turn so a drifting machine slows them alike. With
 * `baselineDir` (another `npm run build`'s output, e.g. main's), its refresh and webhook bundles
 * are imported in the same rounds: on a shared machine the ratio holds where the times do not.
 */
export async function footprint(baselineDir?: string): Promise<FootprintResult> {
  const out = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`npm run build failed: ${out.stderr}`);
  const refresh = bundleOf(SAM_BUILD, 'RefreshFunction');
  const webhook = bundleOf(SAM_BUILD, 'WebhookFunction');
  const base = baselineDir ? { refresh: bundleOf(baselineDir, 'RefreshFunction'), webhook: bundleOf(baselineDir, 'WebhookFunction') } : undefined;
  const runs = { refresh: [] as Probe[], traced: [] as Probe[], webhook: [] as Probe[], baseRefresh: [] as Probe[], baseWebhook: [] as Probe[] };
  for (let i = 0; i < IMPORTS; i++) {
    runs.refresh.push(probe(refresh.path, {}));
    runs.traced.push(probe(refresh.path, { AWS_LAMBDA_FUNCTION_NAME: 'gitsync-refresh' }));
    runs.webhook.push(probe(webhook.path, {}));
    if (base) {
      runs.baseRefresh.push(probe(base.refresh.path, {}));
      runs.baseWebhook.push(probe(base.webhook.path, {}));
    }
  }
  const traced = summary(refresh, runs.traced);
  const result: FootprintResult = {
    ...summary(refresh, runs.refresh),
    tracedImportMs: traced.importMs,
    tracedImportRunsMs: traced.importRunsMs,
    tracerFileBytes: statSync(join(dirname(refresh.path), TRACER_FILE)).size,
    webhook: summary(webhook, runs.webhook),
  };
  if (base && baselineDir) {
    const baseRefresh = summary(base.refresh, runs.baseRefresh);
    const baseWebhook = summary(base.webhook, runs.baseWebhook);
    result.baseline = {
      buildDir: baselineDir,
      refresh: baseRefresh,
      webhook: baseWebhook,
      refreshRatio: ratio(result, baseRefresh),
      webhookRatio: ratio(result.webhook, baseWebhook),
    };
  }
  return result;
}

interface Probe {
  ms: number;
  cpuMs: number;
  rss: number;
}

interface Ratio {
  wall: number;
  cpu: number;
}

function ratio(now: BundleFootprint, before: BundleFootprint): Ratio {
  return { wall: Math.round((now.importMs / before.importMs) * 100) / 100, cpu: Math.round((now.importCpuMs / before.importCpuMs) * 100) / 100 };
}

/** The handler's file (the template's Handler): what a cold start imports; another entry point's file beside it loads only on its path. */
function bundleOf(buildDir: string, logicalId: string): { path: string; description: string } {
  const { file } = handlerModulePath(samFunction(loadTemplate(), logicalId), buildDir);
  return { path: file, description: `npm run build: ${relative(ROOT, file)}` };
}

/** One import of the bundle in a fresh process; `env` adds to a bare environment (no AWS variables). */
function probe(path: string, env: Record<string, string>): Probe {
  const script = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(path)}); const ms = performance.now() - t; const u = process.cpuUsage(c); console.log(JSON.stringify({ ms, cpuMs: (u.user + u.system) / 1000, rss: process.memoryUsage().rss }));`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...env } });
  if (out.status !== 0) throw new Error(`importing ${path} failed: ${out.stderr}`);
  const m = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as Probe;
  return { ms: Math.round(m.ms * 10) / 10, cpuMs: Math.round(m.cpuMs * 10) / 10, rss: m.rss };
}

function summary(bundle: { path: string; description: string }, runs: Probe[]): BundleFootprint {
  return {
    bundle: bundle.description,
    bundleBytes: statSync(bundle.path).size,
    importMs: median(runs.map((r) => r.ms)),
    importRunsMs: runs.map((r) => r.ms),
    importCpuMs: median(runs.map((r) => r.cpuMs)),
    importRssMb: Math.round(median(runs.map((r) => r.rss)) / 1024 / 1024),
  };
}
