// @licmon/client as an outside user gets it: `npm pack` in client/, installed into an empty
// project (offline: it has no dependencies). There plain `node` runs the resume example against a
// real gateway on real Redis, `tsc` type-checks a consumer (and rejects a wrong one), a browser
// page loads the one-file bundle from a <script type="module">, and `npm publish --dry-run` is clean.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisBus } from '../../shared/bus/index.ts';
import { launchChromium } from '../support/chromium.ts';
import { LineWatcher } from '../support/line-watcher.ts';
import { randomPrefix, startGateway, type RunningGateway } from '../support/processes.ts';
import { serveFiles } from '../support/static-files.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIENT = join(ROOT, 'client');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const API_KEY = `pkg-${randomPrefix()}`;
const npm = (args: string[], cwd: string) => run('npm', [...args, '--no-audit', '--no-fund'], { cwd, timeout: 120_000 });

describe('@licmon/client from its tarball', () => {
  const redisUrl = inject('redisUrl');
  const prefix = randomPrefix();
  let project: string;
  let installed: string;
  let gateway: RunningGateway;
  let bus: RedisBus;
  const publish = (message: string) =>
    bus.publish({ type: 'log', timestamp: new Date().toISOString(), level: 'error', message, source: 'lmgrd', site: 'berlin' });

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'licmon-sdk-consumer-'));
    const { stdout } = await npm(['pack', '--json', '--pack-destination', project], CLIENT);
    const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // `ws` from this repository (Node 20 has no global WebSocket); the SDK itself needs nothing.
    await npm(['install', '--offline', join(project, filename), join(ROOT, 'node_modules', 'ws')], project);
    installed = join(project, 'node_modules', '@licmon', 'client');
    gateway = await startGateway({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, API_KEYS: API_KEY });
    bus = await new RedisBus({ url: redisUrl, prefix }).connect();
  }, 180_000);
  afterAll(async () => {
    await bus?.close();
    await gateway?.kill();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('installs as built files with no dependencies and no zod', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    const files = readdirSync(join(installed, 'dist'));
    expect(files).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'licmon-client.browser.js']));
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    for (const file of files.filter((f) => f.endsWith('.js'))) expect(readFileSync(join(installed, 'dist', file), 'utf8')).not.toMatch(/from ['"]zod['"]/);
  });

  it('plain node runs the resume example: every log once, in order, across the stop', async () => {
    const example = spawn(process.execPath, [join(installed, 'examples', 'node-resume.mjs'), '5'], {
      cwd: project, env: { ...process.env, LICMON_URL: gateway.wsUrl, LICMON_API_KEY: API_KEY }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = new LineWatcher();
    let stderr = '';
    example.stdout.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach((line) => out.push(line)));
    example.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => example.once('exit', resolve));
    try {
      const waitFor = async (done: () => boolean, what: string) => {
        if (!(await out.waitFor(done, 30_000))) throw new Error(`timed out waiting for ${what}:\n${out.tail(10)}\n${stderr}`);
      };
      await waitFor(() => out.lines.includes('state live'), 'the first connection');
      for (let i = 1; i <= 5; i++) await publish(`before ${i}`);
      await waitFor(() => out.lines.some((l) => l.startsWith('paused at ')), 'the pause');
      // Published while the example is disconnected: the resume must bring these first.
      for (let i = 1; i <= 5; i++) await publish(`during ${i}`);
      example.stdin.write('\n');
      await waitFor(() => out.lines.filter((l) => l.startsWith('log ')).length >= 10, 'the resumed logs');
      expect(await exited, stderr).toBe(0);
    } finally {
      example.kill('SIGKILL');
    }
    const logs = out.lines.filter((l) => l.startsWith('log ')).map((l) => l.split(' ').slice(2).join(' '));
    expect(logs).toEqual([1, 2, 3, 4, 5].map((i) => `before ${i}`).concat([1, 2, 3, 4, 5].map((i) => `during ${i}`)));
  });

  it('tsc type-checks a consumer with the shipped types, and rejects a wrong one', async () => {
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: [], lib: ['es2022', 'dom'] },
      files: ['consumer.ts'],
    }));
    writeFileSync(join(project, 'consumer.ts'), [
      "import { CloseCode, ErrorCode, LicmonClient, shouldReconnect, type AlertMessage, type LogMessage } from '@licmon/client';",
      "const client = new LicmonClient({ url: 'ws://localhost:8080', apiKey: 'k', endpoint: 'logs', filter: { level: ['error'], site: 'berlin' } });",
      "client.on('log', (log: LogMessage) => console.log(log.level, log.message.toUpperCase()));",
      "client.on('alert', (alert: AlertMessage) => console.log(alert.status === 'firing' ? alert.rule : ''));",
      'const retry: boolean = shouldReconnect(CloseCode.SERVICE_RESTART) && ErrorCode.HISTORY_TRUNCATED.length > 0;',
      'console.log(retry);',
    ].join('\n'));
    await run(process.execPath, [TSC, '-p', project], { cwd: project, timeout: 120_000 });

    writeFileSync(join(project, 'consumer.ts'), [
      "import { LicmonClient } from '@licmon/client';",
      "new LicmonClient({ url: 'ws://x', apiKey: 'k', endpoint: 'everything', filter: { level: 'loud' } });",
    ].join('\n'));
    const failed = await run(process.execPath, [TSC, '-p', project], { cwd: project, timeout: 120_000 }).then(() => '', (err: { stdout: string }) => err.stdout);
    expect(failed).toMatch(/consumer\.ts.*error TS2322.*"everything"/s);
    expect(failed).toMatch(/"loud"/);
  });

  it('a browser page loads the bundle from <script type="module"> and receives a log', async () => {
    writeFileSync(join(installed, 'dist', 'page.html'), `<!doctype html><meta charset="utf-8"><script type="module">
      import { LicmonClient } from './licmon-client.browser.js';
      const client = new LicmonClient({ url: ${JSON.stringify(gateway.wsUrl)}, apiKey: ${JSON.stringify(API_KEY)}, endpoint: 'logs' });
      window.states = []; window.logs = [];
      client.on('state', ({ state }) => window.states.push(state));
      client.on('log', (log) => window.logs.push(log.message));
      client.connect();
    </script>`);
    const files = await serveFiles(join(installed, 'dist'));
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${files.url}/page.html`);
      await page.waitForFunction(() => (window as unknown as { states: string[] }).states.includes('live'), undefined, { timeout: 30_000 });
      await publish('hello from the bundle');
      await page.waitForFunction(() => (window as unknown as { logs: string[] }).logs.includes('hello from the bundle'), undefined, { timeout: 30_000 });
    } finally {
      await browser.close();
      await files.close();
    }
  });

  it('npm publish --dry-run is clean', async () => {
    const { stdout, stderr } = await npm(['publish', '--dry-run'], CLIENT);
    // The one warning allowed: this machine is not logged in to the registry.
    const warnings = stderr.split('\n').filter((line) => /npm (warn|ERR)/i.test(line) && !/requires you to be logged in/.test(line));
    expect(warnings).toEqual([]);
    const { version } = JSON.parse(readFileSync(join(CLIENT, 'package.json'), 'utf8')) as { version: string };
    expect(stdout.split('\n')).toContain(`+ @licmon/client@${version}`);
    expect(stderr).toMatch(/public access \(dry-run\)/);
  });
});
