/**
 * Child process of `npm run invoke`: the Lambda runtime's part. Loads the built module, calls
 * its handler once with the event and a context, and sends the outcome to the parent over IPC.
 * Argv: <module file> <export name> <event json file> <timeout ms>.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { localLambdaContext } from './lambda-context.ts';

const [file, exportName, eventFile, timeoutArg] = process.argv.slice(2);
if (!file || !exportName || !eventFile || !timeoutArg) throw new Error('usage: invoke-runner <file> <export> <event> <timeoutMs>');
const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

const context = localLambdaContext({
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local',
  region: process.env.AWS_REGION ?? 'us-east-1',
  memoryMb: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
  timeoutMs: Number(timeoutArg),
});

try {
  const event: unknown = JSON.parse(readFileSync(eventFile, 'utf8'));
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const handler = mod[exportName];
  if (typeof handler !== 'function') throw new Error(`${file} does not export a function "${exportName}"`);
  const result: unknown = await handler(event, context);
  await send({ ok: true, result: result ?? null, rssMb: process.memoryUsage().rss / 2 ** 20 });
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  await send({ ok: false, error: { errorType: e.name, errorMessage: e.message, stackTrace: (e.stack ?? '').split('\n') } });
}
process.exit(0);
