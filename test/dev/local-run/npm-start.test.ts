/**
 * `npm start` as a user runs it: a child process with its own DynamoDB Local (Java) and
 * simulated Git host. Checks the summary JSON on the last stdout line and that nothing the
 * run started outlives it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../src/dev/local-run/main.ts', import.meta.url));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The Java processes the run started, found while it runs. */
  javaPids: Promise<number[]>;
  exit: Promise<{ code: number | null; signal: string | null }>;
}

const children = new Set<ChildProcess>();
// A failed assertion must not leave a run (and its Java) behind.
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** `group`: the run leads its own process group, as a command started from a terminal does. */
function startRun(args: string[], group = false): Run {
  const { GITSYNC_TEST_DYNAMODB_ENDPOINT: _shared, GIT_PROVIDERS: _providers, ...env } = process.env;
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // A guard against a hang, far above the expected run: not a timing assertion.
  const guard = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal });
    }),
  );
  const javaPids = (async () => {
    // The seeding line is printed once DynamoDB Local is up.
    while (!out.includes('seeded ') && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    return childPids(child.pid!).filter((pid) => command(pid).startsWith('java'));
  })();
  return { child, stdout: () => out, stderr: () => err, javaPids, exit };
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

function processGroup(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
}

function command(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function assertGone(run: Run): Promise<void> {
  const java = await run.javaPids;
  assert.equal(java.length, 1, 'the run started one DynamoDB Local');
  for (const pid of java) assert.equal(alive(pid), false, `java ${pid} outlived the run`);
  const servers: [RegExp, string][] = [
    [/simulated host (http:\/\/127\.0\.0\.1:\d+)/, 'the simulated host'],
    [/webhooks: .* to (http:\/\/127\.0\.0\.1:\d+)\//, 'the webhook receiver'],
  ];
  for (const [named, what] of servers) {
    const url = named.exec(run.stdout())?.[1];
    assert.ok(url, `the run names ${what}`);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    assert.ok(refused, `${what} still listens`);
  }
}

function lastJson(stdout: string): Record<string, unknown> {
  const last = stdout.trimEnd().split('\n').at(-1)!;
  return JSON.parse(last) as Record<string, unknown>;
}

test('a short run refreshes every row with a token, backs off the others, handles the rate limit and leaves nothing behind', async () => {
  // 40 s: the quota incident needs a row of its owner to come due again 15 s after the first
  // sweep, and on a loaded 2-core machine that sweep alone can take 20 s.
  const run = startRun(['--rows', '40', '--duration', '40', '--speed', '10', '--json', '--seed', '3']);
  const { code, signal } = await run.exit;
  assert.equal(signal, null);
  assert.equal(code, 0, run.stderr());
  const s = lastJson(run.stdout());
  assert.equal(s['rows'], 40);
  assert.equal(s['stoppedBy'], 'duration');
  const withToken = s['rowsWithToken'] as number;
  assert.ok(withToken > 0 && withToken < 40, 'some owners have no token');
  assert.equal(s['rowsRefreshedAtLeastOnce'], withToken);
  assert.equal(s['rowsWithTokenNeverRefreshed'], 0);
  assert.equal(s['noToken'], 40 - withToken, 'each tokenless row was tried once and backed off for 10 minutes');
  assert.equal(s['rowsBackingOffNoToken'], 40 - withToken);
  assert.equal((s['refreshes'] as number) + (s['noPr'] as number) >= withToken, true);
  assert.ok((s['rateLimitHits'] as number) > 0, 'the spent quota was met');
  assert.ok((s['rateLimited'] as number) > 0, 'rate-limited rows backed off');
  assert.equal(s['errors'], 0);
  assert.equal(s['failedTicks'], 0);
  assert.ok((s['apiCalls'] as number) >= withToken);
  assert.equal(typeof s['p50LatenessMs'], 'number');
  assert.equal(typeof s['p99LatenessMs'], 'number');
  assert.ok((s['p50LatenessMs'] as number) <= (s['p99LatenessMs'] as number));
  assert.equal(s['webhookRefused'], 1, "the host's probe with a wrong secret was refused");
  assert.equal(typeof s['webhookDeliveries'], 'number');
  assert.deepEqual(Object.keys(s['changeToRow'] as object).sort(), ['polling', 'webhook']);
  assert.match(run.stdout(), /^\[00:\d\d\] tick \d+: rows fresh \d+/m, 'plain progress lines when stdout is not a terminal');
  await assertGone(run);
});

test('Ctrl-C stops the run cleanly: summary printed, exit 0, no Java or HTTP server left', async () => {
  const run = startRun(['--rows', '20', '--duration', '0', '--speed', '10', '--json', '--faults'], true);
  while (!/tick [3-9]/.test(run.stdout()) && run.child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  // A terminal's Ctrl-C signals the whole foreground process group: DynamoDB Local must not be
  // in it, or it would die before the run's last census.
  const [java] = await run.javaPids;
  assert.ok(java);
  assert.notEqual(processGroup(java), processGroup(run.child.pid!), 'DynamoDB Local runs in its own process group');
  process.kill(-run.child.pid!, 'SIGINT');
  const { code, signal } = await run.exit;
  assert.equal(signal, null);
  assert.equal(code, 0, run.stderr());
  const s = lastJson(run.stdout());
  assert.equal(s['stoppedBy'], 'signal');
  assert.equal(s['rows'], 20);
  assert.match(run.stdout(), /^summary \(/m);
  await assertGone(run);
});

test('a bad command line is refused with the usage and exit code 2', async () => {
  const run = startRun(['--rows', 'many']);
  const { code } = await run.exit;
  assert.equal(code, 2);
  assert.equal(run.stdout(), '');
  assert.match(run.stderr(), /--rows must be a whole number, got "many"\nusage: npm start/);
});
