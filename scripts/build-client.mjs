// Builds @licmon/client into client/dist: ESM + .d.ts + sourcemaps with tsc (client/tsconfig.json),
// and one browser file (dist/licmon-client.browser.js, for a <script type="module">) with esbuild.
// The CLI, the dashboard and the tests import the SDK by its package name, as an outside user does,
// so they need this output: `--if-stale` (npm's pre-scripts) builds only when dist/ is missing or
// older than a source. Plain JS, so it runs before anything is compiled.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const CLIENT = fileURLToPath(new URL('../client/', import.meta.url));
const STAMP = `${CLIENT}dist/licmon-client.browser.js`;

export function clientIsStale() {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  return readdirSync(CLIENT).some((name) => /\.(ts|json)$/.test(name) && statSync(`${CLIENT}${name}`).mtimeMs > built);
}

export async function buildClient() {
  const require = createRequire(import.meta.url);
  const { build } = await import('esbuild');
  rmSync(`${CLIENT}dist`, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', `${CLIENT}tsconfig.json`], { stdio: 'inherit' });
  await build({
    entryPoints: [`${CLIENT}index.ts`],
    outfile: STAMP,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && !(process.argv.includes('--if-stale') && !clientIsStale())) {
  await buildClient();
}
