// `licmon --version` / `-V`: the version from package.json, exit 0, from the installed bin (dist/,
// built by the test run's global setup) as users run it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/processes.ts';

const run = promisify(execFile);
const { version } = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string };

describe('licmon --version', () => {
  it.each(['--version', '-V'])('%s prints the package version and exits 0', async (flag) => {
    const { stdout, stderr } = await run(process.execPath, ['bin/licmon.mjs', flag], { cwd: ROOT });
    expect(stdout).toBe(`${version}\n`);
    expect(stderr).toBe('');
  });

  it('--help mentions it', async () => {
    const { stdout } = await run(process.execPath, ['bin/licmon.mjs', '--help'], { cwd: ROOT });
    expect(stdout).toContain('licmon --version');
  });
});
