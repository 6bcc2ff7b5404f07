// `licmon tail` as users run it: the real CLI (bin/licmon.mjs) against a real gateway process on
// real Redis — filters, NDJSON that parses line by line, the human format, exit codes, --since,
// and resume across a gateway restart with no line lost and none repeated.
import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisBus } from '../../shared/bus/index.ts';
import type { Level, StreamMessage } from '../../shared/protocol/index.ts';
import { LineWatcher } from '../support/line-watcher.ts';
import { ROOT, type RunningGateway, randomPrefix, startGateway } from '../support/processes.ts';
import { freePort } from '../support/redis-server.ts';

const API_KEY = `tail-${randomPrefix()}`;

interface TailRun {
  readonly stdout: LineWatcher;
  readonly stderr: LineWatcher;
  readonly exited: Promise<number | string>;
  signal(sig: NodeJS.Signals): void;
  /** Wait until `done` holds over stdout (or stderr), failing with both streams' tails. */
  waitOut(done: (lines: readonly string[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  waitErr(done: (lines: readonly string[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
}

const running: TailRun[] = [];

function tail(args: string[], env: Record<string, string> = {}): TailRun {
  const child = spawn(process.execPath, ['bin/licmon.mjs', 'tail', ...args], {
    cwd: ROOT,
    env: { ...process.env, LICMON_API_KEY: API_KEY, NO_COLOR: '', FORCE_COLOR: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = new LineWatcher();
  const stderr = new LineWatcher();
  for (const [stream, watcher] of [[child.stdout, stdout], [child.stderr, stderr]] as const) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) watcher.push(line);
    });
  }
  const exited = new Promise<number | string>((resolve) => child.once('close', (code, sig) => {
    stdout.end(`exited (${code ?? sig})`);
    stderr.end(`exited (${code ?? sig})`);
    resolve(code ?? sig ?? 'unknown');
  }));
  const failure = (what: string) => new Error(`timed out waiting for ${what}\n--- stdout:\n${stdout.tail(10)}\n--- stderr:\n${stderr.tail(10)}`);
  const run: TailRun = {
    stdout, stderr, exited,
    signal: (sig) => void (child.exitCode === null && child.signalCode === null && child.kill(sig)),
    async waitOut(done, what, timeoutMs = 20_000) {
      if (!(await stdout.waitFor(done, timeoutMs))) throw failure(what);
    },
    async waitErr(done, what, timeoutMs = 20_000) {
      if (!(await stderr.waitFor(done, timeoutMs))) throw failure(what);
    },
  };
  running.push(run);
  return run;
}

const isLive = (lines: readonly string[]) => lines.some((l) => /^licmon tail: (live|reconnected)/.test(l));
const parsed = (run: TailRun) => run.stdout.lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('licmon tail', () => {
  const redisUrl = inject('redisUrl');
  const prefix = randomPrefix();
  let env: Record<string, string>;
  let gateway: RunningGateway;
  let bus: RedisBus;

  const log = (message: string, level: Level = 'error', extra: Partial<StreamMessage> = {}) =>
    bus.publish({ type: 'log', timestamp: new Date().toISOString(), level, message, source: 'license-server', site: 'berlin', ...extra } as StreamMessage);

  beforeAll(async () => {
    env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, API_KEYS: API_KEY, DRAIN_DELAY_MS: '0', METRICS_MIN_INTERVAL_MS: '50', PORT: String(await freePort()) };
    gateway = await startGateway(env);
    bus = await new RedisBus({ url: redisUrl, prefix }).connect();
  });
  afterEach(async () => {
    for (const run of running.splice(0)) {
      run.signal('SIGKILL');
      await run.exited;
    }
  });
  afterAll(async () => {
    await bus?.close();
    await gateway?.kill();
  });

  it('--json with filters: exactly the matching logs, one JSON object per line, as the gateway sent them', async () => {
    const run = tail(['--url', gateway.wsUrl, '--json', '--level', 'error,warn', '--source', 'license-server', '--pattern', 'DENIED']);
    await run.waitErr(isLive, 'live');
    const expected: string[] = [];
    for (let i = 0; i < 24; i++) {
      const level = (['error', 'warn', 'info'] as const)[i % 3];
      const source = i % 4 === 3 ? 'other' : 'license-server';
      const message = i % 2 === 0 ? `feature ${i} denied: no licenses` : `feature ${i} checked out`;
      const { id } = await log(message, level, { source });
      if (level !== 'info' && source === 'license-server' && i % 2 === 0) expected.push(id!);
    }
    await run.waitOut((lines) => lines.some((l) => l.includes(expected.at(-1)!)), 'the last matching log');
    const messages = parsed(run);
    expect(messages.map((m) => m.id)).toEqual(expected);
    expect(messages.every((m) => m.type === 'log' && String(m.message).includes('denied'))).toBe(true);
    // Exactly as received: the bus's own JSON, the id first.
    expect(run.stdout.lines[0]!.startsWith(`{"id":"${expected[0]}","type":"log",`)).toBe(true);
  });

  it('human output: aligned time, level, site, source, message; alerts marked; metrics on one line; plain when piped', async () => {
    const run = tail(['--url', gateway.wsUrl, '--endpoint', 'combined', '--interval', '100']);
    await run.waitErr(isLive, 'live');
    await log('License utilization at 90%', 'warn');
    await bus.publish({ type: 'alert', timestamp: new Date().toISOString(), level: 'critical', message: 'Maya_Complete at 100%', source: 'flexlm-01', site: 'austin', rule: 'feature_utilization', key: 'k1', status: 'firing' });
    await bus.publish({ type: 'metrics', timestamp: new Date().toISOString(), source: 'flexlm-01', site: 'austin', licenses: { total: 100, used: 75, available: 25, utilization: 75 } });
    await run.waitOut((lines) => lines.some((l) => l.includes('METRICS')), 'a metrics line');
    const lines = run.stdout.lines;
    const warn = lines.find((l) => l.includes('License utilization'))!;
    const alert = lines.find((l) => l.includes('Maya_Complete'))!;
    const metrics = lines.find((l) => l.includes('METRICS'))!;
    expect(warn).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}WARN {6}berlin {2}license-server {2}License utilization at 90%$/);
    expect(alert).toMatch(/ {2}CRITICAL {2}austin {2}flexlm-01 +ALERT FIRING \[feature_utilization\] Maya_Complete at 100%$/);
    expect(metrics).toMatch(/ {2}METRICS {3}austin {2}flexlm-01 +licenses 75\/100 \(75\.0%\) {2}connections \d+ \(\d+ total\)$/);
    // The columns line up: the message starts at the same place on the alert and metrics lines.
    expect(alert.indexOf('ALERT')).toBe(metrics.indexOf('licenses'));
    expect(lines.join('\n')).not.toContain('\u001b[');
  });

  it('FORCE_COLOR=1 colours levels', async () => {
    const run = tail(['--url', gateway.wsUrl], { FORCE_COLOR: '1' });
    await run.waitErr(isLive, 'live');
    await log('in red');
    await run.waitOut((lines) => lines.some((l) => l.includes('in red')), 'the log');
    expect(run.stdout.lines.find((l) => l.includes('in red'))).toContain('\u001b[31mERROR');
  });

  it('SIGINT stops it with exit 0 and prints the --since to continue from', async () => {
    const run = tail(['--url', gateway.wsUrl, '--json']);
    await run.waitErr(isLive, 'live');
    const { id } = await log('last seen');
    await run.waitOut((lines) => lines.length > 0, 'the log');
    run.signal('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.stderr.lines).toContain(`licmon tail: to continue from here: --since ${id}`);
  });

  it('--since replays what came after that id, then goes live', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await log(`since ${i}`)).id!);
    const run = tail(['--url', gateway.wsUrl, '--json', '--since', ids[1]!]);
    await run.waitOut((lines) => lines.length >= 3, 'the replay');
    await log('since live');
    await run.waitOut((lines) => lines.some((l) => l.includes('since live')), 'the live log');
    expect(parsed(run).map((m) => m.message)).toEqual(['since 2', 'since 3', 'since 4', 'since live']);
  });

  it('-n N and --active-alerts: the alerts firing now (ALERT ACTIVE) and the last N lines of each site first, then live', async () => {
    const site = `tail-${randomPrefix()}`;
    await bus.publish({ type: 'alert', timestamp: new Date().toISOString(), level: 'critical', message: 'lic-9 down', source: 'license-server', site, rule: 'server_down', key: `${site}/lic-9`, status: 'firing' } as StreamMessage);
    for (let i = 1; i <= 5; i++) await log(`recent ${i}`, 'info', { site });
    const run = tail(['--url', gateway.wsUrl, '--endpoint', 'combined', '--site', site, '-n', '2', '--active-alerts']);
    await run.waitOut((lines) => lines.some((l) => l.includes('recent 5')), 'the last lines');
    await log('recent live', 'info', { site });
    await run.waitOut((lines) => lines.some((l) => l.includes('recent live')), 'the live line');
    expect(run.stdout.lines.map((l) => l.replace(/^.*license-server\s+/, ''))).toEqual(['ALERT ACTIVE [server_down] lic-9 down', 'recent 4', 'recent 5', 'recent live']);

    for (const args of [['-n', '5000'], ['--lines', 'all']]) {
      const bad = tail(['--url', gateway.wsUrl, ...args]);
      expect(await bad.exited, args.join(' ')).toBe(2);
    }
    const noAlertsOnLogs = tail(['--url', gateway.wsUrl, '--active-alerts']);
    expect(await noAlertsOnLogs.exited).toBe(2);
    expect(noAlertsOnLogs.stderr.lines.join('\n')).toContain('INVALID_ACTIVE_ALERTS');
  });

  it('exit codes: 3 for a refused key, 4 when the gateway cannot be reached, 2 for bad usage or a filter the gateway rejects', async () => {
    const refused = tail(['--url', gateway.wsUrl, '--api-key', 'wrong']);
    expect(await refused.exited).toBe(3);
    expect(refused.stderr.lines.join('\n')).toContain('HTTP 401');

    const unreachable = tail(['--url', `ws://127.0.0.1:${await freePort()}`, '--max-retries', '2']);
    expect(await unreachable.exited).toBe(4);
    expect(unreachable.stderr.lines.join('\n')).toContain('gave up reconnecting');

    for (const args of [['--level', 'loud'], ['--endpoint', 'nope'], ['--since', 'garbage'], ['--bogus']]) {
      const bad = tail(['--url', gateway.wsUrl, ...args]);
      expect(await bad.exited, args.join(' ')).toBe(2);
    }
    const noKey = tail(['--url', gateway.wsUrl], { LICMON_API_KEY: '' });
    expect(await noKey.exited).toBe(2);

    // Valid by the schema, refused by the gateway's pattern compiler.
    const badPattern = tail(['--url', gateway.wsUrl, '--pattern', '(unclosed']);
    expect(await badPattern.exited).toBe(2);
    expect(badPattern.stderr.lines.join('\n')).toContain('INVALID_FILTER');
  });

  it('resumes after a gateway restart (kill -9): no log line lost, none repeated', async () => {
    const tag = `restart-${randomPrefix()}`;
    const run = tail(['--url', gateway.wsUrl, '--json', '--level', 'error']);
    await run.waitErr(isLive, 'live');
    const published: Array<{ message: string; level: Level }> = [];
    let publishing = true;
    const publisher = (async () => {
      for (let n = 0; publishing; n++) {
        const level: Level = n % 4 === 3 ? 'info' : 'error';
        await log(`${tag} ${n}`, level);
        published.push({ message: `${tag} ${n}`, level });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const mine = () => parsed(run).filter((m) => String(m.message).startsWith(`${tag} `));
    await run.waitOut(() => mine().length >= 10, 'logs before the restart');

    await gateway.kill();
    await run.waitErr((lines) => lines.some((l) => l.includes('reconnecting in')), 'reconnecting');
    gateway = await startGateway(env);
    await run.waitErr((lines) => lines.some((l) => l.startsWith('licmon tail: reconnected; resumed after ')), 'resumed');
    const target = mine().length + 30;
    await run.waitOut(() => mine().length >= target, 'live logs after the restart', 30_000);
    publishing = false;
    await publisher;
    const last = published.filter((p) => p.level === 'error').at(-1)!.message;
    await run.waitOut(() => mine().some((m) => m.message === last), 'the last error log');

    const received = mine();
    expect(new Set(received.map((m) => m.id)).size, 'an id printed twice').toBe(received.length);
    expect(received.map((m) => m.message)).toEqual(published.filter((p) => p.level === 'error').map((p) => p.message));
  });
});
