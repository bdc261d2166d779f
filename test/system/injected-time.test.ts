/**
 * Product code reads time and randomness only through what the composition root injects (the
 * clock with its waits, the random source): a backoff, a throttle's pause or a deadline then
 * follows the clock a test or the bench gives, never real time behind its back. The real ones
 * are made in two places: `src/domain/clock.ts` (the system clock) and the composition root.
 * `src/dev/` (the local run, the simulated hosts) runs on real time by design.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * Also the HTTP agent: its connect, headers and body limits are its sockets' idle timeouts
 * (`socket.setTimeout`), the transport's own real time as undici's timers were before it.
 */
const ALLOWED = new Set(['src/system/compose.ts', 'src/domain/clock.ts', 'src/providers/http/agent.ts']);
const OUTSIDE_PRODUCT = 'src/dev/';

const DIRECT = [
  { name: 'Date.now()', pattern: /\bDate\.now\s*\(/ },
  { name: 'new Date() (the current time)', pattern: /\bnew Date\(\s*\)/ },
  { name: 'performance.now()', pattern: /\bperformance\.now\s*\(/ },
  { name: 'Math.random', pattern: /\bMath\.random\b/ },
  { name: 'setTimeout', pattern: /\bsetTimeout\b/ },
  { name: 'setInterval', pattern: /\bsetInterval\b/ },
  { name: 'AbortSignal.timeout', pattern: /\bAbortSignal\.timeout\b/ },
  { name: 'node:timers/promises', pattern: /['"](node:)?timers\/promises['"]/ },
];

/** Each direct use of real time or randomness in `source`, comments left out, as "line: what". */
function directTimeUses(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/^\s*\/\/.*$/gm, '');
  return code.split('\n').flatMap((line, i) => DIRECT.filter((d) => d.pattern.test(line)).map((d) => `${i + 1}: ${d.name}`));
}

function productFiles(): string[] {
  return readdirSync(join(ROOT, 'src'), { recursive: true })
    .map((f) => `src/${String(f).split('\\').join('/')}`)
    .filter((f) => f.endsWith('.ts') && !f.startsWith(OUTSIDE_PRODUCT) && !ALLOWED.has(f))
    .sort();
}

test('no product file reads the system clock, real timers or Math.random: they come injected', () => {
  const files = productFiles();
  assert.ok(files.includes('src/refresh/tick.ts') && files.includes('src/refresh/refresher.ts'), 'the scan sees the product');
  const found = files.flatMap((f) => directTimeUses(readFileSync(join(ROOT, f), 'utf8')).map((use) => `${f}:${use}`));
  assert.deepEqual(found, []);
});

test('the scan catches each direct use, and not the injected ones or comments', () => {
  const source = [
    'const a = Date.now();',
    'const b = deps.random ?? Math.random;',
    "import { setTimeout as sleep } from 'node:timers/promises';",
    'const s = AbortSignal.timeout(5_000);',
    'setInterval(() => {}, 10);',
    'const d = new Date();',
    'const t = performance.now();',
    'const ok = [clock.now(), clock.abortAfter(5), await clock.sleep(1), new Date(at), random()];',
    '// Date.now() in a comment',
    '/** AbortSignal.timeout, as documented */',
  ].join('\n');
  assert.deepEqual(directTimeUses(source), [
    '1: Date.now()',
    '2: Math.random',
    '3: setTimeout',
    '3: node:timers/promises',
    '4: AbortSignal.timeout',
    '5: setInterval',
    '6: new Date() (the current time)',
    '7: performance.now()',
  ]);
});
