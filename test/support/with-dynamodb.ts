/**
 * Runs a command with DynamoDB Local up: `node test/support/with-dynamodb.ts <cmd> [args]`.
 * The endpoint is passed as GITSYNC_TEST_DYNAMODB_ENDPOINT; the server stops when the
 * command ends, whatever its exit code, and on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { startDynamoDbLocal } from '../../src/dev/dynamodb-local/start.ts';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: with-dynamodb.ts <command> [args...]');
  process.exit(2);
}

const db = await startDynamoDbLocal();
const child = spawn(command === 'node' ? process.execPath : command, args, {
  stdio: 'inherit',
  env: { ...process.env, GITSYNC_TEST_DYNAMODB_ENDPOINT: db.endpoint },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => child.kill(signal));
}
const code = await new Promise<number>((resolve) => {
  child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
});
await db.stop();
process.exit(code);
