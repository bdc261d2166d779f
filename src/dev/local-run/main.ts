/**
 * `npm start`: the whole of gitsync on one machine. Exit codes: 0 after a run (also when
 * stopped by Ctrl-C / SIGTERM), 1 when it could not run, 2 for a bad command line.
 */
import { describeError } from '../../domain/errors.ts';
import { parseLocalRunArgs, USAGE, UsageError } from './args.ts';
import { createProgressView } from './progress-view.ts';
import { runLocal } from './run.ts';
import { renderSummary } from './summary.ts';

let options;
try {
  options = parseLocalRunArgs(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`gitsync local run: ${err.message}\n${USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

// The first signal stops the run cleanly (summary included); a second one ends at once.
let stopping = false;
const stopRequested = new Promise<void>((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      stopping = true;
      resolve();
    });
  }
});

try {
  const summary = await runLocal(options, { view: createProgressView(process.stdout), stopRequested });
  process.stdout.write(`${renderSummary(summary).join('\n')}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exitCode = 0;
} catch (err) {
  process.stderr.write(`gitsync local run failed: ${describeError(err)}\n`);
  process.exitCode = 1;
}
