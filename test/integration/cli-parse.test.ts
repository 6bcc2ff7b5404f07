// `licmon parse` as an admin runs it: the real CLI on recorded tool output, printing exactly the
// messages a collector builds from that text (same parsers, same builders).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AlertEngine } from '../../collector/alerts/alert-engine.ts';
import { MemoryAlertState } from '../../collector/alerts/alert-state.ts';
import { pollRules } from '../../collector/alerts/rules/poll-rules.ts';
import { AlertRulesSchema } from '../../collector/farm/alert-rules-config.ts';
import { serverMetrics } from '../../collector/license/server-metrics.ts';
import { parseDebugLog, toLogMessages } from '../../collector/parsers/debuglog.ts';
import { parseLmstat } from '../../collector/parsers/lmstat.ts';
import { readFixture } from '../fixtures/fixtures.ts';
import { ROOT } from '../support/processes.ts';

function licmon(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/licmon.ts', 'parse', ...args], { cwd: ROOT, env: { ...process.env, FARM_CONFIG: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const NOW = '2024-01-15T10:30:00.000Z';
const fixture = (path: string) => `${ROOT}/test/fixtures/${path}`;

describe('licmon parse', () => {
  it('lmstat: prints the metrics message a poll publishes; with --alerts, the alerts a first poll raises', async () => {
    const text = readFixture('lmstat/triad-one-down.txt');
    const status = parseLmstat(text, { now: new Date(NOW), timeZone: 'UTC' });
    const hosts = status.servers.map((s) => ({ host: s.host, port: s.port! }));
    const server = { id: 'cadence', site: 'berlin', kind: 'flexlm' as const, address: hosts.map((h) => `${h.port}@${h.host}`).join(','), hosts };
    const [metrics, alerts] = await Promise.all([
      licmon(['lmstat', '--file', fixture('lmstat/triad-one-down.txt'), '--server', 'cadence', '--site', 'berlin', '--now', NOW, '--timezone', 'UTC']),
      licmon(['lmstat', '--alerts', '--server', 'cadence', '--site', 'berlin', '--now', NOW, '--timezone', 'UTC'], text),
    ]);
    expect(metrics).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(metrics.stdout)).toEqual(serverMetrics(server, status, NOW, { durationMs: 0 }));
    expect(JSON.parse(metrics.stdout)).toMatchObject({ source: 'cadence', site: 'berlin', status: 'up', licenses: { total: 35, used: 13 } });
    const expected = await new AlertEngine(new MemoryAlertState()).evaluate('cadence', pollRules(server, status, AlertRulesSchema.parse({}), new Date(NOW)));
    expect(alerts.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(expected.map((a) => a.rule)).toContain('triad_member_down');
  });

  it('debuglog: prints one log message per event as NDJSON; lines it does not know go to stderr with exit 1', async () => {
    const text = `${readFixture('debuglog/triad-failover.log')}this is not a debug-log line\n`;
    const result = await licmon(['debuglog', '--server', 'cadence', '--site', 'berlin', '--timezone', 'UTC', '--now', NOW], text);
    const parsed = parseDebugLog(text, { timeZone: 'UTC', now: () => new Date(NOW) });
    expect(result.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual(JSON.parse(JSON.stringify(toLogMessages(parsed.events, { server: 'cadence', site: 'berlin' }))));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/1 line not understood:\n {2}line \d+: this is not a debug-log line/);
  });

  it('understands every line of the new layouts: FlexNet 11.19 version blocks with PIDs, RLM connection errors', async () => {
    const [versions, rlmError] = await Promise.all([
      licmon(['lmstat', '--file', fixture('lmstat/snpslmd-versions.txt'), '--server', 'synopsys', '--now', NOW, '--timezone', 'UTC']),
      licmon(['rlmstat', '--file', fixture('rlmstat/error-no-host.txt'), '--server', 'rlm-02', '--now', NOW]),
    ]);
    expect(versions).toMatchObject({ code: 0, stderr: '' });
    const vcs = (JSON.parse(versions.stdout) as { features: { name: string }[] }).features.find((f) => f.name === 'VCSRuntime_Net');
    expect(vcs).toMatchObject({ version: '2025.06', issued: 60, used: 27, reserved: 10, versions: [{ version: '2023.12', reserved: 10 }, { version: '2024.09', used: 12 }, { version: '2025.06', used: 5 }] });
    expect(rlmError).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(rlmError.stdout)).toMatchObject({ status: 'down', error: 'Error connecting to "rlm" server; tried no host on port 5053', poll: { unparsedLines: 0 } });
  });

  it('lmstat-i: prints the expiry table; bad usage exits 2', async () => {
    const table = await licmon(['lmstat-i', '--file', fixture('lmstat-i/single-healthy.txt')]);
    expect(table.code).toBe(0);
    expect(JSON.parse(table.stdout)).toEqual({ expiries: { Maya_Complete: '2025-12-31', MatchMover: null, Arnold: '2024-06-30', '3dsMax': null, Maya_Complete_2022: '2022-12-31' }, error: null });
    const bad = await licmon(['lmstatx']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/name one format: lmstat, lmstat-i, debuglog, rlmstat/);
  });
});
