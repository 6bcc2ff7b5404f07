// wss:// straight from the gateway: with TLS_CERT and TLS_KEY (a self-signed certificate made
// here with the openssl CLI) the spec's `wss://hostname/ws/logs?api_key=…` URL works — from Node
// with the certificate as its only trusted CA, and from the spec's own Python client.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisBus } from '../../shared/bus/index.ts';
import { ROOT, randomPrefix, startGateway, startProcess, type RunningGateway } from '../support/processes.ts';

const KEY = 'tls-key';
const PYTHON = '/usr/bin/python3';
const hasPython = spawnSync(PYTHON, ['-c', 'import websockets']).status === 0;
if (!hasPython) console.warn(`skipping the Python wss:// client: ${PYTHON} with websockets is absent (Debian: python3-websockets)`);

const dir = mkdtempSync(join(tmpdir(), 'licmon-tls-'));
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
let cert: Buffer;
let gateway: RunningGateway;
let bus: RedisBus;
let wssUrl: string;

function open(url: string, protocols?: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { ca: cert });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
}

const log = (message: string) => ({ type: 'log' as const, timestamp: new Date().toISOString(), level: 'error' as const, source: 'license-server', message });

beforeAll(async () => {
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile]);
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
  cert = readFileSync(certFile);
  const prefix = randomPrefix();
  gateway = await startGateway({ REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: prefix, API_KEYS: KEY, TLS_CERT: certFile, TLS_KEY: keyFile });
  wssUrl = `wss://localhost:${gateway.port}`;
  bus = await new RedisBus({ url: inject('redisUrl'), prefix }).connect();
});

afterAll(async () => {
  await gateway?.kill();
  await bus?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS from the gateway', () => {
  it('says so when it starts', async () => {
    expect(await gateway.waitForLog((l) => l.msg === 'gateway listening')).toMatchObject({ tls: true });
  });

  it('serves the spec\'s wss:// URL, both auth forms, verified against the certificate', async () => {
    const viaQuery = await open(`${wssUrl}/ws/logs?api_key=${KEY}`);
    const viaProtocol = await open(`${wssUrl}/ws/logs`, ['api_key', KEY]);
    expect(viaProtocol.protocol).toBe('api_key');
    const received = [viaQuery, viaProtocol].map((ws) => new Promise<Record<string, unknown>>((resolve) => ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as Record<string, unknown>))));
    // Publish until both have one (a fresh connection may miss a message published as it opens).
    const done = Promise.all(received);
    let settled = false;
    void done.then(() => (settled = true));
    for (let i = 0; !settled && i < 100; i++) {
      await bus.publish(log(`over tls ${i}`));
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 100))]);
    }
    for (const message of await done) expect(message).toMatchObject({ type: 'log', message: expect.stringMatching(/^over tls/) });
    viaQuery.close();
    viaProtocol.close();
  });

  it('refuses a bad key with 401 over TLS, serves HTTPS health, and speaks no plaintext', async () => {
    await expect(open(`${wssUrl}/ws/logs?api_key=wrong`)).rejects.toThrow(/401/);
    const status = await new Promise<number | undefined>((resolve, reject) => get(`https://localhost:${gateway.port}/healthz`, { ca: cert }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject));
    expect(status).toBe(200);
    await expect(new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://localhost:${gateway.port}/ws/logs?api_key=${KEY}`);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    })).rejects.toThrow();
    // An untrusted certificate is refused by a verifying client (the test trusts it only via `ca`).
    await expect(new Promise((resolve, reject) => {
      const ws = new WebSocket(`${wssUrl}/ws/logs?api_key=${KEY}`);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    })).rejects.toThrow(/self.signed|certificate/i);
  });

  it.skipIf(!hasPython)('works with the spec\'s Python client given the wss:// URL', async () => {
    const client = spawn(PYTHON, ['test/clients/python/stream_logs.py', '3'], {
      cwd: ROOT,
      env: { ...process.env, LICMON_URL: wssUrl, LICMON_API_KEY: KEY, SSL_CERT_FILE: certFile, PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    client.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    client.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => client.once('close', resolve));
    let code: number | null | undefined;
    void exited.then((c) => (code = c));
    for (let i = 0; code === undefined && i < 200; i++) {
      await bus.publish(log(`python over tls ${i}`));
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))]);
    }
    expect(await exited, output).toBe(0);
    expect(output.trim().split('\n')).toHaveLength(3);
    expect(output).toMatch(/^\[error\] python over tls \d+$/m);
  });

  it('refuses to start with an unreadable or mismatched certificate, naming the variable', async () => {
    const missing = startProcess('gateway/main.ts', { REDIS_URL: inject('redisUrl'), PORT: '0', API_KEYS: KEY, TLS_CERT: join(dir, 'nope.pem'), TLS_KEY: keyFile });
    expect(await missing.exited).toBe(1);
    expect(missing.output.join('\n')).toMatch(/TLS_CERT=.*nope\.pem.*cannot be read/);
    const swapped = startProcess('gateway/main.ts', { REDIS_URL: inject('redisUrl'), PORT: '0', API_KEYS: KEY, TLS_CERT: keyFile, TLS_KEY: certFile });
    expect(await swapped.exited).toBe(1);
    expect(swapped.output.join('\n')).toMatch(/TLS_CERT, TLS_KEY: not a usable PEM certificate/);
    const half = startProcess('gateway/main.ts', { REDIS_URL: inject('redisUrl'), PORT: '0', API_KEYS: KEY, TLS_CERT: certFile });
    expect(await half.exited).toBe(1);
    expect(half.output.join('\n')).toMatch(/TLS_KEY=unset/);
  });
});
