// API key lifecycle end to end: keys created with the real `licmon keys` CLI in a real Redis,
// used against two real gateway processes, listed, revoked while connected (closed on both
// gateways within a second), expired, and never visible in plaintext in Redis or in any log.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BusKeys } from '../../shared/bus/keys.ts';
import { CloseCode } from '../../shared/protocol/index.ts';
import { createKey, runLicmon } from '../support/licmon-cli.ts';
import { randomPrefix, startGateway, type RunningGateway } from '../support/processes.ts';
import { TestClient } from '../support/ws-client.ts';

const redisUrl = inject('redisUrl');
const prefix = randomPrefix();
const env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix };
const ENV_KEY = 'dev-env-key';
let gateways: RunningGateway[];
let redis: Redis;
const clients: TestClient[] = [];
const createdKeys: string[] = [];

async function connect(gateway: RunningGateway, path: string, protocols?: string[]): Promise<TestClient> {
  const client = await TestClient.connect(`${gateway.wsUrl}${path}`, protocols);
  clients.push(client);
  return client;
}

async function refusal(gateway: RunningGateway, path: string, protocols?: string[]): Promise<{ status?: number; body: Record<string, unknown> }> {
  const err = (await TestClient.connect(`${gateway.wsUrl}${path}`, protocols).then(
    (c) => { c.close(); return { status: 101 }; },
    (e: unknown) => e,
  )) as { status?: number; body?: string };
  return { status: err.status, body: err.body ? (JSON.parse(err.body) as Record<string, unknown>) : {} };
}

async function newKey(args: string[]): Promise<string> {
  const key = await createKey(args, env);
  createdKeys.push(key);
  return key;
}

beforeAll(async () => {
  const common = { ...env, API_KEYS: ENV_KEY };
  // The second gateway re-checks live keys every second: it catches a revocation it never heard.
  gateways = await Promise.all([startGateway(common), startGateway({ ...common, KEY_RECHECK_INTERVAL_MS: '1000' })]);
  redis = new Redis(redisUrl);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(gateways.map((g) => g.kill()));
  redis.disconnect();
});

describe('API keys from the key store', () => {
  it('creates a key with the CLI (printed alone on the last line) that works on every gateway, both auth forms', async () => {
    const key = await newKey(['--name', 'ops']);
    expect(key).toMatch(/^lmk_[A-Za-z0-9_-]{43}$/);
    for (const gateway of gateways) {
      await (await connect(gateway, `/ws/combined?api_key=${key}`)).settle();
      const viaProtocol = await connect(gateway, '/ws/logs', ['api_key', key]);
      expect(viaProtocol.ws.protocol).toBe('api_key');
      await viaProtocol.settle();
    }
  });

  it('lists keys with their scopes and status, never the key or its digest', async () => {
    const key = await newKey(['--name', 'lister', '--sites', 'berlin,pune', '--endpoints', 'logs,metrics', '--expires', '30d']);
    const listed = await runLicmon(['keys', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    const records = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    const lister = records.find((r) => r.name === 'lister');
    expect(lister).toMatchObject({ status: 'active', sites: ['berlin', 'pune'], endpoints: ['logs', 'metrics'] });
    expect(Date.parse(lister!.expiresAt as string) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(listed.stdout).not.toContain(key);
    const table = await runLicmon(['keys', 'list'], env);
    expect(table.stdout).toMatch(/^NAME\s+CREATED\s+EXPIRES\s+STATUS\s+ENDPOINTS\s+SITES$/m);
    expect(table.stdout).toMatch(/^lister\s+\S+\s+\S+\s+active\s+logs,metrics\s+berlin,pune$/m);
  });

  it('keeps only digests in Redis: no plaintext key under the prefix', async () => {
    const keys = new BusKeys(prefix);
    const stored = JSON.stringify([await redis.hgetall(keys.apiKeys()), await redis.hgetall(keys.apiKeyNames())]);
    expect(createdKeys.length).toBeGreaterThan(0);
    for (const key of createdKeys) {
      expect(stored).not.toContain(key);
      expect(stored).not.toContain(key.slice(4));
    }
  });

  it('refuses a missing, wrong or malformed key with 401, and a key outside its endpoint scope with 403', async () => {
    const logsOnly = await newKey(['--name', 'logs-only', '--endpoints', 'logs']);
    const combinedOnly = await newKey(['--name', 'combined-only', '--endpoints', 'combined']);
    const [gateway] = gateways;
    expect((await refusal(gateway!, '/ws/logs')).status).toBe(401);
    expect((await refusal(gateway!, `/ws/logs?api_key=lmk_${'A'.repeat(43)}`)).status).toBe(401);
    expect((await refusal(gateway!, `/ws/logs?api_key=${'x'.repeat(2000)}`)).status).toBe(401);
    await (await connect(gateway!, `/ws/logs?api_key=${logsOnly}`)).settle();
    const forbidden = await refusal(gateway!, `/ws/metrics?api_key=${logsOnly}`);
    expect(forbidden).toMatchObject({ status: 403, body: { type: 'error', code: 'FORBIDDEN' } });
    expect(JSON.stringify(forbidden.body)).not.toContain(logsOnly);
    // combined is a scope of its own: neither logs nor metrics imply it, nor it them.
    expect((await refusal(gateway!, `/ws/combined?api_key=${logsOnly}`)).status).toBe(403);
    expect((await refusal(gateway!, `/ws/logs?api_key=${combinedOnly}`)).status).toBe(403);
    await (await connect(gateway!, `/ws/combined?api_key=${combinedOnly}`)).settle();
    // API_KEYS from the environment still work alongside the store.
    await (await connect(gateway!, `/ws/metrics?api_key=${ENV_KEY}`)).settle();
  });

  it('revoked while connected: every connection on both gateways closes with 4401 within 1 s, then 401', async () => {
    const key = await newKey(['--name', 'leaked']);
    const live = (await Promise.all(gateways.flatMap((g) => [connect(g, `/ws/logs?api_key=${key}`), connect(g, '/ws/combined', ['api_key', key])])));
    await Promise.all(live.map((c) => c.settle()));
    const closedAt: number[] = [];
    const closes = live.map((c) => c.closed.then((close) => (closedAt.push(Date.now()), close)));
    const revoked = await runLicmon(['keys', 'revoke', 'leaked'], env);
    expect(revoked.code).toBe(0);
    for (const close of await Promise.all(closes)) {
      expect(close.code).toBe(CloseCode.KEY_REVOKED);
      expect(close.reason).toMatch(/revoked/);
    }
    // The CLI exits right after Redis confirmed the revocation; every close came within a second of it.
    for (const at of closedAt) expect(at - revoked.exitedAt).toBeLessThan(1000);
    for (const gateway of gateways) expect((await refusal(gateway, `/ws/logs?api_key=${key}`)).status).toBe(401);
    expect((await runLicmon(['keys', 'revoke', 'leaked'], env)).code).toBe(1);
  });

  it('expired: live connections close with 4401 and the key is refused at the next connect', async () => {
    const key = await newKey(['--name', 'short-lived', '--expires', '4s']);
    const records = JSON.parse((await runLicmon(['keys', 'list', '--json'], env)).stdout) as Array<{ name: string; expiresAt: string }>;
    const expiresAt = Date.parse(records.find((r) => r.name === 'short-lived')!.expiresAt);
    const live = await Promise.all(gateways.map((g) => connect(g, `/ws/logs?api_key=${key}`)));
    expect(Date.now()).toBeLessThan(expiresAt); // otherwise the test machine was too slow to test this
    for (const close of await Promise.all(live.map((c) => c.closed))) {
      expect(close.code).toBe(CloseCode.KEY_REVOKED);
      expect(close.reason).toMatch(/expired/);
    }
    expect(Date.now() - expiresAt).toBeLessThan(2500);
    for (const gateway of gateways) {
      const refused = await refusal(gateway, `/ws/logs?api_key=${key}`);
      expect(refused).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED', message: 'this API key has expired' } });
    }
  });

  it('a revocation missed on the control channel is caught by the periodic re-check', async () => {
    const key = await newKey(['--name', 'unheard']);
    const client = await connect(gateways[1]!, `/ws/logs?api_key=${key}`);
    await client.settle();
    // Delete the key behind the gateways' backs: no control message is published.
    const keys = new BusKeys(prefix);
    const digest = await redis.hget(keys.apiKeyNames(), 'unheard');
    await redis.multi().hdel(keys.apiKeys(), digest!).hdel(keys.apiKeyNames(), 'unheard').exec();
    const close = await client.closed;
    expect(close).toMatchObject({ code: CloseCode.KEY_REVOKED });
  });

  it('never writes a key to a log line', () => {
    const output = gateways.flatMap((g) => g.output).join('\n');
    expect(output).toContain('API key revoked'); // the gateways did log about the keys…
    for (const key of createdKeys) expect(output).not.toContain(key); // …but never the keys
    expect(output).not.toContain(ENV_KEY);
  });
});
