// Protocol conformance against a real gateway process on a real Redis: auth, every action and
// error code, filters, metrics intervals, keep-alive, idle close, frame limit and shutdown.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisBus } from '../../shared/bus/index.ts';
import type { StreamMessage } from '../../shared/protocol/index.ts';
import { randomPrefix, startGateway, type RunningGateway } from '../support/processes.ts';
import { TestClient } from '../support/ws-client.ts';

const KEY = 'test-key-1';
const prefix = randomPrefix();
let gateway: RunningGateway;
let bus: RedisBus;
const clients: TestClient[] = [];

const ts = () => new Date().toISOString();
const log = (fields: Partial<StreamMessage> & { message: string }): StreamMessage =>
  ({ type: 'log', timestamp: ts(), level: 'info', source: 'license-server', ...fields }) as StreamMessage;

async function connect(path: string, protocols?: string[]): Promise<TestClient> {
  const client = await TestClient.connect(`${gateway.wsUrl}${path}`, protocols);
  clients.push(client);
  return client;
}

async function expectRefused(path: string, status: number, protocols?: string[]): Promise<Record<string, unknown>> {
  const err = (await TestClient.connect(`${gateway.wsUrl}${path}`, protocols).then(
    (c) => { c.close(); throw new Error(`expected ${status}, but the upgrade succeeded`); },
    (e: unknown) => e,
  )) as { status?: number; body?: string };
  expect(err.status).toBe(status);
  return JSON.parse(err.body ?? '{}') as Record<string, unknown>;
}

beforeAll(async () => {
  const env = { REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: prefix, API_KEYS: `${KEY},second-key` };
  gateway = await startGateway(env);
  bus = await new RedisBus({ url: env.REDIS_URL, prefix }).connect();
});

afterAll(async () => {
  for (const c of clients) c.close();
  await gateway?.kill();
  await bus?.close();
});

describe('authentication', () => {
  it('accepts the key as a query parameter', async () => {
    const c = await connect(`/ws/logs?api_key=${KEY}`);
    await c.settle();
  });

  it('accepts the key as the sub-protocol pair and selects "api_key", never the key', async () => {
    const c = await connect('/ws/logs', ['api_key', KEY]);
    expect(c.ws.protocol).toBe('api_key');
    await c.settle();
  });

  it('refuses a missing or wrong key with 401 before any WebSocket exists', async () => {
    const body = await expectRefused('/ws/logs', 401);
    expect(body).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    await expectRefused('/ws/metrics?api_key=wrong', 401);
    await expectRefused('/ws/combined', 401, ['api_key', 'wrong']);
    expect(JSON.stringify(body)).not.toContain(KEY);
  });

  it('answers 404 for an unknown path and 426 for a plain GET on an endpoint', async () => {
    await expectRefused(`/ws/nothing?api_key=${KEY}`, 404);
    const res = await fetch(`${gateway.httpUrl}/ws/logs`);
    expect(res.status).toBe(426);
    expect(await res.json()).toMatchObject({ code: 'UPGRADE_REQUIRED' });
  });
});

describe('http endpoints', () => {
  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    expect((await fetch(`${gateway.httpUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', bus: 'connected' });
    const res = await fetch(`${gateway.httpUrl}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(/^licmon_gateway_connections\{endpoint="logs"\} \d+$/m);
    expect(text).toMatch(/^licmon_gateway_errors_total\{code="INVALID_FILTER"\} \d+$/m);
    // prom-client's process and event-loop series, the build, and the histograms.
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^licmon_build_info\{version="\d+\.\d+\.\d+",node="\d+\.\d+\.\d+",uws="[^"]+ native"\} 1$/m);
    for (const h of ['delivery_delay', 'fanout_pass', 'catchup', 'replay']) expect(text).toMatch(new RegExp(`^licmon_gateway_${h}_seconds_bucket\\{le="\\+Inf"\\} \\d+$`, 'm'));
  });
});

describe('actions and error codes', () => {
  it('answers ping with pong and a timestamp', async () => {
    const c = await connect(`/ws/logs?api_key=${KEY}`);
    c.send({ action: 'ping' });
    const pong = await c.next((m) => m.type === 'pong');
    expect(Object.keys(pong).sort()).toEqual(['timestamp', 'type']);
    expect(new Date(pong.timestamp as string).toISOString()).toBe(pong.timestamp);
  });

  const cases: Array<[string, string | Buffer, string]> = [
    ['invalid JSON', '{not json', 'INVALID_MESSAGE'],
    ['a JSON array', '[1,2]', 'INVALID_MESSAGE'],
    ['an object without action', '{"filter":null}', 'INVALID_MESSAGE'],
    ['a binary frame', Buffer.from([0x7b, 0x7d]), 'INVALID_MESSAGE'],
    ['an unknown action', '{"action":"unsubscribe"}', 'UNKNOWN_ACTION'],
    ['a filter with an unknown key', '{"action":"subscribe","filter":{"levels":["error"]}}', 'INVALID_FILTER'],
    ['a filter with an unknown level', '{"action":"filter","filter":{"level":["fatal"]}}', 'INVALID_FILTER'],
    ['a filter action without filter', '{"action":"filter"}', 'INVALID_FILTER'],
    ['a pattern that does not compile', '{"action":"filter","filter":{"pattern":"(unclosed"}}', 'INVALID_FILTER'],
    ['a pattern over the size limit', JSON.stringify({ action: 'filter', filter: { pattern: 'x'.repeat(1000) } }), 'INVALID_FILTER'],
    ['a string interval', '{"action":"configure","interval":"5000"}', 'INVALID_INTERVAL'],
    ['an interval below the minimum', '{"action":"configure","interval":1}', 'INVALID_INTERVAL'],
    ['an interval above the maximum', '{"action":"configure","interval":999999999}', 'INVALID_INTERVAL'],
    ['a fractional interval', '{"action":"configure","interval":1500.5}', 'INVALID_INTERVAL'],
  ];
  for (const [what, frame, code] of cases) {
    it(`answers ${what} with ${code} and keeps the connection`, async () => {
      const c = await connect(`/ws/combined?api_key=${KEY}`);
      c.send(frame);
      const error = await c.next((m) => m.type === 'error');
      expect(error).toMatchObject({ type: 'error', code });
      expect(typeof error.message).toBe('string');
      expect(new Date(error.timestamp as string).toISOString()).toBe(error.timestamp);
      await c.settle(); // still connected and answering
    });
  }
});

describe('log filters', () => {
  it('applies level sets, a single level, source, pattern, site, updates and clearing', async () => {
    const all = await connect(`/ws/logs?api_key=${KEY}`);
    const levels = await connect(`/ws/logs?api_key=${KEY}`);
    const single = await connect(`/ws/logs?api_key=${KEY}`);
    const bySource = await connect(`/ws/logs?api_key=${KEY}`);
    const byPattern = await connect(`/ws/logs?api_key=${KEY}`);
    const bySite = await connect(`/ws/logs?api_key=${KEY}`);
    levels.send({ action: 'subscribe', filter: { level: ['error', 'warn'] } });
    single.send({ action: 'subscribe', filter: { level: 'error' } });
    bySource.send({ action: 'subscribe', filter: { source: 'lmgrd' } });
    byPattern.send({ action: 'subscribe', filter: { pattern: 'UTILIZATION' } });
    bySite.send({ action: 'subscribe', filter: { site: ['berlin'] } });
    await Promise.all([all, levels, single, bySource, byPattern, bySite].map((c) => c.settle()));

    const published = [
      log({ level: 'info', message: 'OUT: Maya_Complete jsmith', metadata: { n: 1 } }),
      log({ level: 'warn', message: 'License utilization at 90%', site: 'berlin' }),
      log({ level: 'error', message: 'server down', source: 'lmgrd', site: 'austin' }),
      log({ level: 'debug', message: 'utilization check', source: 'lmgrd' }),
      log({ level: 'critical', message: 'quorum lost', site: 'berlin' }),
    ];
    for (const m of published) await bus.publish(m);
    const texts = (c: TestClient) => c.ofType('log').map((m) => m.message);
    await all.waitUntil((ms) => ms.filter((m) => m.type === 'log').length === 5, 10_000, 'all five logs');
    expect(texts(all)).toEqual(published.map((m) => (m as { message: string }).message));
    // Wait on the last message each filter admits, then check nothing else slipped in.
    await levels.next((m) => m.message === 'server down');
    expect(texts(levels)).toEqual(['License utilization at 90%', 'server down']);
    await single.next((m) => m.message === 'server down');
    expect(texts(single)).toEqual(['server down']);
    await bySource.next((m) => m.message === 'utilization check');
    expect(texts(bySource)).toEqual(['server down', 'utilization check']);
    await byPattern.next((m) => m.message === 'utilization check');
    expect(texts(byPattern)).toEqual(['License utilization at 90%', 'utilization check']);
    await bySite.next((m) => m.message === 'quorum lost');
    expect(texts(bySite)).toEqual(['License utilization at 90%', 'quorum lost']);
    // The log arrives exactly as published, with its id, metadata and extra fields.
    expect(all.ofType('log')[0]).toMatchObject({ type: 'log', level: 'info', source: 'license-server', metadata: { n: 1 } });
    expect(all.ofType('log')[0]!.id).toMatch(/^_:[a-z0-9]+:\d+-\d+$/);

    // Update, then clear.
    levels.send({ action: 'filter', filter: { level: ['debug'] } });
    await levels.settle();
    await bus.publish(log({ level: 'warn', message: 'after update: warn' }));
    await bus.publish(log({ level: 'debug', message: 'after update: debug' }));
    await levels.next((m) => m.message === 'after update: debug');
    expect(texts(levels).slice(2)).toEqual(['after update: debug']);
    levels.send({ action: 'filter', filter: null });
    await levels.settle();
    await bus.publish(log({ level: 'info', message: 'after clear' }));
    await levels.next((m) => m.message === 'after clear');
  });

  it('takes the filter and interval on the URL, from the first frame', async () => {
    const c = await connect(`/ws/combined?api_key=${KEY}&level=error,critical&site=berlin&pattern=DOWN&interval=300`);
    await c.settle();
    await bus.publish(log({ level: 'error', message: 'url: server down', site: 'berlin' }));
    await bus.publish(log({ level: 'error', message: 'url: server down', site: 'pune' }));
    await bus.publish(log({ level: 'warn', message: 'url: going down', site: 'berlin' }));
    await bus.publish(log({ level: 'critical', message: 'url: quorum down', site: 'berlin' }));
    await c.next((m) => m.message === 'url: quorum down');
    expect(c.ofType('log').map((m) => `${m.level} ${m.site}`)).toEqual(['error berlin', 'critical berlin']);
    // Metrics pass the site filter and come at the URL's interval.
    await bus.publish({ type: 'metrics', timestamp: ts(), source: 'url-srv', site: 'berlin' } as StreamMessage);
    const from = c.messages.length;
    await c.waitUntil((ms) => ms.slice(from).filter((m) => m.source === 'url-srv').length >= 3, 5000, 'three deliveries at 300 ms');
  });

  it('refuses an invalid filter or interval on the URL with its error code and close 4400', async () => {
    for (const [query, code] of [['level=loud', 'INVALID_FILTER'], ['pattern=(open', 'INVALID_FILTER'], ['interval=5', 'INVALID_INTERVAL'], ['interval=abc', 'INVALID_INTERVAL']] as const) {
      const c = await connect(`/ws/combined?api_key=${KEY}&${query}`);
      expect(await c.next((m) => m.type === 'error'), query).toMatchObject({ code });
      expect((await c.closed).code, query).toBe(4400);
    }
  });

  it('sends only logs on /ws/logs, and logs, alerts and metrics on /ws/combined', async () => {
    const logs = await connect(`/ws/logs?api_key=${KEY}`);
    const combined = await connect(`/ws/combined?api_key=${KEY}`);
    combined.send({ action: 'configure', interval: 200 });
    await Promise.all([logs.settle(), combined.settle()]);
    await bus.publish({ type: 'alert', timestamp: ts(), level: 'error', message: 'flexlm-01 down', source: 'license-server', rule: 'server_down', key: 'server_down:flexlm-01', status: 'firing' } as StreamMessage);
    await bus.publish({ type: 'metrics', timestamp: ts(), source: 'flexlm-01', licenses: { total: 10, used: 5, available: 5, utilization: 50 } } as StreamMessage);
    await bus.publish(log({ message: 'marker log' }));
    await combined.waitUntil((ms) => ['log', 'alert', 'metrics'].every((t) => ms.some((m) => m.type === t)), 10_000, 'a log, an alert and metrics');
    await logs.next((m) => m.message === 'marker log');
    expect(logs.messages.filter((m) => m.type !== 'pong').every((m) => m.type === 'log')).toBe(true);
    expect(combined.ofType('alert')[0]).toMatchObject({ rule: 'server_down', key: 'server_down:flexlm-01', status: 'firing' });
  });
});

describe('metrics', () => {
  it('sends current snapshots at once, then every configured interval, filtered by source', async () => {
    for (const source of ['flexlm-a', 'flexlm-b']) {
      await bus.publish({ type: 'metrics', timestamp: ts(), source, site: 'pune', licenses: { total: 100, used: 75, available: 25, utilization: 75 } } as StreamMessage);
    }
    const m = await connect(`/ws/metrics?api_key=${KEY}`);
    await m.waitUntil((ms) => ms.filter((x) => x.type === 'metrics').length >= 2, 5000, 'the current snapshots at once');
    m.send({ action: 'subscribe', filter: { source: 'flexlm-a' } });
    m.send({ action: 'configure', interval: 400 });
    await m.settle();
    const from = m.messages.length;
    await m.waitUntil((ms) => ms.slice(from).filter((x) => x.type === 'metrics').length >= 6, 10_000, 'six interval deliveries');
    const arrivals: number[] = [];
    // Record arrival times of the next deliveries precisely.
    const start = m.messages.length;
    await new Promise<void>((resolve) => {
      m.ws.on('message', () => {
        arrivals.push(performance.now());
        if (arrivals.length === 6) resolve();
      });
    });
    const delivered = m.messages.slice(start).filter((x) => x.type === 'metrics');
    expect(delivered.every((x) => x.source === 'flexlm-a')).toBe(true);
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(400 * 0.9);
    expect(mean).toBeLessThan(400 * 1.25);
    for (const gap of gaps) expect(gap).toBeGreaterThan(400 * 0.6);
    const snapshot = delivered.at(-1)!;
    expect(snapshot).toMatchObject({ type: 'metrics', site: 'pune', licenses: { total: 100, used: 75, available: 25, utilization: 75 } });
    const connections = snapshot.connections as { active: number; total: number };
    expect(connections.active).toBeGreaterThanOrEqual(1);
    expect(connections.total).toBeGreaterThanOrEqual(connections.active);
  });

  it('defaults to a 5 s interval on /ws/metrics', async () => {
    const m = await connect(`/ws/metrics?api_key=${KEY}`);
    await m.next((x) => x.type === 'metrics');
    const first = m.messages.length;
    const t0 = Date.now();
    await m.next((x) => x.type === 'metrics', first, 8000);
    expect(Date.now() - t0).toBeGreaterThan(4000);
  });
});

describe('limits, idleness and shutdown', () => {
  let small: RunningGateway;
  beforeAll(async () => {
    small = await startGateway({ REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: prefix, API_KEYS: KEY, IDLE_TIMEOUT_MS: '1500', MAX_PAYLOAD_BYTES: '1024', DRAIN_DELAY_MS: '300' });
  });
  afterAll(async () => {
    await small?.kill();
  });

  it('closes a connection that sends a frame over the size limit with 1009', async () => {
    const c = await TestClient.connect(`${small.wsUrl}/ws/logs?api_key=${KEY}`);
    c.send({ action: 'ping', padding: 'x'.repeat(4096) });
    expect((await c.closed).code).toBe(1009);
  });

  it('closes an idle connection with 4000 and a reason, and keeps one that pings', async () => {
    const idle = await TestClient.connect(`${small.wsUrl}/ws/logs?api_key=${KEY}`);
    const busy = await TestClient.connect(`${small.wsUrl}/ws/logs?api_key=${KEY}`);
    const pinger = setInterval(() => busy.send({ action: 'ping' }), 300);
    try {
      const close = await idle.closed;
      expect(close.code).toBe(4000);
      expect(close.reason).toMatch(/idle/);
      expect(busy.ws.readyState).toBe(busy.ws.OPEN);
      await busy.settle();
    } finally {
      clearInterval(pinger);
      busy.close();
    }
  });

  it('on SIGTERM turns not-ready, closes clients with 1012 and exits 0', async () => {
    const c = await TestClient.connect(`${small.wsUrl}/ws/combined?api_key=${KEY}`);
    const pinger = setInterval(() => c.ws.readyState === c.ws.OPEN && c.send({ action: 'ping' }), 200);
    small.signal('SIGTERM');
    try {
      await expect.poll(async () => (await fetch(`${small.httpUrl}/readyz`)).status, { timeout: 5000 }).toBe(503);
      const close = await c.closed;
      expect(close.code).toBe(1012);
      expect(close.reason).toMatch(/restart|shutting down/);
      expect(await small.exited).toBe(0);
    } finally {
      clearInterval(pinger);
    }
  });
});
