// `licmon publish` as users run it: the real CLI process against a real Redis, and a RedisBus
// subscriber (as a gateway would be) receiving what it published.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisBus, type Delivery } from '../../shared/bus/index.ts';
import { ROOT, randomPrefix } from '../support/processes.ts';

const redisUrl = inject('redisUrl');
const prefix = randomPrefix();
let bus: RedisBus;
const received: Delivery[] = [];

interface CliRun {
  /** Write a line to the CLI's stdin. */
  write(line: string): void;
  /** Close stdin and wait for the exit. */
  end(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function cli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/licmon.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    write: (line) => void child.stdin.write(`${line}\n`),
    async end() {
      child.stdin.end();
      const code = await exited;
      return { code, stdout, stderr };
    },
  };
}

const run = (args: string[], env?: Record<string, string>) => cli(args, env).end();

/** Wait until `count` deliveries arrived after index `from`; answers them. */
async function deliveries(from: number, count: number, timeoutMs = 20_000): Promise<Delivery[]> {
  const started = Date.now();
  while (received.length < from + count) {
    if (Date.now() - started > timeoutMs) throw new Error(`expected ${count} deliveries, got ${received.length - from}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return received.slice(from, from + count);
}

const log = (message: string, extra: Record<string, unknown> = {}) => JSON.stringify({ level: 'info', message, source: 'cli-test', site: 'berlin', ...extra });

beforeAll(async () => {
  bus = await new RedisBus({ url: redisUrl, prefix }).connect();
  await bus.subscribe((delivery) => received.push(delivery));
});
afterAll(async () => {
  await bus.close();
});

describe('licmon publish', () => {
  it('--json publishes one log, filling type and timestamp, and prints its id', async () => {
    const from = received.length;
    const before = Date.now();
    const result = await run(['publish', 'log', '--json', log('License utilization at 90%', { level: 'warn', metadata: { server: 'flexlm-01', utilization: 90 } })]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const id = result.stdout.trim();
    expect(id).toMatch(/^berlin:[a-z0-9]+:\d+-\d+$/);
    const [delivery] = await deliveries(from, 1);
    const message = JSON.parse(delivery!.json);
    expect(message).toMatchObject({ id, type: 'log', level: 'warn', message: 'License utilization at 90%', source: 'cli-test', site: 'berlin', metadata: { server: 'flexlm-01', utilization: 90 } });
    expect(Date.parse(message.timestamp)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('--json publishes metrics (no id: prints "-") and alerts', async () => {
    const from = received.length;
    const metrics = JSON.stringify({ source: 'flexlm-berlin-01', site: 'berlin', licenses: { total: 10, used: 5, available: 5, utilization: 50 } });
    const m = await run(['publish', 'metrics', '--json', metrics]);
    expect([m.code, m.stdout]).toEqual([0, '-\n']);
    const alert = JSON.stringify({ type: 'alert', level: 'critical', message: 'License server flexlm-berlin-01 is down', source: 'license-server', site: 'berlin', rule: 'server_down', key: 'server_down:berlin:flexlm-berlin-01', status: 'firing' });
    const a = await run(['publish', 'alert', '--json', alert]);
    expect(a.code).toBe(0);
    const [first, second] = await deliveries(from, 2);
    expect(first).toMatchObject({ kind: 'metrics', stream: 'berlin' });
    expect(JSON.parse(first!.json)).toMatchObject({ type: 'metrics', source: 'flexlm-berlin-01', licenses: { used: 5 } });
    expect(JSON.parse(second!.json)).toMatchObject({ id: a.stdout.trim(), type: 'alert', rule: 'server_down', status: 'firing' });
  });

  it('--json rejects an invalid message with exit code 2, naming the field, and publishes nothing', async () => {
    const from = received.length;
    const bad = await run(['publish', 'log', '--json', log('x', { level: 'fatal' })]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid log message: level: /);
    expect(bad.stdout).toBe('');
    const mismatch = await run(['publish', 'metrics', '--json', log('x', { type: 'log' })]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/type: "log" does not match the command's "metrics"/);
    const notJson = await run(['publish', 'log', '--json', '{level: info}']);
    expect([notJson.code, notJson.stderr]).toEqual([2, expect.stringMatching(/not valid JSON/)]);
    // A sentinel published afterwards is the very next thing the bus delivers.
    const sentinel = await run(['publish', 'log', '--json', log('sentinel')]);
    expect(sentinel.code).toBe(0);
    const [next] = await deliveries(from, 1);
    expect(JSON.parse(next!.json).message).toBe('sentinel');
  });

  it('--ndjson publishes each line as it arrives, in order, reporting a bad line by number and going on', async () => {
    const from = received.length;
    const proc = cli(['publish', 'log', '--ndjson']);
    // Published before stdin ends: the CLI streams, it does not wait for EOF.
    proc.write(log('n1'));
    const [first] = await deliveries(from, 1);
    expect(JSON.parse(first!.json).message).toBe('n1');
    proc.write(log('n2'));
    proc.write('{"level":"info","message":"n3 has no source"}');
    proc.write('');
    proc.write(log('n5', { site: 'pune' }));
    proc.write(log('n6'));
    const result = await proc.end();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^line 3: invalid log message: source: /m);
    expect(result.stderr).not.toMatch(/^line [^3]/m);
    expect(result.stderr).toMatch(/published 4, rejected 1/);
    const got = (await deliveries(from, 4)).map((d) => JSON.parse(d.json) as { id: string; message: string });
    expect(got.map((m) => m.message)).toEqual(['n1', 'n2', 'n5', 'n6']);
    expect(result.stdout.trim().split('\n')).toEqual(got.map((m) => m.id));
  });

  it('--ndjson exits 0 when every line was published', async () => {
    const proc = cli(['publish', 'log', '--ndjson']);
    for (let i = 0; i < 50; i++) proc.write(log(`bulk ${i}`));
    const result = await proc.end();
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(50);
  });

  it('prints usage with --help, and exits 2 on bad usage', async () => {
    const help = await run(['--help']);
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('publish')]);
    const publishHelp = await run(['publish', '--help']);
    expect([publishHelp.code, publishHelp.stdout]).toEqual([0, expect.stringContaining('--ndjson')]);
    expect((await run(['publish', 'trace', '--json', '{}'])).code).toBe(2);
    expect((await run(['publish', 'log'])).code).toBe(2);
    expect((await run(['nonsense'])).code).toBe(2);
  });
});
