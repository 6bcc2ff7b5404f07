// A private 3-node Redis Cluster on free loopback ports, for tests: three masters, no replicas,
// no persistence. Each node is a RedisServer started with cluster mode on; `redis-cli --cluster
// create` then splits the 16384 slots between them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, RedisServer } from './redis-server.ts';

const run = promisify(execFile);

export class RedisCluster {
  private constructor(readonly nodes: readonly RedisServer[]) {}

  static async start(size = 3): Promise<RedisCluster> {
    // Each node also listens on a cluster-bus port (default: port + 10000, which may be taken).
    const ports = await Promise.all(Array.from({ length: 2 * size }, () => freePort()));
    const nodes = Array.from({ length: size }, (_, i) => new RedisServer(ports[2 * i]!, [
      '--cluster-enabled', 'yes', '--cluster-port', String(ports[2 * i + 1]), '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000',
    ]));
    const cluster = new RedisCluster(nodes);
    try {
      await Promise.all(nodes.map((node) => node.start()));
      const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
      await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
      await cluster.waitUntilHealthy();
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

  /** The node that serves `key`'s slot. */
  async ownerOf(key: string): Promise<RedisServer> {
    const redis = new Redis(this.nodes[0]!.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', key));
      const ranges = (await redis.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
      const port = ranges.find(([first, last]) => slot >= first && slot <= last)![2][1];
      return this.nodes.find((node) => node.port === port)!;
    } finally {
      redis.disconnect();
    }
  }

  /** Resolve once every node reports `cluster_state:ok` (slots assigned and agreed on). */
  private async waitUntilHealthy(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(this.nodes.map(async (node) => {
        const redis = new Redis(node.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
        try {
          await redis.connect();
          return String(await redis.call('CLUSTER', 'INFO'));
        } finally {
          redis.disconnect();
        }
      }));
      if (states.every((info) => info.includes('cluster_state:ok'))) return;
      if (Date.now() > deadline) throw new Error(`the Redis Cluster did not become healthy:\n${states.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.dispose()));
  }
}
