// Polling a license server's status tool: the fake lmutil/rlmutil stand in for the real ones —
// healthy, unreachable, failing, hanging (killed on overrun, even when it ignores SIGTERM).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LicenseServerConfig } from '../../collector/farm/farm-config.ts';
import { PLAIN } from '../../collector/privacy/user-privacy.ts';
import { StatusReader } from '../../collector/license/status-reader.ts';
import { execToolRunner, ToolError } from '../../collector/tools/tool-runner.ts';
import { FAKE_BIN_DIR } from '../fixtures/fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'licmon-status-'));
const runLog = join(dir, 'runs.log');
process.env.FAKE_TOOL_LOG = runLog;
afterAll(() => {
  delete process.env.FAKE_TOOL_LOG;
  rmSync(dir, { recursive: true, force: true });
});

const NOW = Date.parse('2024-01-15T10:30:00Z');
const signal = new AbortController().signal;

function server(host: string, extra: Partial<LicenseServerConfig> = {}): LicenseServerConfig {
  return {
    id: host,
    site: 'berlin',
    kind: 'flexlm',
    address: `27000@${host}`,
    hosts: [{ port: 27000, host }],
    command: join(FAKE_BIN_DIR, 'lmutil'),
    timeZone: 'UTC',
    pollIntervalMs: 60_000,
    timeoutMs: 10_000,
    expiryRefreshMs: 3_600_000,
    holdersPerFeature: 200,
    privacy: PLAIN,
    ...extra,
  };
}

const runs = (): Array<{ pid: number; args: string[] }> =>
  (existsSync(runLog) ? readFileSync(runLog, 'utf8') : '')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { pid: number; args: string[] });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('StatusReader with the fake lmutil and rlmutil', () => {
  it('reads lmstat -a, fills unused features\' expiry from lmstat -i, and reads -i again only after expiryRefresh', async () => {
    let now = NOW;
    const reader = new StatusReader(execToolRunner, () => now);
    const before = runs().length;
    const status = await reader.read(server('single-healthy'), signal);
    expect(status.reachable).toBe(true);
    expect(status.features.map((f) => [f.name, f.used, f.expiry])).toEqual([
      ['Maya_Complete', 4, '2025-12-31'],
      ['MatchMover', 1, null],
      ['Arnold', 0, '2024-06-30'],
      ['3dsMax', 0, null],
    ]);
    const args = () => runs().slice(before).map((r) => r.args.slice(0, 2).join(' '));
    expect(args()).toEqual(['lmstat -a', 'lmstat -i']);
    now += 60_000;
    await reader.read(server('single-healthy'), signal);
    expect(args()).toEqual(['lmstat -a', 'lmstat -i', 'lmstat -a']);
    now += 3_600_000;
    await reader.read(server('single-healthy'), signal);
    expect(args().slice(3)).toEqual(['lmstat -a', 'lmstat -i']);
  });

  it('reads an unreachable server as down (a successful poll), and rlmstat through rlmutil', async () => {
    const reader = new StatusReader(execToolRunner, () => NOW);
    const down = await reader.read(server('unreachable-linux'), signal);
    expect(down).toMatchObject({ reachable: false, error: 'Cannot connect to license server system. (-15,570:111 "Connection refused")' });
    const rlm = await reader.read(server('healthy', { kind: 'rlm', command: join(FAKE_BIN_DIR, 'rlmutil'), address: '5053@healthy' }), signal);
    expect(rlm).toMatchObject({ tool: 'rlmstat', reachable: true });
    expect(rlm.features.length).toBeGreaterThan(0);
  });

  it('fails a poll when the tool fails, is missing, or hangs past its timeout — killed, even when it ignores SIGTERM', async () => {
    const reader = new StatusReader(execToolRunner, () => NOW);
    await expect(reader.read(server('fail-01'), signal)).rejects.toThrow(/exited with 1 without a status: lmutil: simulated failure for 27000@fail-01/);
    await expect(reader.read(server('x', { command: join(dir, 'no-such-lmutil') }), signal)).rejects.toThrow(/cannot run .*no-such-lmutil: not found/);
    process.env.FAKE_TOOL_IGNORE_SIGTERM = '1';
    try {
      const started = Date.now();
      const error = await reader.read(server('hang-01', { timeoutMs: 1500 }), signal).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ToolError);
      expect((error as Error).message).toMatch(/did not finish within 1500 ms and was killed/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      delete process.env.FAKE_TOOL_IGNORE_SIGTERM;
    }
    const hung = runs().filter((r) => r.args.includes('27000@hang-01'));
    expect(hung).toHaveLength(1);
    expect(alive(hung[0]!.pid)).toBe(false);
  });

  it('gives up at once when the poll is aborted, and runs the tool with LANG=C', async () => {
    const controller = new AbortController();
    const pending = new StatusReader(execToolRunner, () => NOW).read(server('hang-02'), controller.signal);
    setTimeout(() => controller.abort(new Error('collector stopping')), 300);
    await expect(pending).rejects.toThrow(/aborted: collector stopping/);
    const { stdout } = await execToolRunner.run('/usr/bin/env', [], { signal, timeoutMs: 5000 });
    expect(stdout.split('\n')).toEqual(expect.arrayContaining(['LANG=C', 'LC_ALL=C']));
  });
});
