// Resume: `since` on the URL and in subscribe, replay merged with live delivery (no gap, no
// duplicate), HISTORY_TRUNCATED for trimmed or lost history, INVALID_SINCE; and a gateway that
// rides out a Redis restart without its clients missing a message.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisBus } from '../../shared/bus/index.ts';
import type { StreamMessage } from '../../shared/protocol/index.ts';
import { randomPrefix, startGateway, type RunningGateway } from '../support/processes.ts';
import { RedisServer } from '../support/redis-server.ts';
import { TestClient } from '../support/ws-client.ts';

const KEY = 'resume-key';
const log = (n: number, extra: Partial<StreamMessage> = {}): StreamMessage =>
  ({ type: 'log', timestamp: new Date().toISOString(), level: 'info', message: `n=${n}`, source: 'license-server', metadata: { n }, ...extra }) as StreamMessage;
const numbers = (c: TestClient) => c.ofType('log').map((m) => (m.metadata as { n: number }).n);

/** Publish 1..count at about `perSecond`, in order, until done or stopped. */
function steadyPublisher(bus: RedisBus, perSecond: number, extra: Partial<StreamMessage> = {}) {
  let n = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      n++;
      await bus.publish(log(n, extra));
      await new Promise((r) => setTimeout(r, 1000 / perSecond));
    }
  })();
  return { stop: async () => { stopped = true; await done; return n; }, get count() { return n; } };
}

describe('resume on one gateway', () => {
  const prefix = randomPrefix();
  let gateway: RunningGateway;
  let bus: RedisBus;
  const clients: TestClient[] = [];
  const connect = async (query = '') => {
    const c = await TestClient.connect(`${gateway.wsUrl}/ws/combined?api_key=${KEY}${query}`);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    gateway = await startGateway({ REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: prefix, API_KEYS: KEY });
    bus = await new RedisBus({ url: inject('redisUrl'), prefix }).connect();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gateway?.kill();
    await bus?.close();
  });

  it('replays after the id given on the URL, then continues live, in order', async () => {
    const ids: string[] = [];
    for (let n = 1; n <= 20; n++) ids.push((await bus.publish(log(n, { site: 'berlin' }))).id!);
    const c = await connect(`&since=${encodeURIComponent(ids[9]!)}`);
    await c.waitUntil(() => numbers(c).length >= 10, 10_000, 'the replay');
    for (let n = 21; n <= 25; n++) await bus.publish(log(n, { site: 'berlin' }));
    await c.waitUntil(() => numbers(c).length >= 15, 10_000, 'live messages');
    expect(numbers(c)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(c.ofType('log')[0]!.id).toBe(ids[10]);
  });

  it('replays only what the new filter takes when since comes with subscribe', async () => {
    const first = await bus.publish(log(100, { site: 'pune', level: 'info' }));
    await bus.publish(log(101, { site: 'pune', level: 'error' }));
    await bus.publish(log(102, { site: 'pune', level: 'info' }));
    await bus.publish(log(103, { site: 'pune', level: 'warn' }));
    const c = await connect();
    c.send({ action: 'subscribe', filter: { level: ['error', 'warn'], site: 'pune' }, since: first.id });
    await c.waitUntil(() => numbers(c).length >= 2, 10_000, 'the filtered replay');
    await c.settle();
    expect(numbers(c)).toEqual([101, 103]);
  });

  it('replays the whole gap for a late subscribe with since, skipping exactly what was already sent live', async () => {
    const watcher = await connect();
    const before = await bus.publish(log(400, { site: 'late', level: 'error' }));
    for (let n = 401; n <= 410; n++) await bus.publish(log(n, { site: 'late', level: n % 2 ? 'error' : 'info' }));
    await watcher.waitUntil(() => numbers(watcher).includes(410), 10_000, 'the gateway to have 410'); // not live for c
    const c = await connect();
    // Live frames flow unfiltered once the hold at open has passed (a slow link's subscribe is late).
    await bus.publish(log(411, { site: 'late', level: 'error' }));
    await bus.publish(log(412, { site: 'late', level: 'info' }));
    await c.waitUntil(() => numbers(c).includes(412), 10_000, 'live frames before the subscribe');
    c.send({ action: 'subscribe', filter: { level: 'error', site: 'late' }, since: before.id });
    await c.settle();
    await bus.publish(log(413, { site: 'late', level: 'error' }));
    await c.waitUntil(() => numbers(c).includes(413), 10_000, 'the replay and live');
    const got = numbers(c);
    expect(new Set(got).size, `received ${got.join(',')}`).toBe(got.length); // no id twice
    expect(got.filter((n) => n !== 412).sort((a, b) => a - b)).toEqual([401, 403, 405, 407, 409, 411, 413]);
  });

  it('answers a malformed since with INVALID_SINCE, on the URL and in subscribe', async () => {
    const c = await connect('&since=not-an-id');
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'INVALID_SINCE' });
    c.send({ action: 'subscribe', filter: null, since: 'berlin:zz:12' });
    await c.waitUntil((ms) => ms.filter((m) => m.code === 'INVALID_SINCE').length === 2, 5000, 'a second INVALID_SINCE');
    c.send({ action: 'subscribe', since: 42 });
    await c.waitUntil((ms) => ms.filter((m) => m.code === 'INVALID_SINCE').length === 3, 5000, 'a third INVALID_SINCE');
    await c.settle();
  });

  it('says HISTORY_TRUNCATED, naming the stream, when the epoch is not the current one, then sends what is kept', async () => {
    await bus.publish(log(200, { site: 'austin' }));
    const c = await connect('&since=austin:oldepoch:1-0');
    const error = await c.next((m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'HISTORY_TRUNCATED', stream: 'austin' });
    await c.waitUntil(() => numbers(c).includes(200), 10_000, 'what is kept');
    expect(c.messages.indexOf(error)).toBeLessThan(c.messages.findIndex((m) => m.type === 'log'));
  });

  it('says HISTORY_TRUNCATED when entries after the id were trimmed', async () => {
    const small = await new RedisBus({ url: inject('redisUrl'), prefix, historyLength: 10 }).connect();
    try {
      const first = await small.publish(log(300, { site: 'trimmed' }));
      for (let n = 301; n < 600; n++) await small.publish(log(n, { site: 'trimmed' }));
      const c = await connect(`&since=${first.id}`);
      expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'HISTORY_TRUNCATED', stream: 'trimmed' });
      await c.waitUntil(() => numbers(c).includes(599), 10_000, 'the newest kept entry');
      const got = numbers(c);
      expect(got.length).toBeLessThan(299);
      expect(got).toEqual([...got].sort((a, b) => a - b)); // in order, no repeats
    } finally {
      await small.close();
    }
  });

  it('a client that reconnects with since under steady publishing misses nothing and gets nothing twice', async () => {
    const watcher = await connect();
    watcher.send({ action: 'subscribe', filter: { site: 'steady' } });
    await watcher.settle();
    const publisher = steadyPublisher(bus, 400, { site: 'steady' });
    let c = await connect();
    c.send({ action: 'subscribe', filter: { site: 'steady' } });
    const seen: number[] = [];
    for (let round = 0; round < 3; round++) {
      await c.waitUntil(() => numbers(c).length >= 30, 10_000, 'some live messages');
      const last = c.ofType('log').at(-1)!.id as string;
      seen.push(...numbers(c));
      c.close();
      await c.closed;
      await new Promise((r) => setTimeout(r, 200 + round * 100)); // away while messages are published
      c = await connect(`&since=${last}`);
      c.send({ action: 'subscribe', filter: { site: 'steady' }, since: last }); // both ways at once: still no duplicate
    }
    const total = await publisher.stop();
    await c.waitUntil(() => numbers(c).at(-1) === total, 15_000, 'the last message');
    seen.push(...numbers(c));
    const dup = seen.filter((n, i) => seen.indexOf(n) !== i);
    expect(dup, `duplicates: ${dup.join(',')}`).toEqual([]);
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1).slice(seen[0]! - 1));
    await watcher.waitUntil(() => numbers(watcher).at(-1) === total, 15_000, 'the watcher to finish');
  });
});

describe('a gateway across a Redis restart', () => {
  let redis: RedisServer;
  let gateway: RunningGateway;
  let bus: RedisBus;
  beforeAll(async () => {
    redis = await RedisServer.start();
    gateway = await startGateway({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'restart', API_KEYS: KEY });
    bus = await new RedisBus({ url: redis.url, prefix: 'restart' }).connect();
  });
  afterAll(async () => {
    await gateway?.kill();
    await bus?.close();
    await redis?.dispose();
  });

  it('keeps its clients connected and delivers every message once, in order, with readyz 503 meanwhile', async () => {
    const c = await TestClient.connect(`${gateway.wsUrl}/ws/logs?api_key=${KEY}`);
    await c.settle();
    const publisher = steadyPublisher(bus, 200, { site: 'berlin' });
    await c.waitUntil(() => numbers(c).length >= 50, 10_000, 'messages before the restart');
    await redis.stop();
    await expect.poll(async () => (await fetch(`${gateway.httpUrl}/readyz`)).status, { timeout: 10_000 }).toBe(503);
    await new Promise((r) => setTimeout(r, 500)); // messages pile up in the publisher's buffer meanwhile
    await redis.start();
    await expect.poll(async () => (await fetch(`${gateway.httpUrl}/readyz`)).status, { timeout: 15_000 }).toBe(200);
    await c.waitUntil(() => numbers(c).length >= publisher.count - 5, 15_000, 'messages after the restart');
    const total = await publisher.stop();
    await c.waitUntil(() => numbers(c).at(-1) === total, 15_000, 'the last message');
    expect(numbers(c)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.close();
  });
});
