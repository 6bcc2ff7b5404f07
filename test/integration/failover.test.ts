// Zero loss under failure (issue 4), with real processes: three gateways behind a real HAProxy,
// real Redis (one server, then a 3-node Redis Cluster), a publisher of numbered logs at a steady
// rate, and SDK clients through the balancer that reconnect and resume with `since` — half of
// them unfiltered (`since` on the URL), half with a site filter (`since` in `subscribe`). After
// each failure every client must have every number exactly once, in order, and no WebSocket may
// have been sent the same id twice.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BusKeys, RedisBus } from '../../shared/bus/index.ts';
import { GatewayFleet } from '../support/gateway-fleet.ts';
import { describeClients, NumberedClient, NumberedPublisher, sequenceProblems } from '../support/numbered-stream.ts';
import { randomPrefix } from '../support/processes.ts';
import { RedisCluster } from '../support/redis-cluster.ts';
import { RedisServer } from '../support/redis-server.ts';
import { waitUntil } from '../support/wait-until.ts';

const API_KEY = `failover-${randomPrefix()}`;
const RATE = 100; // messages per second
const CLIENTS = 6;
/** HAProxy checks every 200 ms and acts on two in a row: a drain must outlast that window. */
const GATEWAY_ENV = { API_KEYS: API_KEY, DRAIN_DELAY_MS: '1500', SHUTDOWN_GRACE_MS: '2000' };

interface Run {
  readonly publisher: NumberedPublisher;
  readonly clients: NumberedClient[];
  /** Wait until every client has delivered at least `more` numbers beyond what it has now. */
  progress(more: number, what: string): Promise<void>;
}

/**
 * Connect the clients, start the publisher on a new site, let it flow, run the failure, let it
 * flow again, stop, and check every client got 1..N exactly once and in order.
 */
async function scenario(fleet: GatewayFleet, bus: RedisBus, failure: (run: Run) => Promise<void>): Promise<void> {
  const site = `s${randomPrefix()}`;
  const clients = Array.from({ length: CLIENTS }, (_, i) =>
    new NumberedClient(`client${i}${i % 2 ? ' (filtered)' : ''}`, { url: fleet.haproxy.wsUrl, apiKey: API_KEY, site, filtered: i % 2 === 1 }));
  running.push(...clients);
  const detail = () => describeClients(clients);
  await waitUntil(() => clients.every((c) => c.live), 'every client to be live', 20_000, detail);
  const publisher = new NumberedPublisher(bus, site, RATE).start();
  publishers.push(publisher);
  const run: Run = {
    publisher,
    clients,
    async progress(more, what) {
      const targets = clients.map((c) => c.numbers.length + more);
      await waitUntil(() => clients.every((c, i) => c.numbers.length >= targets[i]!), what, 30_000, detail);
    },
  };
  await run.progress(100, 'messages before the failure');
  await failure(run);
  await run.progress(100, 'messages after the failure');
  const total = await publisher.stop();
  expect(publisher.failures).toEqual([]);
  await waitUntil(() => clients.every((c) => c.last === total), `every client to deliver the last number (${total})`, 30_000, detail);
  for (const client of clients) {
    expect(sequenceProblems(client.numbers, 1, total), client.name).toBe('');
    expect(client.numbers).toHaveLength(total);
    expect(client.wireDuplicates, `${client.name}: ids a gateway sent twice on one connection`).toEqual([]);
  }
}

/** kill -9 gateway i mid-stream, let the stream flow without it, then start it again on its port. */
function killAndRestart(fleet: GatewayFleet, i: number) {
  return async (run: Run) => {
    const reconnects = () => run.clients.reduce((sum, c) => sum + c.reconnects, 0);
    const before = reconnects();
    await fleet.kill(i);
    await run.progress(50, 'messages with one gateway dead');
    expect(reconnects(), 'clients that were on the killed gateway reconnected').toBeGreaterThan(before);
    await fleet.startOne(i);
  };
}

const running: NumberedClient[] = [];
const publishers: NumberedPublisher[] = [];
afterEach(async () => {
  for (const client of running.splice(0)) client.close();
  await Promise.all(publishers.splice(0).map((p) => p.stop()));
});

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
        running.push(back);
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
