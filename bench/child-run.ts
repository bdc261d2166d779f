import { spawn } from 'node:child_process';

/**
 * Runs a bench script in a Node process of its own, its input as one JSON argument, its
 * output the JSON on its last stdout line (stderr passes through: its progress shows).
 */
export function runChild<Output>(script: string, input: unknown): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${out}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as Output);
    });
  });
}
