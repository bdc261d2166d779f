#!/usr/bin/env node
// Operator CLI. In a checkout it runs the TypeScript sources (Node 24 strips the types; npx
// puts it on PATH); an installed package has no sources and runs its compiled dist/ instead.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/gitsync.ts', import.meta.url);
const { runCli } = await import(existsSync(source) ? source.href : new URL('../dist/cli/gitsync.js', import.meta.url).href);

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
