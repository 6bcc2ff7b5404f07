// PUBLISH_WAIT_REPLICAS (issue 13): with a real master and replica, a publish is answered only once
// the replica has it; with the replica frozen (SIGSTOP) it is answered after the timeout all the
// same, counted as under-replicated, and nothing is dropped.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnparsedLines } from '../../collector/license/unparsed-lines.ts';
import { CollectorMetrics } from '../../collector/prometheus/collector-metrics.ts';
import { Publisher } from '../../collector/publisher.ts';
import { RedisBus } from '../../shared/bus/index.ts';
import { createLogger } from '../../shared/logger.ts';
import { randomPrefix } from '../support/processes.ts';
import { parsePrometheusText } from '../support/prometheus-text.ts';
import { ReplicatedRedis } from '../support/redis-replication.ts';

const logger = createLogger('test', 'silent');
const log = (i: number) => ({ type: 'log' as const, timestamp: new Date().toISOString(), level: 'info' as const, message: `m${i}`, source: 'lmgrd', site: 'berlin' });

describe('publishing with PUBLISH_WAIT_REPLICAS=1', () => {
  let redis: ReplicatedRedis;
  let replica: Redis;
  let bus: RedisBus | undefined;

  beforeAll(async () => {
    redis = await ReplicatedRedis.start(1);
    replica = new Redis(redis.replicas[0]!.url);
  });
  afterEach(async () => {
    redis.replicas[0]!.freeze(false);
    await bus?.close();
  });
  afterAll(async () => {
    replica?.disconnect();
    await redis?.dispose();
  });

  const connect = async (timeoutMs: number) => (bus = await new RedisBus({ url: redis.master.url, prefix: randomPrefix(), waitReplicas: { replicas: 1, timeoutMs } }).connect());

  it('answers a publish only once the replica has it', async () => {
    const b = await connect(10_000);
    const stream = b.keys.stream('berlin');
    // Held back: the replica is frozen for a while, then let go.
    redis.replicas[0]!.freeze(true);
    const publishes = Array.from({ length: 100 }, (_, i) => b.publish(log(i)));
    const thawed = new Promise((resolve) => setTimeout(resolve, 500)).then(() => redis.replicas[0]!.freeze(false));
    let answered = false;
    void Promise.all(publishes).then(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    await thawed;
    const results = await Promise.all(publishes);
    // Asked straight away, the replica already has every entry the publishes answered for.
    expect(await replica.xlen(stream)).toBe(100);
    expect(results.filter((r) => r.underReplicated)).toEqual([]);
    // Later publishes, one event-loop turn each, are acknowledged the same way.
    for (let i = 100; i < 110; i++) expect(await b.publish(log(i))).not.toHaveProperty('underReplicated');
    expect(await replica.xlen(stream)).toBe(110);
  });

  it('with the replica frozen: answers after the timeout, counts the messages, drops none', async () => {
    const b = await connect(300);
    const publisher = new Publisher(b, logger);
    const metrics = new CollectorMetrics();
    metrics.attach({ publisher, unparsed: new UnparsedLines(logger) });
    redis.replicas[0]!.freeze(true);
    const started = Date.now();
    for (let i = 0; i < 50; i++) publisher.publish(log(i), 'test');
    await publisher.flush();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(publisher.stats).toMatchObject({ published: 50, failed: 0, dropped: 0 });
    expect(publisher.underReplicated).toBe(50);
    const master = new Redis(redis.master.url);
    expect(await master.xlen(b.keys.stream('berlin')).finally(() => master.disconnect())).toBe(50);
    expect(parsePrometheusText(await metrics.render()).get('licmon_publish_under_replicated_total')).toBe(50);
  });
});
