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

  it('loads no command and no dependency to answer (NODE_DEBUG=esm lists the modules it loads)', async () => {
    const { stdout, stderr } = await run(process.execPath, ['bin/licmon.mjs', '--version'], { cwd: ROOT, env: { ...process.env, NODE_DEBUG: 'esm' } });
    expect(stdout).toBe(`${version}\n`);
    const loaded = new Set([...stderr.matchAll(/file:\/\/[^\s',]+/g)].map(([url]) => url.slice(`file://${ROOT}`.length)));
    expect(loaded).toContain('dist/cli/licmon.js');
    expect([...loaded].filter((path) => path.includes('node_modules/') || path.startsWith('dist/cli/commands/'))).toEqual([]);
    expect(loaded.size).toBeLessThanOrEqual(6);
  });

  it('--help mentions it', async () => {
    const { stdout } = await run(process.execPath, ['bin/licmon.mjs', '--help'], { cwd: ROOT });
    expect(stdout).toContain('licmon --version');
  });
});
