import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { basename, join, relative } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions, type SamFunction } from '../../src/dev/sam-function.ts';

/** What a function's bundle is made of, from esbuild's own output. */
export interface FunctionSources {
  /** The project's own files in the bundle (paths relative to the repository), with their text. */
  files: Map<string, string>;
  /** The same files as bundled: only the code tree shaking kept. */
  bundled: Map<string, string>;
  /** npm packages in the bundle. */
  packages: Set<string>;
  /** Every file in the handler's own file (esbuild's metafile paths: `src/...`, `.../node_modules/<package>/...`): what a cold start parses. */
  inputs: Set<string>;
  /** Every file in the artifact's other files (the template's further `EntryPoints`), by output file name (`xray-tracer.cjs`). */
  siblings: Map<string, Set<string>>;
  /**
   * The files the bundle can evaluate when it is imported: reachable from the entry point without
   * crossing a dynamic `import()` (which esbuild leaves unevaluated until it runs). A `require()`
   * counts wherever it is, so this may hold more than loads, never less.
   */
  loadedAtImport: Set<string>;
  /** Node builtins the bundled code requires, anywhere in it (`https`, `zlib`, ...; `node:` left off). */
  builtins: Set<string>;
}

const built = new Map<SamFunction, Promise<FunctionSources>>();

/** One esbuild run per function per test process: several tests read the same bundle. */
export function functionSources(fn: SamFunction): Promise<FunctionSources> {
  let sources = built.get(fn);
  if (!sources) {
    sources = bundleSources(fn);
    built.set(fn, sources);
  }
  return sources;
}

async function bundleSources(fn: SamFunction): Promise<FunctionSources> {
  const options = esbuildOptions(fn, '/nonexistent-out');
  const result = await build({
    ...options,
    minify: false,
    sourcemap: false,
    write: false,
    logLevel: 'silent',
  });
  const files = new Map<string, string>();
  const packages = new Set<string>();
  const graph = result.metafile?.inputs ?? {};
  for (const input of Object.keys(graph)) {
    const pkg = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (pkg?.[1]) packages.add(pkg[1]);
    else if (input.startsWith('src/')) files.set(input, readFileSync(join(fn.codeUri, input), 'utf8'));
  }
  // An unminified bundle marks each module's code with a `// path` line.
  const bundled = new Map<string, string>();
  const code = (result.outputFiles ?? []).filter((f) => !f.path.endsWith('.map')).map((f) => f.text).join('\n');
  let current: string | undefined;
  for (const line of code.split('\n')) {
    const marker = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(line);
    if (marker) current = marker[1];
    else if (current?.startsWith('src/')) bundled.set(current, `${bundled.get(current) ?? ''}${line}\n`);
  }
  const builtins = new Set([...code.matchAll(/\brequire\("(?:node:)?([a-z_/0-9]+)"\)/g)].map((m) => m[1]!).filter((name) => isBuiltin(name)));
  // The handler's file is the first entry point's; the others are files of their own beside it.
  const handlerEntry = relative(fn.codeUri, options.entryPoints[0]!);
  const outputs = Object.entries(result.metafile?.outputs ?? {}).filter(([, o]) => o.entryPoint !== undefined);
  const handlerOutput = outputs.find(([, o]) => o.entryPoint === handlerEntry)?.[1];
  const siblings = new Map(outputs.filter(([, o]) => o !== handlerOutput).map(([path, o]) => [basename(path), new Set(Object.keys(o.inputs))]));
  const entry = handlerOutput?.entryPoint;
  const loadedAtImport = new Set<string>();
  const pending = entry ? [entry] : [];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (loadedAtImport.has(file)) continue;
    loadedAtImport.add(file);
    for (const imported of graph[file]?.imports ?? []) {
      if (!imported.external && imported.kind !== 'dynamic-import') pending.push(imported.path);
    }
  }
  return { files, bundled, packages, inputs: new Set(Object.keys(handlerOutput?.inputs ?? {})), siblings, loadedAtImport, builtins };
}

/** IAM actions of the DynamoDB commands (`@aws-sdk/lib-dynamodb` or `client-dynamodb`) a file sends. */
const ACTIONS: Record<string, string[]> = {
  Get: ['dynamodb:GetItem'],
  GetItem: ['dynamodb:GetItem'],
  Put: ['dynamodb:PutItem'],
  PutItem: ['dynamodb:PutItem'],
  Update: ['dynamodb:UpdateItem'],
  UpdateItem: ['dynamodb:UpdateItem'],
  Delete: ['dynamodb:DeleteItem'],
  DeleteItem: ['dynamodb:DeleteItem'],
  Query: ['dynamodb:Query'],
  Scan: ['dynamodb:Scan'],
  BatchGet: ['dynamodb:BatchGetItem'],
  BatchGetItem: ['dynamodb:BatchGetItem'],
  BatchWrite: ['dynamodb:BatchWriteItem'],
  BatchWriteItem: ['dynamodb:BatchWriteItem'],
  // Transactions are authorized per item action (IAM has no TransactWriteItems action).
  TransactGet: ['dynamodb:GetItem'],
  TransactGetItems: ['dynamodb:GetItem'],
  TransactWrite: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
  TransactWriteItems: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
};

/**
 * DynamoDB actions a bundle can send: commands (and paginators) a file imports from the SDK
 * and whose `new XCommand(` (`paginateX(`) survives tree shaking in that file's bundled code.
 */
export function dynamoDbActions({ files, bundled }: FunctionSources): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const [path, text] of files) {
    const imported = new Set<string>();
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(?:lib|client)-dynamodb'/g)) {
      for (const name of (m[1] ?? '').split(',')) {
        const id = name.replace(/^\s*type\s+/, '').split(/\s+as\s+/).pop()?.trim();
        if (id?.endsWith('Command') || id?.startsWith('paginate')) imported.add(id);
      }
    }
    for (const command of imported) {
      // `new XCommand(`, or a call of the SDK's paginator `paginateX(` (it sends XCommand).
      const call = command.startsWith('paginate') ? `(?<![\\w$])(?:[\\w$]+\\.)?${command}\\d*\\s*\\(` : `new\\s+(?:[\\w$]+\\.)?${command}\\d*\\s*\\(`;
      if (!new RegExp(call).test(bundled.get(path) ?? '')) continue;
      const actions = ACTIONS[command.replace(/Command$/, '').replace(/^paginate/, '')];
      if (!actions) throw new Error(`${path}: ${command} has no IAM mapping in test/support/function-sources.ts`);
      for (const action of actions) used.set(action, [...(used.get(action) ?? []), path]);
    }
  }
  return used;
}

/**
 * Environment variables the bundled code reads: `process.env.X`, `env['X']`, `(env, 'X')` and
 * `X_ENV = 'X'` (a helper the bundle leaves out reads nothing).
 */
export function environmentReads(bundled: Map<string, string>): Map<string, string[]> {
  // Bundled code: double quotes, and parameters renamed with a number (`env3`).
  const patterns = [
    /process\.env\.([A-Z][A-Z0-9_]*)/g,
    /\benv\d*\s*\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]/g,
    /\(\s*env\d*\s*,\s*["']([A-Z][A-Z0-9_]*)["']/g,
    /\b[A-Z][A-Z0-9_]*_ENV\d*\s*=\s*["']([A-Z][A-Z0-9_]*)["']/g,
  ];
  const reads = new Map<string, string[]>();
  for (const [path, text] of bundled) {
    for (const pattern of patterns) {
      for (const m of text.matchAll(pattern)) {
        const name = m[1] ?? '';
        reads.set(name, [...(reads.get(name) ?? []), path]);
      }
    }
  }
  return reads;
}
