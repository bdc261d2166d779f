import { mock } from 'node:test';

/**
 * Runs `fn` and returns the JSON lines it wrote to stdout / stderr whose text starts with
 * `prefix` (Powertools logs and EMF blobs). Everything else, such as the test runner's own
 * reports, passes through untouched.
 */
export async function captureJsonLines<T>(
  prefix: string,
  fn: () => Promise<T> | T,
): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const mocks = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write.bind(stream) as (chunk: string | Uint8Array) => boolean;
    return mock.method(stream, 'write', (chunk: string | Uint8Array) => {
      const text = typeof chunk === 'string' ? chunk : '';
      if (!text.startsWith(prefix)) return original(chunk);
      lines.push(JSON.parse(text) as Record<string, unknown>);
      return true;
    });
  });
  try {
    return { result: await fn(), lines };
  } finally {
    for (const m of mocks) m.mock.restore();
  }
}

/**
 * Runs `fn` and returns everything written to stdout and stderr meanwhile (console,
 * Powertools logs, EMF metrics), none of it passed on: for scanning a run's whole output.
 */
export async function captureAllOutput<T>(fn: () => Promise<T> | T): Promise<{ result: T; text: string }> {
  const chunks: string[] = [];
  const mocks = [process.stdout, process.stderr].map((stream) =>
    mock.method(stream, 'write', (chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }),
  );
  try {
    return { result: await fn(), text: chunks.join('') };
  } finally {
    for (const m of mocks) m.mock.restore();
  }
}
