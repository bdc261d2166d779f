/** The test tiers (test/support/tiers.ts): membership follows the code. That the unit tier cannot start Java: test/harness.test.ts. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DYNAMODB_LOCAL_LAUNCHER, testFiles, testTiers } from './support/tiers.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const scratch = mkdtempSync(join(tmpdir(), 'gitsync-tiers-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(scratch, 'repo-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('every test file of the repository is in exactly one tier', () => {
  const tiers = testTiers(ROOT);
  assert.deepEqual([...tiers.unit, ...tiers.dynamodb].sort(), testFiles(ROOT));
  assert.equal(new Set([...tiers.unit, ...tiers.dynamodb]).size, testFiles(ROOT).length);
  assert.ok(tiers.unit.includes('test/test-tiers.test.ts'));
  // Starts DynamoDB Local through the shared tables helper, and through the program it runs.
  assert.ok(tiers.dynamodb.includes('test/harness.test.ts'));
  assert.ok(tiers.dynamodb.includes('test/dev/local-run/npm-start.test.ts'));
});

test('a file reaches the launcher through imports, import(), or a program it runs', () => {
  const root = repo({
    [DYNAMODB_LOCAL_LAUNCHER]: 'export function startDynamoDbLocal() {}',
    'src/store.ts': 'export const x = 1;',
    'src/main.ts': "import { startDynamoDbLocal } from './dev/dynamodb-local/start.ts';",
    'test/support/db.ts': "import { startDynamoDbLocal } from '../../src/dev/dynamodb-local/start.ts';",
    'test/pure.test.ts': "import { x } from '../src/store.ts';\nimport { x as y } from 'some-package';",
    'test/imports.test.ts': "import { db } from './support/db.ts';",
    'test/dynamic.test.ts': "const m = await import('./support/db.ts');",
    'test/nested/runs.test.ts': "const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));",
  });
  assert.deepEqual(testTiers(root), {
    unit: ['test/pure.test.ts'],
    dynamodb: ['test/dynamic.test.ts', 'test/imports.test.ts', 'test/nested/runs.test.ts'],
  });
  writeFileSync(join(root, 'src/store.ts'), "export { startDynamoDbLocal } from './dev/dynamodb-local/start.ts';");
  assert.deepEqual(testTiers(root).unit, [], 'a change deep in the source moves its tests');
});
