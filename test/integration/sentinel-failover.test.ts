// Redis high availability with Sentinel (issue 13), with real processes: Debian's redis-server as a
// master, two replicas and three Sentinels on loopback; three gateways behind a real HAProxy and a
// publisher, all given only the Sentinels (REDIS_SENTINELS); SDK clients through the balancer.
// The master is killed (kill -9) or hands over (SENTINEL FAILOVER) mid-stream: clients stay
// connected, the gateways' /readyz dips and comes back, everyone follows the new master, and each
// client gets every number exactly once and in order, or HISTORY_TRUNCATED before anything missed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBus } from '../../shared/bus/index.ts';
import { parseStreamId } from '../../shared/bus/stream-id.ts';
import { failoverGatewayEnv, failoverScenarios } from '../support/failover-scenario.ts';
import { GatewayFleet } from '../support/gateway-fleet.ts';
import { randomPrefix } from '../support/processes.ts';
import { RedisSentinelSet, SENTINEL_MASTER_NAME } from '../support/redis-sentinel.ts';
import { waitUntil } from '../support/wait-until.ts';

const API_KEY = `sentinel-${randomPrefix()}`;
const { scenario } = failoverScenarios(API_KEY);

/** Polls every gateway's /readyz until stopped: whether each said 503 at some point, and what it says last. */
class ReadyzWatch {
  readonly dipped: boolean[];
  readonly last: number[];
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(private readonly urls: readonly string[]) {
    this.dipped = urls.map(() => false);
    this.last = urls.map(() => 0);
    this.done = Promise.all(urls.map((_, i) => this.poll(i))).then(() => undefined);
  }

  private async poll(i: number): Promise<void> {
    while (!this.stopped) {
      const status = await fetch(`${this.urls[i]}/readyz`).then((r) => r.status, () => 0);
      this.last[i] = status;
      if (status === 503) this.dipped[i] = true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

describe('three gateways behind HAProxy on Redis with Sentinel (1 master, 2 replicas, 3 Sentinels)', () => {
  let sentinels: RedisSentinelSet;
  let fleet: GatewayFleet;
  let bus: RedisBus;

  beforeAll(async () => {
    sentinels = await RedisSentinelSet.start();
    const prefix = randomPrefix();
    const redis = { REDIS_SENTINELS: sentinels.addresses.join(','), REDIS_SENTINEL_NAME: SENTINEL_MASTER_NAME, REDIS_KEY_PREFIX: prefix };
    fleet = await GatewayFleet.start(3, { ...failoverGatewayEnv(API_KEY), ...redis });
    bus = await new RedisBus({ sentinels: sentinels.addresses, sentinelName: SENTINEL_MASTER_NAME, url: 'redis://', prefix }).connect();
  }, 90_000);
  afterAll(async () => {
    await bus?.close();
    await fleet?.stop();
    await sentinels?.dispose();
  });

  it('kill -9 of the master mid-stream: a replica is promoted, /readyz dips and returns, clients stay connected and miss nothing silently', async () => {
    await scenario(fleet, bus, async (run) => {
      const reconnectsBefore = run.clients.map((c) => c.reconnects);
      const watch = new ReadyzWatch(fleet.gateways.map((g) => g!.httpUrl));
      const oldMaster = await sentinels.killMaster();
      expect(await sentinels.masterPort()).not.toBe(oldMaster.port);
      // Every gateway lost its subscriptions with the master: not ready until it follows the new one and has caught up.
      await waitUntil(() => watch.last.every((s) => s === 200) && watch.dipped.every(Boolean), 'every gateway to dip to 503 and be ready again', 30_000,
        () => `dipped ${JSON.stringify(watch.dipped)}, last ${JSON.stringify(watch.last)}\n${fleet.gateways.map((g, i) => `gateway ${i}:\n${g!.output.slice(-12).join('\n')}`).join('\n')}`);
      await watch.stop();
      await run.progress(50, 'messages through the new master');
      expect(run.clients.map((c) => c.reconnects)).toEqual(reconnectsBefore);
      await sentinels.rejoin(oldMaster);
    }, { mayTruncate: true });
  });

  it('writes a promoted replica lacks: the publisher notices, the stream starts a new epoch, a reader from before them is told', async () => {
    const site = `lost${randomPrefix()}`;
    const publish = async (n: number) => (await bus.publish({ type: 'log', timestamp: new Date().toISOString(), level: 'info', message: `n=${n}`, source: 'test', site, metadata: { n } })).id!;
    const ids = [await publish(1), await publish(2), await publish(3)];
    const replicas = await sentinels.replicas();
    await sentinels.waitForReplication();
    // Freeze the replicas and cut their links, so that 4 and 5 are acknowledged by the master alone
    // (a frozen replica would still find them in its socket buffer when thawed), then lose the master.
    for (const replica of replicas) replica.freeze(true);
    await sentinels.cutReplicationLinks();
    ids.push(await publish(4), await publish(5));
    const master = await sentinels.master();
    await master.stop(true);
    for (const replica of replicas) replica.freeze(false);
    await sentinels.waitForNewMaster(master.port);
    const sixth = parseStreamId(await publish(6))!;
    const third = parseStreamId(ids[2]!)!;
    expect(sixth.epoch, 'a new epoch once the lost writes were noticed').not.toBe(third.epoch);
    const numbers = (page: { entries: readonly { json: string }[] }) => page.entries.map((e) => (JSON.parse(e.json) as { metadata: { n: number } }).metadata.n);
    const fromThird = await bus.readHistory(site, third, 100);
    expect(fromThird.truncated).toBe(true);
    expect(numbers(fromThird)).toEqual([6]);
    const fromLost = await bus.readHistory(site, parseStreamId(ids[4]!)!, 100);
    expect(fromLost.truncated).toBe(true);
    expect(numbers(fromLost)).toEqual([1, 2, 3, 6]);
    await sentinels.rejoin(master);
  });

  it('a manual failover (SENTINEL FAILOVER) mid-stream: everyone follows the new master; nothing is missed silently', async () => {
    await scenario(fleet, bus, async (run) => {
      const reconnectsBefore = run.clients.map((c) => c.reconnects);
      const before = await sentinels.masterPort();
      await sentinels.failover();
      expect(await sentinels.masterPort()).not.toBe(before);
      await run.progress(50, 'messages through the new master');
      expect(run.clients.map((c) => c.reconnects)).toEqual(reconnectsBefore);
    }, { mayTruncate: true }); // Sentinel's failover is asynchronous too: what the old master took after the promotion is lost
  });
});
