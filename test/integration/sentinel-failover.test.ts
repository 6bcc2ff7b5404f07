// Redis high availability with Sentinel (issue 13), with real processes: Debian's redis-server as a
// master, two replicas and three Sentinels on loopback; three gateways behind a real HAProxy and a
// publisher, all given only the Sentinels (REDIS_SENTINELS); SDK clients through the balancer.
// The master is killed (kill -9) or hands over (SENTINEL FAILOVER) mid-stream: clients stay
// connected, the gateways' /readyz dips and comes back, everyone follows the new master, and each
// client gets every number exactly once and in order, or HISTORY_TRUNCATED before anything missed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBus } from '../../shared/bus/index.ts';
import { failoverGatewayEnv, failoverScenarios } from '../support/failover-scenario.ts';
import { GatewayFleet } from '../support/gateway-fleet.ts';
import { lostWritesScenario } from '../support/lost-writes.ts';
import { randomPrefix } from '../support/processes.ts';
import { ReadyzWatch } from '../support/readyz-watch.ts';
import { RedisSentinelSet, SENTINEL_MASTER_NAME } from '../support/redis-sentinel.ts';

const API_KEY = `sentinel-${randomPrefix()}`;
const { scenario } = failoverScenarios(API_KEY);

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
      const watch = new ReadyzWatch(fleet);
      const oldMaster = await sentinels.killMaster();
      expect(await sentinels.masterPort()).not.toBe(oldMaster.port);
      // Every gateway lost its subscriptions with the master: not ready until it follows the new one and has caught up.
      await watch.dippedAndReturned();
      await run.progress(50, 'messages through the new master');
      expect(run.clients.map((c) => c.reconnects)).toEqual(reconnectsBefore);
      await sentinels.rejoin(oldMaster);
    }, { mayTruncate: true });
  });

  it('writes a promoted replica lacks: the publisher notices, the stream starts a new epoch, a reader from before them is told', async () => {
    const master = await lostWritesScenario(bus, async (_site, publishLost) => {
      const replicas = await sentinels.replicas();
      await sentinels.waitForReplication();
      // Freeze the replicas and cut their links, so that 4 and 5 are acknowledged by the master alone
      // (a frozen replica would still find them in its socket buffer when thawed), then lose the master.
      for (const replica of replicas) replica.freeze(true);
      await sentinels.cutReplicationLinks();
      await publishLost();
      const killed = await sentinels.master();
      await killed.stop(true);
      for (const replica of replicas) replica.freeze(false);
      await sentinels.waitForNewMaster(killed.port);
      return killed;
    });
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
