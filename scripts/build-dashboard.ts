// Builds the dashboard (dashboard/ → dashboard/dist, which every gateway serves at `/`) when the
// output is missing or older than its sources. `npm start` runs this first (prestart), so a fresh
// clone shows the dashboard with no manual step, and an up-to-date build costs one walk over a
// few dozen files. The browser test calls ensureDashboardBuilt() before starting its gateway.
// `npm run build:dashboard` always builds (plain `vite build`).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_DIST } from '../gateway/static-files.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VITE = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
/** What the built page is made of: its own sources, the SDK, the protocol codes, the build tools. */
const INPUTS = ['dashboard', 'client', 'shared/protocol', 'package-lock.json'].map((p) => join(ROOT, p));
const OUTPUT_STAMP = join(DASHBOARD_DIST, 'index.html');

export function dashboardIsStale(): boolean {
  if (!existsSync(OUTPUT_STAMP)) return true;
  const built = statSync(OUTPUT_STAMP).mtimeMs;
  return INPUTS.some((input) => newestChange(input) > built);
}

/** Build if stale; answers whether it built. Rejects with vite's output when the build fails. */
export async function ensureDashboardBuilt(): Promise<boolean> {
  if (!dashboardIsStale()) return false;
  await buildDashboard();
  return true;
}

export function buildDashboard(): Promise<void> {
  if (!existsSync(VITE)) return Promise.reject(new Error('vite is not installed (a dev dependency): run `npm install`'));
  // The page imports the SDK by its package name: its build (client/dist) must be there first.
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-client.mjs'), '--if-stale'], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VITE, 'build', '--config', 'dashboard/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code}):\n${output}`))));
  });
}

function newestChange(path: string): number {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    newest = Math.max(newest, newestChange(join(path, entry.name)));
  }
  return newest;
}

// As a script (prestart): build when needed; a failure leaves the gateway serving its
// "not built" page rather than stopping `npm start`.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const stale = dashboardIsStale();
  if (stale) process.stdout.write('Building the dashboard (dashboard/dist)…\n');
  ensureDashboardBuilt().then(
    (built) => {
      if (built) process.stdout.write(`Dashboard built in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
    },
    (err: unknown) => process.stderr.write(`The dashboard could not be built; the gateway will serve a page saying so.\n${err instanceof Error ? err.message : String(err)}\n`),
  );
}
