#!/usr/bin/env node
// The installed `licmon` command: runs the compiled CLI (dist/, from `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli/licmon.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(`licmon: not built yet: run \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}\n`);
  process.exit(2);
}
await import(cli.href);
