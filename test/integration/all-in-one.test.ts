// `npm start` as a new user runs it: no Redis, no API_KEYS — it must print a URL and a key that work.
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { startProcess, type RunningProcess } from '../support/processes.ts';

let proc: RunningProcess | undefined;
afterAll(async () => {
  await proc?.kill();
});

async function bannerLine(p: RunningProcess, re: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const started = Date.now();
  for (;;) {
    for (const line of p.output) {
      const match = re.exec(line);
      if (match) return match;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`no line matching ${re}; output:\n${p.output.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('npm start (all-in-one)', () => {
  it('serves the simulated farm on the printed URL with the printed key, and exits 0 on SIGTERM', async () => {
    const env: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', SIM_RATE: '100', API_KEYS: '', REDIS_URL: '' };
    proc = startProcess('bin/start.ts', env);
    const [, url] = await bannerLine(proc, /^\s+Logs\s+(ws:\/\/localhost:\d+\/ws\/logs\?api_key=[A-Za-z0-9_-]+)$/);
    const [, key] = await bannerLine(proc, /^\s+API key\s+([A-Za-z0-9_-]{16,})/);
    expect(url).toContain(`api_key=${key}`);
    expect(proc.output.join('\n')).toMatch(/in-memory bus/);

    const ws = new WebSocket(url!.replace('localhost', '127.0.0.1'));
    const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
      ws.once('error', reject);
    });
    expect(first).toMatchObject({ type: 'log', source: 'license-server', site: expect.stringMatching(/^(berlin|austin|pune)$/) });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

    proc.signal('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(await closed).toBe(1012);
  });
});
