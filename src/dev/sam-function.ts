import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BuildOptions, Format, Platform } from 'esbuild';
import { TEMPLATE_PATH, type CfnResource, type CfnTemplate } from './template.ts';

/**
 * An `AWS::Serverless::Function` of the template as `sam build` / `sam local invoke` see it:
 * parameter references resolved to their defaults, resource references to the logical id.
 */
export interface SamFunction {
  logicalId: string;
  handler: string;
  runtime: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Variables the template declares, with template values (env.json may override them). */
  environment: Record<string, string>;
  buildProperties: Record<string, unknown>;
  codeUri: string;
}

export const DEFAULT_BUILD_DIR = '.aws-sam/build';

export function samFunctions(template: CfnTemplate, templatePath = TEMPLATE_PATH): SamFunction[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Serverless::Function')
    .map(([logicalId, r]) => toSamFunction(template, templatePath, logicalId, r));
}

export function samFunction(template: CfnTemplate, logicalId: string, templatePath = TEMPLATE_PATH): SamFunction {
  const found = samFunctions(template, templatePath).find((f) => f.logicalId === logicalId);
  if (!found) {
    const names = samFunctions(template, templatePath).map((f) => f.logicalId);
    throw new Error(`template has no AWS::Serverless::Function "${logicalId}" (functions: ${names.join(', ')})`);
  }
  return found;
}

function toSamFunction(template: CfnTemplate, templatePath: string, logicalId: string, r: CfnResource): SamFunction {
  const p = r.Properties ?? {};
  if (r.Metadata?.BuildMethod !== 'esbuild') throw new Error(`${logicalId}: Metadata.BuildMethod must be esbuild`);
  const variables = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<
    string,
    unknown
  >;
  return {
    logicalId,
    handler: text(resolveValue(template, p.Handler), `${logicalId}.Handler`),
    runtime: text(resolveValue(template, p.Runtime), `${logicalId}.Runtime`),
    timeoutSeconds: Number(resolveValue(template, p.Timeout ?? 3)),
    memoryMb: Number(resolveValue(template, p.MemorySize ?? 128)),
    environment: Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [name, String(resolveValue(template, value))]),
    ),
    buildProperties: (r.Metadata.BuildProperties ?? {}) as Record<string, unknown>,
    codeUri: resolve(dirname(templatePath), text(resolveValue(template, p.CodeUri ?? '.'), `${logicalId}.CodeUri`)),
  };
}

/** `Ref` to a parameter gives its default, to a resource its logical id (as SAM local does). */
export function resolveValue(template: CfnTemplate, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') {
    const param = template.Parameters?.[ref];
    if (param) {
      if (param.Default === undefined) throw new Error(`parameter ${ref} has no default`);
      return param.Default;
    }
    if (template.Resources[ref]) return ref;
    throw new Error(`Ref to unknown ${ref}`);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} locally`);
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${what} must be a non-empty string`);
  return value;
}

/** SAM's esbuild defaults (AWS SAM docs, "Building Node.js Lambda functions with esbuild"). */
const SAM_DEFAULTS = { Format: 'cjs', Platform: 'node', Target: 'es2020', Minify: true, Sourcemap: false };

/** Maps SAM `BuildProperties` onto esbuild options; an unknown property is an error, never ignored. */
export function esbuildOptions(fn: SamFunction, outdir: string): BuildOptions & { entryPoints: string[] } {
  const props = { ...SAM_DEFAULTS, ...fn.buildProperties };
  const options: BuildOptions & { entryPoints: string[] } = {
    bundle: true,
    outdir,
    entryPoints: [],
    absWorkingDir: fn.codeUri,
    logLevel: 'warning',
    metafile: true,
  };
  for (const [key, value] of Object.entries(props)) {
    switch (key) {
      case 'EntryPoints':
        options.entryPoints = list(value, key).map((entry) => join(fn.codeUri, entry));
        break;
      case 'Format':
        options.format = value as Format;
        break;
      case 'Platform':
        options.platform = value as Platform;
        break;
      case 'Target':
        options.target = String(value).split(',');
        break;
      case 'Minify':
        options.minify = value === true || value === 'true';
        break;
      case 'Sourcemap':
        options.sourcemap = value === true || value === 'true';
        break;
      case 'SourcesContent':
        options.sourcesContent = value === true || value === 'true';
        break;
      case 'External':
        options.external = list(value, key);
        break;
      case 'MainFields':
        options.mainFields = String(value).split(',');
        break;
      case 'OutExtension':
        options.outExtension = pairs(value, key);
        break;
      case 'Banner':
        options.banner = pairs(value, key);
        break;
      case 'Footer':
        options.footer = pairs(value, key);
        break;
      case 'Loader':
        options.loader = pairs(value, key) as BuildOptions['loader'];
        break;
      default:
        throw new Error(`${fn.logicalId}: BuildProperties.${key} is not supported by the local build`);
    }
  }
  if (options.entryPoints.length === 0) throw new Error(`${fn.logicalId}: BuildProperties.EntryPoints is empty`);
  return options;
}

function list(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new Error(`BuildProperties.${key} must be a list of strings`);
  }
  return value;
}

/** SAM writes maps as `key=value` lists (`.js=.mjs`, `js=...`). */
function pairs(value: unknown, key: string): Record<string, string> {
  return Object.fromEntries(
    list(value, key).map((item) => {
      const at = item.indexOf('=');
      if (at <= 0) throw new Error(`BuildProperties.${key} entry "${item}" is not key=value`);
      return [item.slice(0, at), item.slice(at + 1)];
    }),
  );
}

/** The built module file for `module.export` handlers: Lambda tries .js, .mjs and .cjs. */
export function handlerModulePath(fn: SamFunction, buildDir: string): { file: string; exportName: string } {
  const dot = fn.handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`${fn.logicalId}: Handler "${fn.handler}" is not module.export`);
  const base = join(buildDir, fn.logicalId, fn.handler.slice(0, dot));
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) throw new Error(`${fn.logicalId}: no ${base}.{js,mjs,cjs}; run \`npm run build\` first`);
  return { file, exportName: fn.handler.slice(dot + 1) };
}
