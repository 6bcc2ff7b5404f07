// A private Redis Cluster on free loopback ports, for tests: three masters by default, optionally
// with replicas, no persistence. Each node is a RedisServer started with cluster mode on;
// `redis-cli --cluster create` then splits the 16384 slots between the masters and gives each its
// replicas. With replicas the helpers below fail a master over (CLUSTER FAILOVER, or kill -9 and
// let the cluster promote its replica) and bring a killed master back as a replica.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort, redisCommand, RedisServer } from './redis-server.ts';
import { waitUntilAsync } from './wait-until.ts';

const run = promisify(execFile);

export interface RedisClusterOptions {
  readonly masters?: number;
  readonly replicasPerMaster?: number;
  /**
   * cluster-node-timeout: how long a master may not answer before it is failed. With replicas that
   * is how soon one is promoted, so short by default; without, a master gone that long takes the
   * whole cluster down (CLUSTERDOWN), so a crash-and-restart test gets room.
   */
  readonly nodeTimeoutMs?: number;
}

/** One line of CLUSTER NODES, as one node sees it. */
interface NodeView {
  readonly id: string;
  readonly port: number;
  readonly master: boolean;
  /** The node's own view says it is failed (`fail` or `fail?`). */
  readonly failing: boolean;
  /** The id of the master it replicates ('-' for a master). */
  readonly masterId: string;
  readonly myself: boolean;
}

export class RedisCluster {
  private constructor(readonly nodes: readonly RedisServer[], private readonly replicasPerMaster: number) {}

  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 0;
    const nodeTimeout = options.nodeTimeoutMs ?? (replicas > 0 ? 2000 : 5000);
    const size = masters * (1 + replicas);
    // Each node also listens on a cluster-bus port (default: port + 10000, which may be taken).
    const ports = await Promise.all(Array.from({ length: 2 * size }, () => freePort()));
    const nodes = Array.from({ length: size }, (_, i) => new RedisServer(ports[2 * i]!, [
      '--cluster-enabled', 'yes', '--cluster-port', String(ports[2 * i + 1]), '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeout),
      // A master waits 5 s by default for more replicas before it sends its data to one.
      '--repl-diskless-sync-delay', '0',
    ]));
    const cluster = new RedisCluster(nodes, replicas);
    try {
      await Promise.all(nodes.map((node) => node.start()));
      await run('redis-cli', ['--cluster', 'create', ...cluster.addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 30_000 });
      await waitUntilAsync(() => cluster.whole(), 'the Redis Cluster to be healthy with every replica in sync', 30_000);
    } catch (err) {
      await cluster.dispose();
      throw err;
    }
    return cluster;
  }

  /** `host:port` of every node: the value of REDIS_CLUSTER_NODES. */
  get addresses(): string[] {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`);
  }

  /** The master that serves `key`'s slot now. */
  async ownerOf(key: string): Promise<RedisServer> {
    const node = this.nodes.find((n) => n.running)!;
    const slot = Number(await redisCommand(node.port, ['CLUSTER', 'KEYSLOT', key]));
    const ranges = (await redisCommand(node.port, ['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number]]>;
    const port = ranges.find(([first, last]) => slot >= first && slot <= last)![2][1];
    return this.byPort(port);
  }

  /** The (running) replica of `master`. */
  async replicaOf(master: RedisServer): Promise<RedisServer> {
    const views = await this.viewOf(master.port);
    const id = views.find((v) => v.myself)!.id;
    const replica = views.find((v) => v.masterId === id && !v.failing && this.byPort(v.port).running);
    if (!replica) throw new Error(`127.0.0.1:${master.port} has no replica`);
    return this.byPort(replica.port);
  }

  /**
   * A manual failover: `replica` asks its master to hand over (the master stops taking writes
   * until the replica has all of them, then the replica takes its slots). Resolves once every node
   * agrees that it is a master and the cluster is ok.
   */
  async failover(replica: RedisServer): Promise<void> {
    await redisCommand(replica.port, ['CLUSTER', 'FAILOVER']);
    await this.waitForPromotion(replica);
  }

  /** kill -9 `master`; resolves with its replica once the cluster has promoted that in its place. */
  async kill(master: RedisServer): Promise<RedisServer> {
    const replica = await this.replicaOf(master);
    await master.stop(true);
    await this.waitForPromotion(replica);
    return replica;
  }

  /**
   * Start a killed node again on its port. It keeps its identity (nodes.conf) and learns that its
   * slots moved on: it becomes a replica of the master that took them. Resolves once the cluster
   * is whole again.
   */
  async rejoin(node: RedisServer): Promise<void> {
    await node.start();
    await waitUntilAsync(() => this.whole(), `127.0.0.1:${node.port} to rejoin as a replica in sync`, 30_000);
  }

  /** Resolve once the replica of `master` has every write the master took so far. */
  async waitForReplication(master: RedisServer): Promise<void> {
    const acked = Number(await redisCommand(master.port, ['WAIT', String(this.replicasPerMaster), '10000']));
    if (acked < this.replicasPerMaster) throw new Error(`only ${acked} of ${this.replicasPerMaster} replicas acknowledged the writes of 127.0.0.1:${master.port}`);
  }

  /** Close `master`'s connections to its replicas (they reconnect by themselves, unless frozen). */
  async cutReplicationLinks(master: RedisServer): Promise<void> {
    await redisCommand(master.port, ['CLIENT', 'KILL', 'TYPE', 'replica']);
  }

  /** Resolve once `replica` is a master in every running node's view and the cluster is ok. */
  async waitForPromotion(replica: RedisServer): Promise<void> {
    await waitUntilAsync(async () => {
      if (!(await this.healthy())) return false;
      const views = await Promise.all(this.running().map((node) => this.viewOf(node.port)));
      return views.every((view) => view.some((v) => v.port === replica.port && v.master && !v.failing));
    }, `127.0.0.1:${replica.port} to be promoted`, 30_000);
  }

  /** Every running node says `cluster_state:ok`. */
  private async healthy(): Promise<boolean> {
    const states = await Promise.all(this.running().map((node) => redisCommand(node.port, ['CLUSTER', 'INFO'])));
    return states.every((info) => String(info).includes('cluster_state:ok'));
  }

  /**
   * Every node runs, says `cluster_state:ok` and sees each master with all its replicas, and each
   * master has them all in sync (INFO replication).
   */
  private async whole(): Promise<boolean> {
    if (this.running().length < this.nodes.length || !(await this.healthy())) return false;
    const masters = this.nodes.length / (1 + this.replicasPerMaster);
    const views = await Promise.all(this.nodes.map((node) => this.viewOf(node.port)));
    const agreed = views.every((view) => {
      const live = view.filter((v) => !v.failing);
      const ids = live.filter((v) => v.master).map((v) => v.id);
      return ids.length === masters && ids.every((id) => live.filter((v) => v.masterId === id).length === this.replicasPerMaster);
    });
    if (!agreed) return false;
    const infos = await Promise.all(this.nodes.map((node) => redisCommand(node.port, ['INFO', 'replication'])));
    const inSync = infos.reduce<number>((sum, info) => sum + (String(info).match(/^slave\d+:.*state=online/gm) ?? []).length, 0);
    return inSync === masters * this.replicasPerMaster;
  }

  private async viewOf(port: number): Promise<NodeView[]> {
    const text = String(await redisCommand(port, ['CLUSTER', 'NODES']));
    return text.trim().split('\n').map((line) => {
      const [id, address, flags, masterId] = line.split(' ') as [string, string, string, string];
      const flagList = flags.split(',');
      return {
        id,
        port: Number(address.slice(address.lastIndexOf(':') + 1, address.indexOf('@'))),
        master: flagList.includes('master'),
        failing: flagList.includes('fail') || flagList.includes('fail?'),
        masterId,
        myself: flagList.includes('myself'),
      };
    });
  }

  private running(): RedisServer[] {
    return this.nodes.filter((node) => node.running);
  }

  private byPort(port: number): RedisServer {
    return this.nodes.find((node) => node.port === port)!;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.dispose()));
  }
}
