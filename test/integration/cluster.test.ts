// Two gateway processes on one Redis and one collector process: a client on each gateway gets
// every published log exactly once and in order. The ground truth is the history the bus keeps
// (each site's Redis Stream), read back once the collector has stopped.
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { BusKeys } from '../../shared/bus/index.ts';
import { randomPrefix, startGateway, startProcess, type RunningGateway } from '../support/processes.ts';
import { TestClient } from '../support/ws-client.ts';

const prefix = randomPrefix();
const gateways: RunningGateway[] = [];
const clients: TestClient[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(gateways.map((g) => g.kill()));
});

it('delivers every log exactly once, in order, through each of two gateways', async () => {
  const redisUrl = inject('redisUrl');
  const env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, API_KEYS: 'cluster-key' };
  gateways.push(...(await Promise.all([startGateway(env), startGateway(env)])));
  for (const gw of gateways) {
    const c = await TestClient.connect(`${gw.wsUrl}/ws/logs?api_key=cluster-key`);
    c.send({ action: 'ping' });
    await c.next((m) => m.type === 'pong');
    clients.push(c);
  }

  const collector = startProcess('collector/main.ts', { ...env, SIM_RATE: '300', SIM_SEED: '7', SIM_METRICS_INTERVAL_MS: '500' });
  await collector.waitForLog((l) => l.msg === 'collector started');
  // Let it publish for a while, then stop it: every log it published is in the streams.
  await clients[0]!.waitUntil((ms) => ms.filter((m) => m.type === 'log').length >= 400, 30_000, '400 logs');
  collector.signal('SIGTERM');
  expect(await collector.exited).toBe(0);

  const redis = new Redis(redisUrl);
  const keys = new BusKeys(prefix);
  const expected: string[] = [];
  try {
    for (const site of await redis.smembers(keys.sites())) {
      const epoch = await redis.get(keys.epoch(site));
      for (const [position, fields] of await redis.xrange(keys.stream(site), '-', '+')) {
        const message = JSON.parse(fields[1]!) as { type: string };
        if (message.type === 'log') expected.push(`${site}:${epoch}:${position}`);
      }
    }
  } finally {
    redis.disconnect();
  }
  expect(expected.length).toBeGreaterThanOrEqual(400);

  for (const client of clients) {
    await client.waitUntil((ms) => ms.filter((m) => m.type === 'log').length >= expected.length, 30_000, `${expected.length} logs`);
    const ids = client.ofType('log').map((m) => m.id as string);
    expect(ids.length).toBe(expected.length); // nothing twice, nothing extra
    expect(new Set(ids)).toEqual(new Set(expected)); // nothing missing
    // In order: within each stream, ids arrive in the order the stream holds them.
    const byStream = (list: string[]) => {
      const map = new Map<string, string[]>();
      for (const id of list) {
        const stream = id.slice(0, id.indexOf(':'));
        map.set(stream, [...(map.get(stream) ?? []), id]);
      }
      return map;
    };
    expect(byStream(ids)).toEqual(byStream(expected));
  }
});
