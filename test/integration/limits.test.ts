// The gateway's limits against a real gateway process, each set low: client message rate
// (RATE_LIMITED, then 1008), connections per key and per address (429), failed authentications
// per address (429 for a while), the Origin allow-list (403) and configured filter sizes.
// Client addresses are simulated with X-Forwarded-For under TRUST_PROXY, so each test has its own.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CloseCode } from '../../shared/protocol/index.ts';
import { randomPrefix, startGateway, type RunningGateway } from '../support/processes.ts';
import { TestClient } from '../support/ws-client.ts';

// One key per test: MAX_CONNECTIONS_PER_KEY is 3.
const KEYS = { rate: 'k-rate', perKey: 'k-per-key', perIp: 'k-per-ip', perIp2: 'k-per-ip-2', auth: 'k-auth', origin: 'k-origin', filter: 'k-filter' };
const AUTH_BLOCK_MS = 1500;
let gateway: RunningGateway;
const clients: TestClient[] = [];

function from(address: string, extra: Record<string, string> = {}) {
  return { 'x-forwarded-for': `198.51.100.77, ${address}`, ...extra }; // the first entry is the client's own claim
}

async function connect(path: string, headers: Record<string, string>): Promise<TestClient> {
  const client = await TestClient.connect(`${gateway.wsUrl}${path}`, undefined, headers);
  clients.push(client);
  return client;
}

async function status(path: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  return TestClient.connect(`${gateway.wsUrl}${path}`, undefined, headers).then(
    (c) => {
      clients.push(c);
      return { status: 101, body: {} };
    },
    (e: { status?: number; body?: string }) => ({ status: e.status ?? 0, body: e.body ? (JSON.parse(e.body) as Record<string, unknown>) : {} }),
  );
}

beforeAll(async () => {
  gateway = await startGateway({
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: randomPrefix(),
    API_KEYS: Object.values(KEYS).join(','),
    TRUST_PROXY: '1',
    RATE_LIMIT_PER_SEC: '20',
    RATE_LIMIT_BURST: '10',
    RATE_LIMIT_MAX_VIOLATIONS: '30',
    MAX_CONNECTIONS_PER_KEY: '3',
    MAX_CONNECTIONS_PER_IP: '4',
    AUTH_FAILURES_PER_IP: '3',
    AUTH_FAILURE_WINDOW_MS: '60000',
    AUTH_BLOCK_MS: String(AUTH_BLOCK_MS),
    ALLOWED_ORIGINS: 'https://dash.example.com',
    FILTER_MAX_PATTERN_LENGTH: '8',
    FILTER_MAX_SOURCES: '2',
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await gateway?.kill();
});

describe('client message rate', () => {
  it('answers a burst over the limit with one RATE_LIMITED, and closes a client that keeps on with 1008', async () => {
    const flooder = await connect(`/ws/logs?api_key=${KEYS.rate}`, from('10.1.0.1'));
    for (let i = 0; i < 15; i++) flooder.send({ action: 'ping' });
    await flooder.next((m) => m.type === 'error');
    expect(flooder.ofType('pong')).toHaveLength(10); // the burst
    expect(flooder.ofType('error')).toEqual([expect.objectContaining({ type: 'error', code: 'RATE_LIMITED' })]);
    for (let i = 0; i < 100; i++) flooder.send({ action: 'ping' });
    const close = await flooder.closed;
    expect(close.code).toBe(CloseCode.POLICY_VIOLATION);
    expect(close.reason).toMatch(/rate limit/);
  });

  it('never limits a client within the rate', async () => {
    const polite = await connect(`/ws/logs?api_key=${KEYS.rate}`, from('10.1.0.2'));
    for (let i = 0; i < 25; i++) {
      await polite.settle();
      if (i % 5 === 4) await new Promise((resolve) => setTimeout(resolve, 300)); // pacing: 5 per 300 ms, under 20/s
    }
    expect(polite.ofType('error')).toEqual([]);
  });
});

describe('connection limits', () => {
  it('refuses a key over MAX_CONNECTIONS_PER_KEY with 429 until one of its connections closes', async () => {
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await connect(`/ws/logs?api_key=${KEYS.perKey}`, from(`10.2.0.${i}`)));
    const refused = await status(`/ws/logs?api_key=${KEYS.perKey}`, from('10.2.0.9'));
    expect(refused).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(refused.body.message).toMatch(/too many connections for this API key/);
    open[0]!.close();
    await open[0]!.closed;
    await expect.poll(async () => (await status(`/ws/logs?api_key=${KEYS.perKey}`, from('10.2.0.9'))).status, { timeout: 5000 }).toBe(101);
  });

  it('refuses an address over MAX_CONNECTIONS_PER_IP with 429, other addresses unaffected', async () => {
    for (let i = 0; i < 4; i++) await connect(`/ws/metrics?api_key=${i % 2 ? KEYS.perIp : KEYS.perIp2}`, from('10.3.0.1'));
    const refused = await status(`/ws/metrics?api_key=${KEYS.perIp}`, from('10.3.0.1'));
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(/too many connections from this address/);
    expect((await status(`/ws/metrics?api_key=${KEYS.perIp}`, from('10.3.0.2'))).status).toBe(101);
  });
});

describe('failed authentications', () => {
  it('refuses an address with 429 after AUTH_FAILURES_PER_IP bad keys — even with a good key — for AUTH_BLOCK_MS', async () => {
    for (let i = 0; i < 3; i++) expect((await status('/ws/logs?api_key=guess', from('10.4.0.1'))).status).toBe(401);
    const blockedAt = Date.now();
    const blocked = await status(`/ws/logs?api_key=${KEYS.auth}`, from('10.4.0.1'));
    expect(blocked).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(blocked.body.message).toMatch(/too many failed authentications/);
    expect((await status(`/ws/logs?api_key=${KEYS.auth}`, from('10.4.0.2'))).status).toBe(101);
    await expect.poll(async () => (await status(`/ws/logs?api_key=${KEYS.auth}`, from('10.4.0.1'))).status, { timeout: 10_000, interval: 200 }).toBe(101);
    expect(Date.now() - blockedAt).toBeGreaterThanOrEqual(AUTH_BLOCK_MS - 100);
  });
});

describe('Origin allow-list', () => {
  it('refuses a browser from an Origin not on the list with 403, and admits listed, same-origin and Origin-less clients', async () => {
    const evil = await status(`/ws/logs?api_key=${KEYS.origin}`, from('10.5.0.1', { origin: 'https://evil.example.com' }));
    expect(evil).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect((await status(`/ws/logs?api_key=${KEYS.origin}`, from('10.5.0.1', { origin: 'https://dash.example.com' }))).status).toBe(101);
    expect((await status(`/ws/logs?api_key=${KEYS.origin}`, from('10.5.0.1', { origin: gateway.httpUrl }))).status).toBe(101);
    expect((await status(`/ws/logs?api_key=${KEYS.origin}`, from('10.5.0.1'))).status).toBe(101);
  });
});

describe('filter size', () => {
  it('answers a filter over the configured limits with INVALID_FILTER and keeps the connection', async () => {
    const client = await connect(`/ws/combined?api_key=${KEYS.filter}`, from('10.6.0.1'));
    client.send({ action: 'subscribe', filter: { pattern: 'ninechars' } });
    expect(await client.next((m) => m.type === 'error')).toMatchObject({ code: 'INVALID_FILTER', message: 'filter.pattern: at most 8 characters' });
    client.send({ action: 'filter', filter: { source: ['a', 'b', 'c'] } });
    expect(await client.next((m) => m.type === 'error', 1)).toMatchObject({ code: 'INVALID_FILTER', message: 'filter.source: at most 2 values' });
    client.send({ action: 'filter', filter: { pattern: 'eightchr', source: ['a', 'b'] } });
    await client.settle();
    expect(client.ofType('error')).toHaveLength(2);
  });
});
