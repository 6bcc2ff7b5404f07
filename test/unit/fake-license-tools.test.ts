// The fake lmutil/rlmutil that source and scheduler tests run in place of the real tools.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAKE_BIN_DIR, readFixture } from '../fixtures/fixtures.ts';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

async function run(tool: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(join(FAKE_BIN_DIR, tool), args, { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'fake-tools-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fake lmutil / rlmutil', () => {
  it('print the fixture named by the first host of -c, byte for byte', async () => {
    const triad = await run('lmutil', ['lmstat', '-a', '-c', '5280@triad-one-down,5280@cds-lic2,5280@cds-lic3']);
    expect(triad).toMatchObject({ code: 0, stderr: '' });
    expect(triad.stdout).toBe(readFixture('lmstat/triad-one-down.txt'));
    const windows = await run('lmutil', ['lmstat', '-a', '-c', '27000@windows-healthy']);
    expect(windows.stdout).toBe(readFixture('lmstat/windows-healthy.txt'));
    const rlm = await run('rlmutil', ['rlmstat', '-a', '-c', '5053@windows-two-isv']);
    expect(rlm.stdout).toBe(readFixture('rlmstat/windows-two-isv.txt'));
  });

  it('fall back to the default fixture for other hosts, per command', async () => {
    expect((await run('lmutil', ['lmstat', '-a', '-c', '27000@srv-17'])).stdout).toBe(readFixture('lmstat/single-healthy.txt'));
    expect((await run('lmutil', ['lmstat', '-i', '-c', '27000@srv-17'])).stdout).toBe(readFixture('lmstat-i/single-healthy.txt'));
    expect((await run('rlmutil', ['rlmstat', '-a', '-c', '5053@srv-17'])).stdout).toBe(readFixture('rlmstat/healthy.txt'));
    const chosen = await run('lmutil', ['lmstat', '-a', '-c', '27000@srv-17'], { FAKE_TOOL_DEFAULT: 'vendor-down' });
    expect(chosen.stdout).toBe(readFixture('lmstat/vendor-down.txt'));
    const file = await run('lmutil', ['lmstat', '-a', '-c', '27000@srv-17'], { FAKE_TOOL_FIXTURE: 'lmstat/multi-block.txt' });
    expect(file.stdout).toBe(readFixture('lmstat/multi-block.txt'));
  });

  it('fail with a non-zero exit for fail-* hosts, and on a bad command line', async () => {
    expect(await run('lmutil', ['lmstat', '-a', '-c', '27000@fail-03'])).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: 'lmutil: simulated failure for 27000@fail-03\n',
    });
    expect((await run('rlmutil', ['rlmstat', '-a', '-c', '5053@x'], { FAKE_TOOL_EXIT_CODE: '7' })).code).toBe(7);
    expect((await run('lmutil', ['lmdown'])).code).toBe(2);
  });

  it('answer late when slow', async () => {
    const started = Date.now();
    const slow = await run('lmutil', ['lmstat', '-a', '-c', '27000@x'], { FAKE_TOOL_DELAY_MS: '400' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(slow.stdout).toBe(readFixture('lmstat/single-healthy.txt'));
  });

  it('hang until killed, after printing the banner', async () => {
    const child = spawn(join(FAKE_BIN_DIR, 'lmutil'), ['lmstat', '-a', '-c', '27000@hang-01']);
    const [banner] = (await once(child.stdout, 'data')) as [Buffer];
    expect(banner.toString()).toBe('lmutil - Copyright (c) 1989-2023 Flexera. All Rights Reserved.\n');
    expect(child.exitCode).toBeNull();
    const closed = once(child, 'close');
    child.kill('SIGTERM');
    expect(await closed).toEqual([null, 'SIGTERM']);
  });

  it('log every run when asked', async () => {
    const log = join(tmp, 'runs.ndjson');
    await run('lmutil', ['lmstat', '-a', '-c', '27000@srv-01'], { FAKE_TOOL_LOG: log });
    await run('rlmutil', ['rlmstat', '-a', '-c', '5053@srv-02'], { FAKE_TOOL_LOG: log });
    const runs = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { tool: string; args: string[] });
    expect(runs.map((r) => [r.tool, r.args])).toEqual([
      ['lmutil', ['lmstat', '-a', '-c', '27000@srv-01']],
      ['rlmutil', ['rlmstat', '-a', '-c', '5053@srv-02']],
    ]);
  });
});
