// Issue 11 §2, on real Redis: the bus faults (Redis drops the gateway's subscriber connection, so
// live messages published meanwhile never reach it), and then reading the gap from history fails
// a few times (injected) while Redis stays connected. The gateway must retry until it can read,
// then deliver the gap and the held live messages: the client gets every message once, in order,
// and live delivery goes on — no waiting for a reconnect that never comes.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../gateway/gateway.ts';
import { RedisBus, type Bus } from '../../shared/bus/index.ts';
import { GatewayConfigSchema } from '../../shared/config.ts';
import { createLogger } from '../../shared/logger.ts';
import type { StreamMessage } from '../../shared/protocol/index.ts';
import { RedisServer } from '../support/redis-server.ts';
import { waitUntil } from '../support/wait-until.ts';
import { TestClient } from '../support/ws-client.ts';

const KEY = 'catch-up-key';
const PREFIX = 'catchup';
const log = (n: number): StreamMessage => ({ type: 'log', timestamp: new Date().toISOString(), level: 'info', message: `n=${n}`, source: 'license-server', site: 'berlin', metadata: { n } }) as StreamMessage;
const numbers = (c: TestClient) => c.ofType('log').map((m) => (m.metadata as { n: number }).n);

/** The gateway's bus, with history reads that fail while `failReads` is above zero. */
function withFailingReads(inner: RedisBus) {
  const state = { failReads: 0, failed: 0 };
  const bus = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'readHistory') {
        return (...args: Parameters<Bus['readHistory']>) => {
          if (state.failReads > 0) {
            state.failReads--;
            state.failed++;
            return Promise.reject(new Error('injected history read failure'));
          }
          return target.readHistory(...args);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { bus: bus as Bus, state };
}

describe('catch-up after a bus fault, with history reads failing until they heal', () => {
  let redis: RedisServer;
  let gatewayBus: RedisBus;
  let publisherBus: RedisBus;
  let gateway: Gateway;
  let faults: ReturnType<typeof withFailingReads>['state'];

  beforeAll(async () => {
    // A Redis of its own: the test kills client connections on it.
    redis = await RedisServer.start();
    gatewayBus = await new RedisBus({ url: redis.url, prefix: PREFIX }).connect();
    publisherBus = await new RedisBus({ url: redis.url, prefix: PREFIX }).connect();
    const wrapped = withFailingReads(gatewayBus);
    faults = wrapped.state;
    const config = GatewayConfigSchema.parse({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: PREFIX, API_KEYS: KEY, PORT: '0', HOST: '127.0.0.1' });
    gateway = await createGateway({ config, bus: wrapped.bus, logger: createLogger('test', 'silent') });
  });
  afterAll(async () => {
    await gateway?.stop();
    await gatewayBus?.close();
    await publisherBus?.close();
    await redis?.dispose();
  });

  it('retries until the reads heal, then delivers the gap and live messages once each, in order', async () => {
    const c = await TestClient.connect(`ws://127.0.0.1:${gateway.port}/ws/logs?api_key=${KEY}`);
    await c.settle();
    let n = 0;
    const publish = async (count: number) => {
      for (let i = 0; i < count; i++) await publisherBus.publish(log(++n));
    };
    await publish(20);
    await c.waitUntil(() => numbers(c).length === 20, 10_000, 'the first 20 live');

    // The fault: Redis drops the gateway's subscriber connection; the first three history reads fail.
    faults.failReads = 3;
    const admin = new Redis(redis.url);
    try {
      await admin.client('KILL', 'TYPE', 'pubsub');
    } finally {
      admin.disconnect();
    }
    // Published while the subscriber is away or the gap cannot be read: only history has them.
    await publish(30);
    await waitUntil(() => faults.failed === 3, 'three failed history reads', 15_000);
    await c.waitUntil(() => numbers(c).length === 50, 15_000, 'the gap, read from history once the reads healed');
    await publish(20); // live again
    await c.waitUntil(() => numbers(c).length === 70, 10_000, 'live delivery after the catch-up');
    expect(numbers(c)).toEqual(Array.from({ length: 70 }, (_, i) => i + 1));
    c.close();
  });
});
