import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./fixtures/close-child.ts', import.meta.url));

test('after close() the process exits by itself: no socket, timer or request left', async () => {
  const child = spawn(process.execPath, [CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // A guard against a hang, far above the expected second: not a timing assertion.
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(guard);
  assert.equal(signal, null, 'the child had to be killed: something kept it running');
  assert.equal(code, 0);
  const report = JSON.parse(out.trim());
  assert.equal(report.ok, 200);
  assert.equal(report.pending.length, 2);
  for (const outcome of report.pending) assert.equal(typeof outcome, 'string', 'hanging requests ended with an error');
});
