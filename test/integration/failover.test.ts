// Zero loss under failure (issue 4), with real processes: three gateways behind a real HAProxy,
// real Redis (one server, then a 3-node Redis Cluster), a publisher of numbered logs at a steady
// rate, and SDK clients through the balancer that reconnect and resume with `since` — half of
// them unfiltered (`since` on the URL), half with a site filter (`since` in `subscribe`). After
// each failure every client must have every number exactly once, in order, and no WebSocket may
// have been sent the same id twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusKeys, RedisBus } from '../../shared/bus/index.ts';
import { failoverGatewayEnv, failoverScenarios, RATE } from '../support/failover-scenario.ts';
import { GatewayFleet } from '../support/gateway-fleet.ts';
import { describeClients, NumberedClient } from '../support/numbered-stream.ts';
import { randomPrefix } from '../support/processes.ts';
import { RedisCluster } from '../support/redis-cluster.ts';
import { RedisServer } from '../support/redis-server.ts';
import { waitUntil } from '../support/wait-until.ts';

const API_KEY = `failover-${randomPrefix()}`;
const GATEWAY_ENV = failoverGatewayEnv(API_KEY);
const { scenario, killAndRestart } = failoverScenarios(API_KEY);

describe('three gateways behind HAProxy on one Redis', () => {
  let redis: RedisServer;
  let fleet: GatewayFleet;
  let bus: RedisBus;

  beforeAll(async () => {
    redis = await RedisServer.start();
    const prefix = randomPrefix();
    fleet = await GatewayFleet.start(3, { ...GATEWAY_ENV, REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix });
    bus = await new RedisBus({ url: redis.url, prefix }).connect();
  });
  afterAll(async () => {
    await bus?.close();
    await fleet?.stop();
    await redis?.dispose();
  });

  it('kill -9 of one gateway mid-stream: its clients reconnect elsewhere and resume', async () => {
    await scenario(fleet, bus, killAndRestart(fleet, 1));
  });

  it('rolling restart of all three gateways: each drains (readyz 503, 1012 after the delay) and starts again on its port', async () => {
    await scenario(fleet, bus, async (run) => {
      const closedWith: number[] = [];
      for (let i = 0; i < 3; i++) {
        const seen = run.clients.map((c) => c.states.length);
        expect(await fleet.drain(i)).toBe(0);
        run.clients.forEach((c, j) => closedWith.push(...c.states.slice(seen[j]).filter((s) => s.state === 'reconnecting').map((s) => s.code!)));
        await fleet.startOne(i);
        await run.progress(30, `messages after restarting gateway ${i + 1}`);
      }
      // Clients left each draining gateway because it closed them with 1012, not because it died.
      expect(closedWith.length).toBeGreaterThan(0);
      expect(new Set(closedWith)).toEqual(new Set([1012]));
    });
  });

  it('Redis stopped and restarted mid-stream (same port, no persistence): clients stay connected', async () => {
    await scenario(fleet, bus, async (run) => {
      const reconnectsBefore = run.clients.map((c) => c.reconnects);
      await redis.stop();
      // Every gateway says not ready and leaves the rotation; the publisher keeps publishing into its buffer.
      await Promise.all([0, 1, 2].map((i) => fleet.haproxy.waitForState(GatewayFleet.serverName(i), 'DOWN')));
      const publishedAtStop = run.publisher.count;
      await waitUntil(() => run.publisher.count >= publishedAtStop + RATE / 2, 'half a second of publishing into the buffer', 10_000);
      await redis.start();
      await Promise.all([0, 1, 2].map((i) => fleet.haproxy.waitForState(GatewayFleet.serverName(i), 'UP')));
      await run.progress(50, 'messages after Redis came back');
      expect(run.clients.map((c) => c.reconnects)).toEqual(reconnectsBefore);
    });
  });

  it('a client away for 10 s resumes with since and misses nothing', async () => {
    await scenario(fleet, bus, async (run) => {
      const away = [0, 1]; // one unfiltered (since on the URL), one filtered (since in subscribe)
      const sinces = away.map((i) => run.clients[i]!.client.since!);
      for (const i of away) run.clients[i]!.close();
      const publishedAtClose = run.publisher.count;
      await waitUntil(() => run.publisher.count >= publishedAtClose + 10 * RATE, 'ten seconds of publishing while they are away', 20_000);
      away.forEach((i, k) => {
        const before = run.clients[i]!;
        const back = new NumberedClient(`${before.name} resumed`, { url: fleet.haproxy.wsUrl, apiKey: API_KEY, site: run.publisher.site, filtered: i % 2 === 1, since: sinces[k]! });
        back.numbers.push(...before.numbers); // before its first delivery: one sequence across the absence
        run.track(back);
        run.clients[i] = back;
      });
      await waitUntil(() => away.every((i) => run.clients[i]!.last >= publishedAtClose + 10 * RATE), 'the resumed clients to catch up', 20_000, () => describeClients(run.clients));
    });
  });
});

describe('three gateways behind HAProxy on a 3-node Redis Cluster (sharded pub/sub)', () => {
  let cluster: RedisCluster;
  let fleet: GatewayFleet;
  let bus: RedisBus;
  const prefix = randomPrefix();

  beforeAll(async () => {
    cluster = await RedisCluster.start();
    fleet = await GatewayFleet.start(3, { ...GATEWAY_ENV, REDIS_CLUSTER_NODES: cluster.addresses.join(','), REDIS_KEY_PREFIX: prefix });
    bus = await new RedisBus({ clusterNodes: cluster.addresses, prefix }).connect();
  });
  afterAll(async () => {
    await bus?.close();
    await fleet?.stop();
    await cluster?.dispose();
  });

  // The site is new to the gateways when the publisher starts: they learn it from its
  // announcement and read its first messages from history.
  it('kill -9 of one gateway mid-stream: its clients reconnect elsewhere and resume', async () => {
    await scenario(fleet, bus, killAndRestart(fleet, 0));
  });

  it('the Redis node serving the site crashed and restarted mid-stream: clients stay connected', async () => {
    await scenario(fleet, bus, async (run) => {
      const reconnectsBefore = run.clients.map((c) => c.reconnects);
      const node = await cluster.ownerOf(new BusKeys(prefix).stream(run.publisher.site));
      await node.stop(true);
      // Every gateway lost that shard's subscription: not ready until it is back and caught up.
      await Promise.all([0, 1, 2].map((i) => fleet.haproxy.waitForState(GatewayFleet.serverName(i), 'DOWN')));
      const publishedAtStop = run.publisher.count;
      await waitUntil(() => run.publisher.count >= publishedAtStop + RATE / 2, 'half a second of publishing into the buffer', 10_000);
      await node.start();
      await Promise.all([0, 1, 2].map((i) => fleet.haproxy.waitForState(GatewayFleet.serverName(i), 'UP')));
      await run.progress(50, 'messages after the node came back');
      expect(run.clients.map((c) => c.reconnects)).toEqual(reconnectsBefore);
    });
  });
});
