/**
 * `npm run build:library` (npm pack runs it first, as prepack): the library entry
 * (src/index.ts) and the CLI (src/cli/gitsync.ts) with everything they import, compiled to
 * JavaScript ESM with declarations in dist/ (tsconfig.lib.json). An installed package needs
 * this: Node does not strip types under node_modules. dist/ starts empty so a removed module
 * is never shipped.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
execFileSync(fileURLToPath(new URL('../node_modules/.bin/tsc', import.meta.url)), ['-p', 'tsconfig.lib.json'], { cwd: root, stdio: 'inherit' });
