// A collector process on a local 3-node Redis Cluster (REDIS_CLUSTER_NODES, no REDIS_URL): its
// polls scheduled through BullMQ, its alert state and its notification queue all live on the
// cluster. It polls fake license servers and publishes their metrics and alerts, which a RedisBus
// on the cluster receives, and a webhook gets the alerts through the notification queue.
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisAlertState } from '../../collector/alerts/alert-state-redis.ts';
import { CollectorKeys } from '../../collector/collector-keys.ts';
import { POLL_QUEUE } from '../../collector/scheduling/bull-scheduler.ts';
import { createRedisClient, RedisBus, type RedisClient } from '../../shared/bus/index.ts';
import { StreamMessageSchema, type StreamMessage } from '../../shared/protocol/index.ts';
import { FAKE_BIN_DIR } from '../fixtures/fixtures.ts';
import { randomPrefix, startProcess, type RunningProcess } from '../support/processes.ts';
import { RedisCluster } from '../support/redis-cluster.ts';
import { waitUntil } from '../support/wait-until.ts';

const prefix = randomPrefix();
const dir = mkdtempSync(join(tmpdir(), 'licmon-collector-cluster-'));
let cluster: RedisCluster;
let bus: RedisBus | undefined;
let redis: RedisClient | undefined;
let collector: RunningProcess | undefined;
let webhook: Server | undefined;
const hooked: Array<{ rule?: string; status?: string }> = [];

beforeAll(async () => {
  cluster = await RedisCluster.start();
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      hooked.push(JSON.parse(body) as { rule?: string; status?: string });
      res.writeHead(200).end('ok');
    });
  });
  webhook.listen(0, '127.0.0.1');
  await once(webhook, 'listening');
}, 60_000);

afterAll(async () => {
  await collector?.kill();
  await bus?.close();
  redis?.disconnect();
  webhook?.close();
  await cluster?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('collector on a Redis Cluster', () => {
  it('polls through BullMQ on the cluster, publishes metrics and alerts, keeps alert state there and notifies', async () => {
    const farmFile = join(dir, 'farm.yaml');
    // The fake lmutil answers by host name: a healthy server, one with a vendor daemon down, one unreachable.
    writeFileSync(farmFile, `defaults:
  pollInterval: 500ms
  lmutil: ${join(FAKE_BIN_DIR, 'lmutil-fast')}
rollupInterval: 500ms
sites:
  berlin:
    servers:
      - { id: healthy, kind: flexlm, address: "27000@single-healthy" }
      - { id: vendor, kind: flexlm, address: "27000@vendor-down" }
      - { id: gone, kind: flexlm, address: "27000@unreachable-linux" }
notifications:
  webhooks:
    - { url: "http://127.0.0.1:${(webhook!.address() as AddressInfo).port}/hook", rules: [server_down, vendor_down] }
`);
    bus = await new RedisBus({ clusterNodes: cluster.addresses, prefix }).connect();
    const received: StreamMessage[] = [];
    await bus.subscribe((delivery) => received.push(StreamMessageSchema.parse(JSON.parse(delivery.json))));

    // REDIS_URL points nowhere: every connection the collector opens must go to the cluster.
    collector = startProcess('collector/main.ts', {
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_CLUSTER_NODES: cluster.addresses.join(','),
      REDIS_KEY_PREFIX: prefix,
      FARM_CONFIG: farmFile,
      HOST_METRICS_INTERVAL_MS: '0',
    });
    const watched = await collector.waitForLog((l) => l.msg === 'farm watched', 30_000);
    expect(watched).toMatchObject({ scheduler: 'bullmq', servers: 3 });

    const metricsOf = (server: string) => received.filter((m) => m.type === 'metrics' && m.server === server);
    const firing = (rule: string) => received.some((m) => m.type === 'alert' && m.rule === rule && m.status === 'firing');
    const seen = () => `metrics of ${['healthy', 'vendor', 'gone'].map((s) => `${s}: ${metricsOf(s).length}`).join(', ')}; alerts ${received.filter((m) => m.type === 'alert').map((m) => (m.type === 'alert' ? m.key : '')).join(', ')}; webhook ${hooked.length}\n${collector!.output.slice(-20).join('\n')}`;
    await waitUntil(
      () => ['healthy', 'vendor', 'gone'].every((s) => metricsOf(s).length >= 2) && received.some((m) => m.source === 'farm') && firing('server_down') && firing('vendor_down') && hooked.length >= 2,
      seen,
      30_000,
    );
    expect(metricsOf('healthy')[0]).toMatchObject({ site: 'berlin', status: 'up', features: expect.arrayContaining([expect.objectContaining({ name: expect.any(String) })]) });
    expect(metricsOf('gone')[0]).toMatchObject({ status: 'down' });
    expect(hooked.map((a) => a.rule).sort()).toEqual(['server_down', 'vendor_down']);

    // The schedule and the alert state are on the cluster.
    const keys = new CollectorKeys(prefix);
    redis = createRedisClient({ clusterNodes: cluster.addresses }, { maxRetriesPerRequest: null });
    const queue = new Queue(POLL_QUEUE, { connection: redis, prefix: keys.queuePrefix() });
    try {
      expect((await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort()).toEqual(['farm:rollup', 'gone', 'healthy', 'vendor']);
    } finally {
      await queue.close();
    }
    expect([...(await new RedisAlertState(redis, keys).firing('gone'))]).toEqual(['server_down:berlin:gone']);

    collector.signal('SIGTERM');
    expect(await collector.exited).toBe(0);
    expect(collector.output.filter((line) => line.includes('"level":50') || line.includes('"level":60'))).toEqual([]);
  });
});
