/**
 * Runs one test tier: `node test/support/run-tests.ts unit|dynamodb [node --test flags]`.
 * `unit` runs without Java and with DynamoDB Local refused (a unit file that starts it fails);
 * `dynamodb` runs under with-dynamodb.ts. Membership comes from tiers.ts.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REFUSE_DYNAMODB_LOCAL, testTiers, TIERS, type Tier } from './tiers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WITH_DYNAMODB = fileURLToPath(new URL('./with-dynamodb.ts', import.meta.url));

const [tier, ...flags] = process.argv.slice(2);
if (!TIERS.includes(tier as Tier)) {
  console.error(`usage: run-tests.ts ${TIERS.join('|')} [node --test flags]`);
  process.exit(2);
}
const files = testTiers(ROOT)[tier as Tier];
const nodeTest = ['--test', '--test-concurrency=2', ...flags, ...files];
const { GITSYNC_TEST_DYNAMODB_ENDPOINT: _shared, ...env } = process.env;
const child =
  tier === 'unit'
    ? spawn(process.execPath, nodeTest, {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...env, [REFUSE_DYNAMODB_LOCAL]: 'this test runs in the unit tier; a test that needs DynamoDB must import what starts it (test/support/tiers.ts)' },
      })
    : spawn(process.execPath, [WITH_DYNAMODB, 'node', ...nodeTest], { cwd: ROOT, stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
