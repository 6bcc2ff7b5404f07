// `npm run build`: the gateway, the collector, the CLI and shared/ compiled to dist/ (tsc with
// tsconfig.build.json: same layout as the sources, .js with sourcemaps, the Lua scripts beside
// their loaders), after the client SDK they use (scripts/build-client.mjs). What npm start, the
// npm scripts, the licmon bin, the Docker image and the k8s manifests run. With `--if-stale` (the
// npm pre-scripts) it builds only when dist/ is missing or older than a source, so a fresh clone
// works with no manual step and an up-to-date one starts at once. Plain JS: nothing to compile first.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClient, clientIsStale } from './build-client.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.built');
/** What dist/ is made of (tsconfig.build.json's include, and what decides how it compiles). */
const INPUTS = ['shared', 'gateway', 'collector', 'cli', 'bin/start.ts', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
/** Files the compiled code reads at run time, next to itself. */
const ASSET = /\.lua$/;

function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => (name === 'dist' ? latest : Math.max(latest, newest(join(path, name)))), stat.mtimeMs);
}

export function distIsStale() {
  const built = statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return INPUTS.some((input) => newest(join(ROOT, input)) > built);
}

function copyAssets(dir) {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(path);
    else if (ASSET.test(entry.name)) {
      mkdirSync(dirname(join(DIST, path)), { recursive: true });
      copyFileSync(join(ROOT, path), join(DIST, path));
    }
  }
}

export async function build() {
  if (clientIsStale()) await buildClient();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  for (const dir of ['shared', 'gateway', 'collector', 'cli']) copyAssets(dir);
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes('--if-stale');
  if (!ifStale || distIsStale()) {
    const started = Date.now();
    if (ifStale) process.stderr.write(`Building ${relative(process.cwd(), DIST) || 'dist'}/ (missing or older than its sources)…\n`);
    await build();
    if (ifStale) process.stderr.write(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
  }
}
