/**
 * Which test files need DynamoDB Local (Java) and which do not. Decided from the code, not
 * from a list: a test file is in the `dynamodb` tier when a module it reaches starts DynamoDB
 * Local (src/dev/dynamodb-local/start.ts). It reaches what it imports (static or `import()`)
 * and the programs it runs, named as `new URL('./relative', import.meta.url)`. Everything else
 * is the `unit` tier, which runs with DynamoDB Local refused (run-tests.ts): a unit file that
 * starts it anyway, in a way this scan cannot see, fails instead of quietly needing Java.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

export type Tier = 'unit' | 'dynamodb';

export const TIERS: readonly Tier[] = ['unit', 'dynamodb'];

/** The module that launches DynamoDB Local: reaching it puts a test in the dynamodb tier. */
export const DYNAMODB_LOCAL_LAUNCHER = 'src/dev/dynamodb-local/start.ts';

/** Set in the unit tier's environment; startDynamoDbLocal refuses to start while it is set. */
export const REFUSE_DYNAMODB_LOCAL = 'GITSYNC_REFUSE_DYNAMODB_LOCAL';

const REFERENCE = /\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]|new URL\(\s*['"](\.{1,2}\/[^'"]*)['"]\s*,\s*import\.meta\.url\s*\)/g;

/** Relative paths (with `/`) of every `*.test.ts` under `root`/test, sorted. */
export function testFiles(root: string): string[] {
  return readdirSync(join(root, 'test'), { recursive: true })
    .map((f) => join('test', String(f)).split(sep).join('/'))
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
}

/** The files `file` names: relative imports, `import()`, and `new URL(relative, import.meta.url)`. */
function references(file: string): string[] {
  const found: string[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(REFERENCE)) {
    const specifier = m[1] ?? m[2] ?? m[3]!;
    if (specifier.startsWith('.')) found.push(resolve(dirname(file), specifier));
  }
  return found;
}

/** True when `testFile` (relative to `root`) reaches the DynamoDB Local launcher. */
export function needsDynamoDb(root: string, testFile: string): boolean {
  const launcher = resolve(root, DYNAMODB_LOCAL_LAUNCHER);
  const seen = new Set<string>();
  const pending = [resolve(root, testFile)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (file === launcher) return true;
    if (seen.has(file) || !/\.[cm]?[jt]s$/.test(file) || !existsSync(file)) continue;
    seen.add(file);
    pending.push(...references(file));
  }
  return false;
}

/** Every test file of the repository at `root`, in exactly one tier. */
export function testTiers(root: string): Record<Tier, string[]> {
  const tiers: Record<Tier, string[]> = { unit: [], dynamodb: [] };
  for (const file of testFiles(root)) tiers[needsDynamoDb(root, file) ? 'dynamodb' : 'unit'].push(file);
  return tiers;
}

