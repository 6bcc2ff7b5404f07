// The compiled build, as the npm scripts, the licmon bin, the Docker image and the k8s manifests run
// it: `npm run build` → dist/, then plain `node` (no tsx) runs the CLI, a collector and a gateway on
// real Redis, and a client receives what the compiled collector published through the compiled
// gateway (the Lua scripts and the dashboard are found from dist/ too).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureDashboardBuilt } from '../../scripts/build-dashboard.ts';
import { ROOT, randomPrefix, startGateway, startProcess, type RunningGateway, type RunningProcess } from '../support/processes.ts';

const run = promisify(execFile);
const API_KEY = `dist-${randomPrefix()}`;

describe('the compiled build (dist/)', () => {
  const redisUrl = inject('redisUrl');
  const prefix = randomPrefix();
  let gateway: RunningGateway;
  let collector: RunningProcess;

  // dist/ is built by the test run's global setup (test/setup/global-build.ts), from these sources.
  beforeAll(async () => {
    await ensureDashboardBuilt();
  }, 200_000);
  afterAll(async () => {
    await collector?.kill();
    await gateway?.kill();
  });

  it('the licmon bin runs the compiled CLI without tsx, lazily', async () => {
    const { stdout } = await run(process.execPath, ['bin/licmon.mjs', '--help'], { cwd: ROOT });
    expect(stdout).toMatch(/^ {2}tail +follow a gateway/m);
    const help = await run(process.execPath, ['bin/licmon.mjs', 'help', 'parse'], { cwd: ROOT });
    expect(help.stdout).toMatch(/^Usage: licmon parse/);
    const bad = await run(process.execPath, ['bin/licmon.mjs', 'frobnicate'], { cwd: ROOT }).then(() => 0, (err: { code: number }) => err.code);
    expect(bad).toBe(2);
  });

  it('a compiled collector publishes through a compiled gateway to a client', async () => {
    const env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, API_KEYS: API_KEY, DRAIN_DELAY_MS: '0' };
    gateway = await startGateway(env, [], 'dist/gateway/main.js');
    const dashboard = await fetch(`${gateway.httpUrl}/`);
    expect(dashboard.status).toBe(200); // the built dashboard, found from dist/gateway/
    expect(await dashboard.text()).toMatch(/<script type="module"[^>]*src="\.\/assets\/index-/);

    const ws = new WebSocket(`${gateway.wsUrl}/ws/logs`, ['api_key', API_KEY]);
    const logs: string[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; message?: string };
      if (message.type === 'log') logs.push(message.message!);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

    // Publishing runs the bus's Lua scripts, read from dist/shared/bus/scripts.
    collector = startProcess('dist/collector/main.js', { ...env, SIM_RATE: '200', SIM_SITES: 'berlin', SIM_SEED: '3' });
    await collector.waitForLog((l) => l.msg === 'collector started');
    const deadline = Date.now() + 30_000;
    while (logs.length < 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    ws.close();
    expect(logs.length).toBeGreaterThanOrEqual(20);
  });
});
