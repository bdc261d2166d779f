#!/usr/bin/env node
// Operator CLI. Runs the TypeScript sources directly: needs Node 24 (npx puts it on PATH).
import { runCli } from '../src/cli/gitsync.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
