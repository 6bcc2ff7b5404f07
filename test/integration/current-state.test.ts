// Current state for a client that asks: the alerts firing now (`active_alerts=1` / `activeAlerts`)
// and the last N log lines per stream (`lines=N` / `lines`), on real Redis through a real gateway:
// delivered before live frames, marked, cleared on resolve, scoped and filtered, no duplicate
// after a resume with since, no gap and no repeat between the lines and live; bad values refused.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KeyStore } from '../../shared/auth/key-store.ts';
import { RedisBus } from '../../shared/bus/index.ts';
import { CloseCode, type StreamMessage } from '../../shared/protocol/index.ts';
import { randomPrefix, startGateway, type RunningGateway } from '../support/processes.ts';
import { TestClient } from '../support/ws-client.ts';

const prefix = randomPrefix();
let gateway: RunningGateway;
let bus: RedisBus;
let store: KeyStore;
let key: string;
let berlinKey: string;
const clients: TestClient[] = [];

const log = (n: number, site: string, level = 'info'): StreamMessage =>
  ({ type: 'log', timestamp: new Date().toISOString(), level, message: `n=${n}`, source: 'license-server', site, metadata: { n } }) as StreamMessage;
const alert = (alertKey: string, site: string, status: 'firing' | 'resolved' = 'firing', timestamp = new Date().toISOString()): StreamMessage =>
  ({ type: 'alert', timestamp, level: 'error', message: `${alertKey} ${status}`, source: 'license-server', site, rule: 'server_down', key: alertKey, status }) as StreamMessage;
const numbers = (c: TestClient) => c.ofType('log').map((m) => (m.metadata as { n: number }).n);
const actives = (c: TestClient) => c.ofType('alert').filter((m) => m.active === true);

async function connect(path: string, apiKey = key): Promise<TestClient> {
  const c = await TestClient.connect(`${gateway.wsUrl}${path}${path.includes('?') ? '&' : '?'}api_key=${apiKey}`);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  const redisUrl = inject('redisUrl');
  [gateway, bus, store] = await Promise.all([
    startGateway({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }),
    new RedisBus({ url: redisUrl, prefix }).connect(),
    new KeyStore({ url: redisUrl, prefix }).connect(),
  ]);
  key = (await store.create({ name: 'every-site' })).key;
  berlinKey = (await store.create({ name: 'berlin-only', sites: ['cs-berlin'] })).key;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await gateway?.kill();
  await Promise.all([bus?.close(), store?.close()]);
});

describe('active alerts', () => {
  it('delivers the alerts firing before the client connected first, marked, with their original id, timestamp and key; resolved ones are gone', async () => {
    const firedAt = '2026-01-01T10:00:00.000Z';
    const fired = await bus.publish(alert('aa:down', 'cs-a', 'firing', firedAt));
    await bus.publish(alert('aa:gone', 'cs-a'));
    await bus.publish(alert('aa:gone', 'cs-a', 'resolved'));
    await bus.publish(alert('ab:down', 'cs-b'));
    await bus.publish(log(1, 'cs-a'));

    const c = await connect('/ws/combined?active_alerts=1&site=cs-a,cs-b');
    await bus.publish(log(2, 'cs-a'));
    await c.waitUntil(() => numbers(c).includes(2), 10_000, 'the live log');
    const events = c.messages.filter((m) => m.type === 'alert' || m.type === 'log');
    expect(events.slice(0, 2).every((m) => m.active === true), JSON.stringify(events)).toBe(true);
    expect(actives(c).map((m) => m.key).sort()).toEqual(['aa:down', 'ab:down']);
    expect(actives(c).find((m) => m.key === 'aa:down')).toMatchObject({ id: fired.id, timestamp: firedAt, status: 'firing', rule: 'server_down', site: 'cs-a' });
    expect(numbers(c)).toEqual([2]); // lines were not asked for

    // A resolve clears it for the next client; the connected one hears the resolve live.
    await bus.publish(alert('aa:down', 'cs-a', 'resolved'));
    await c.next((m) => m.type === 'alert' && m.key === 'aa:down' && m.status === 'resolved');
    const later = await connect('/ws/combined?active_alerts=1&site=cs-a,cs-b');
    await later.waitUntil(() => actives(later).length > 0, 10_000, 'the active alerts');
    await later.settle();
    expect(actives(later).map((m) => m.key)).toEqual(['ab:down']);
  });

  it('is asked for in subscribe too, and narrowed by the filter and by the key\'s site scope', async () => {
    await bus.publish(alert('sc:berlin', 'cs-berlin'));
    await bus.publish(alert('sc:paris', 'cs-paris'));
    const filtered = await connect('/ws/combined');
    filtered.send({ action: 'subscribe', filter: { site: ['cs-paris', 'cs-berlin'], pattern: 'paris' }, activeAlerts: true });
    // The pong may overtake them (the current state is read from Redis): wait for them, then settle.
    await filtered.waitUntil(() => actives(filtered).length > 0, 10_000, 'the active alerts');
    await filtered.settle();
    expect(actives(filtered).map((m) => m.key)).toEqual(['sc:paris']);

    const scoped = await connect('/ws/combined?active_alerts=1', berlinKey);
    await scoped.waitUntil(() => actives(scoped).length > 0, 10_000, 'the active alerts');
    await scoped.settle();
    expect(actives(scoped).map((m) => m.key)).toEqual(['sc:berlin']);
    expect(scoped.ofType('error')).toEqual([]);
  });

  it('sends no alert twice after a reconnect with since: streams named in since get the replay, not the active alerts again', async () => {
    await bus.publish(alert('rc:one', 'cs-rc'));
    const first = await connect('/ws/combined?active_alerts=1&site=cs-rc');
    await bus.publish(log(10, 'cs-rc'));
    const seen = await first.next((m) => m.type === 'log');
    expect(actives(first).map((m) => m.key)).toEqual(['rc:one']);
    first.close();
    await first.closed;
    await bus.publish(alert('rc:two', 'cs-rc'));
    await bus.publish(log(11, 'cs-rc'));

    const resumed = await connect(`/ws/combined?active_alerts=1&site=cs-rc&since=${encodeURIComponent(String(seen.id))}`);
    await resumed.next((m) => m.type === 'log');
    await resumed.settle();
    const alerts = resumed.ofType('alert');
    expect(alerts.map((m) => [m.key, m.active ?? false])).toEqual([['rc:two', false]]);
    expect(numbers(resumed)).toEqual([11]);
  });
});

describe('recent lines', () => {
  it('gives exactly the last N lines the filter takes, per stream, in order, then live', async () => {
    for (let n = 1; n <= 40; n++) {
      await bus.publish(log(n, 'cs-l1', n % 2 ? 'error' : 'info'));
      if (n % 10 === 0) await bus.publish(alert(`l1:${n}`, 'cs-l1'));
    }
    for (let n = 101; n <= 103; n++) await bus.publish(log(n, 'cs-l2', 'error'));
    const c = await connect('/ws/logs?lines=5&level=error&site=cs-l1,cs-l2');
    await c.waitUntil(() => numbers(c).length >= 8, 10_000, 'the lines');
    await bus.publish(log(41, 'cs-l1', 'error'));
    await c.waitUntil(() => numbers(c).includes(41), 10_000, 'the live line');
    const l1 = c.ofType('log').filter((m) => m.site === 'cs-l1').map((m) => (m.metadata as { n: number }).n);
    const l2 = c.ofType('log').filter((m) => m.site === 'cs-l2').map((m) => (m.metadata as { n: number }).n);
    expect(l1).toEqual([31, 33, 35, 37, 39, 41]);
    expect(l2).toEqual([101, 102, 103]); // fewer than asked: what there is
    expect(c.ofType('alert')).toEqual([]); // /ws/logs carries none
    expect(c.ofType('error')).toEqual([]);
  });

  it('on /ws/combined, with active alerts: the alerts older than the lines come marked, the ones among them as they were, none twice', async () => {
    await bus.publish(alert('mix:old', 'cs-mix'));
    for (let n = 1; n <= 10; n++) await bus.publish(log(n, 'cs-mix'));
    await bus.publish(alert('mix:new', 'cs-mix'));
    for (let n = 11; n <= 12; n++) await bus.publish(log(n, 'cs-mix'));
    const c = await connect('/ws/combined?lines=3&active_alerts=1&site=cs-mix');
    await c.waitUntil(() => numbers(c).length >= 3, 10_000, 'the lines');
    await c.settle();
    const events = c.messages.filter((m) => m.type === 'alert' || m.type === 'log').map((m) => (m.type === 'log' ? (m.metadata as { n: number }).n : `${String(m.key)}${m.active ? ' (active)' : ''}`));
    expect(events).toEqual(['mix:old (active)', 10, 'mix:new', 11, 12]);
  });

  it('joins the lines and the live stream with no gap and no repeat while publishing goes on', async () => {
    let n = 0;
    let stopped = false;
    const publishing = (async () => {
      while (!stopped) await bus.publish(log(++n, 'cs-flow'));
    })();
    try {
      while (n < 200) await new Promise((r) => setImmediate(r));
      const before = n;
      const c = await connect('/ws/logs?lines=50&site=cs-flow');
      await c.waitUntil(() => numbers(c).length >= 1, 10_000, 'the first line');
      const after = n;
      await c.waitUntil(() => numbers(c).length >= 150, 20_000, 'lines then live');
      const got = numbers(c);
      expect(got[0]).toBeGreaterThanOrEqual(before - 49);
      expect(got[0]).toBeLessThanOrEqual(after - 49);
      expect(got).toEqual(Array.from({ length: got.length }, (_, i) => got[0]! + i));
    } finally {
      stopped = true;
      await publishing;
    }
  });

  it('respects the key\'s scope', async () => {
    await bus.publish(log(1, 'cs-berlin'));
    await bus.publish(log(2, 'cs-other'));
    const c = await connect('/ws/logs?lines=10', berlinKey);
    await c.waitUntil(() => numbers(c).length >= 1, 10_000, 'the lines');
    await c.settle();
    expect(c.ofType('log').every((m) => m.site === 'cs-berlin')).toBe(true);
  });
});

describe('bad values', () => {
  it.each([
    ['/ws/logs?lines=1001', 'INVALID_LINES'],
    ['/ws/logs?lines=-1', 'INVALID_LINES'],
    ['/ws/logs?lines=ten', 'INVALID_LINES'],
    ['/ws/metrics?lines=5', 'INVALID_LINES'],
    ['/ws/combined?active_alerts=maybe', 'INVALID_ACTIVE_ALERTS'],
    ['/ws/logs?active_alerts=1', 'INVALID_ACTIVE_ALERTS'],
  ])('%s is refused with %s and closed 4400', async (path, code) => {
    const c = await connect(path);
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code });
    expect((await c.closed).code).toBe(CloseCode.INVALID_REQUEST);
  });

  it('a bad subscribe is answered with its code and changes nothing', async () => {
    const c = await connect('/ws/logs');
    c.send({ action: 'subscribe', lines: 2000 });
    c.send({ action: 'subscribe', lines: 1.5 });
    c.send({ action: 'subscribe', activeAlerts: 'yes' });
    c.send({ action: 'subscribe', activeAlerts: true });
    await c.settle();
    expect(c.ofType('error').map((m) => m.code)).toEqual(['INVALID_LINES', 'INVALID_LINES', 'INVALID_ACTIVE_ALERTS', 'INVALID_ACTIVE_ALERTS']);
    expect(String(c.ofType('error')[0]!.message)).toContain('1000');
    await bus.publish(log(1, 'cs-bad'));
    await c.next((m) => m.type === 'log' && m.site === 'cs-bad');
  });
});
