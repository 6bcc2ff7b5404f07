// vitest globalSetup: the compiled build (dist/) before any test runs, as the npm pre-scripts do for
// users. Tests that run the licmon bin or the compiled processes find it there; building it once here
// (and not inside a test) means no test ever rewrites dist/ while another one runs from it.
// `--if-stale`: a fresh clone builds (~20 s), an up-to-date checkout costs one walk over its sources.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../support/processes.ts';

export default function setup(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: ROOT, stdio: 'inherit', timeout: 300_000 });
}
