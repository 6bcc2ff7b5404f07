// Redis Cluster failover (issue 13), with real processes: Debian's redis-server as a 3×2 cluster
// (three masters, one replica each) on loopback; three gateways behind a real HAProxy and a
// publisher, all given the cluster's nodes (REDIS_CLUSTER_NODES); SDK clients through the balancer.
// The master that holds the site under test hands over to its replica (CLUSTER FAILOVER) or is
// killed (kill -9) mid-stream: clients stay connected, everyone follows the promoted replica, and
// each client gets every number exactly once and in order — or, after a kill, HISTORY_TRUNCATED
// before anything missed. And a promoted replica that really lacks two acknowledged writes gives
// the stream a new epoch, which readers from before the loss are told of.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusKeys, RedisBus } from '../../shared/bus/index.ts';
import { failoverGatewayEnv, failoverScenarios, type Run } from '../support/failover-scenario.ts';
import { GatewayFleet } from '../support/gateway-fleet.ts';
import { lostWritesScenario } from '../support/lost-writes.ts';
import { randomPrefix } from '../support/processes.ts';
import { ReadyzWatch } from '../support/readyz-watch.ts';
import { RedisCluster } from '../support/redis-cluster.ts';

const API_KEY = `cluster-failover-${randomPrefix()}`;
const { scenario } = failoverScenarios(API_KEY);

describe('three gateways behind HAProxy on a 3×2 Redis Cluster (sharded pub/sub)', () => {
  let cluster: RedisCluster;
  let fleet: GatewayFleet;
  let bus: RedisBus;
  const keys = new BusKeys(randomPrefix());

  beforeAll(async () => {
    cluster = await RedisCluster.start({ masters: 3, replicasPerMaster: 1 });
    fleet = await GatewayFleet.start(3, { ...failoverGatewayEnv(API_KEY), REDIS_CLUSTER_NODES: cluster.addresses.join(','), REDIS_KEY_PREFIX: keys.prefix });
    bus = await new RedisBus({ clusterNodes: cluster.addresses, prefix: keys.prefix }).connect();
  }, 90_000);
  afterAll(async () => {
    await bus?.close();
    await fleet?.stop();
    await cluster?.dispose();
  });

  /** The master that holds the run's site now. */
  const masterOfSite = (run: Run) => cluster.ownerOf(keys.stream(run.publisher.site));

  it('a manual failover (CLUSTER FAILOVER) of the site\'s master mid-stream: clients stay connected and get every number exactly once, in order', async () => {
    await scenario(fleet, bus, async (run) => {
      const reconnectsBefore = run.clients.map((c) => c.reconnects);
      const master = await masterOfSite(run);
      const replica = await cluster.replicaOf(master);
      await cluster.failover(replica);
      expect((await masterOfSite(run)).port).toBe(replica.port);
      await run.progress(50, 'messages through the promoted replica');
      expect(run.clients.map((c) => c.reconnects)).toEqual(reconnectsBefore);
    }); // the master hands over only once its replica has every write it took: nothing may be lost
  });

  it('writes a promoted replica lacks: the publisher notices, the stream starts a new epoch, a reader from before them is told', async () => {
    const master = await lostWritesScenario(bus, async (site, publishLost) => {
      const owner = await cluster.ownerOf(keys.stream(site));
      const replica = await cluster.replicaOf(owner);
      await cluster.waitForReplication(owner);
      // Freeze the replica and cut its link, so that 4 and 5 are acknowledged by the master alone
      // (a frozen replica would still find them in its socket buffer when thawed), then lose the master.
      replica.freeze(true);
      await cluster.cutReplicationLinks(owner);
      await publishLost();
      await owner.stop(true);
      replica.freeze(false);
      await cluster.waitForPromotion(replica);
      return owner;
    });
    await cluster.rejoin(master);
  });

  it('kill -9 of the site\'s master mid-stream: its replica is promoted, /readyz dips and returns, clients stay connected and miss nothing silently', async () => {
    await scenario(fleet, bus, async (run) => {
      const reconnectsBefore = run.clients.map((c) => c.reconnects);
      const master = await masterOfSite(run);
      const watch = new ReadyzWatch(fleet);
      const promoted = await cluster.kill(master);
      expect((await masterOfSite(run)).port).toBe(promoted.port);
      // Every gateway lost its subscriber on that shard: not ready until it follows the promoted replica and has caught up.
      await watch.dippedAndReturned();
      await run.progress(50, 'messages through the promoted replica');
      expect(run.clients.map((c) => c.reconnects)).toEqual(reconnectsBefore);
      await cluster.rejoin(master);
    }, { mayTruncate: true }); // replication is asynchronous: what the master acknowledged last may never have reached the replica
  });
});
