// Where Redis is and how to connect to it: one server (REDIS_URL) or a Redis Cluster
// (REDIS_CLUSTER_NODES). Everything that talks to Redis (the bus, the key store) connects through
// here, so both modes get the same reconnect policy and the rest of the code sees one client type.
import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';

export type RedisTarget = { readonly url: string } | { readonly clusterNodes: readonly string[] };

/** A connected client: ioredis's Redis and Cluster share every command method. */
export type RedisClient = Redis | Cluster;

export function isClusterTarget(target: RedisTarget): target is { readonly clusterNodes: readonly string[] } {
  return 'clusterNodes' in target;
}

/** The target the configuration names: the cluster when REDIS_CLUSTER_NODES is set (REDIS_URL is then ignored). */
export function redisTarget(config: { REDIS_URL: string; REDIS_CLUSTER_NODES?: readonly string[] | undefined }): RedisTarget {
  return config.REDIS_CLUSTER_NODES?.length ? { clusterNodes: config.REDIS_CLUSTER_NODES } : { url: config.REDIS_URL };
}

/** For logs: where Redis is, without credentials. */
export function describeTarget(target: RedisTarget): string {
  const redact = (url: string) => url.replace(/\/\/([^@/]*)@/, '//[REDACTED]@');
  return isClusterTarget(target) ? `cluster ${target.clusterNodes.map(redact).join(',')}` : redact(target.url);
}

/**
 * Reconnect delay: 100 ms doubling to 2 s, plus jitter so that a fleet of gateways does not
 * reconnect in lockstep when Redis comes back.
 */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 6), 2000) + Math.floor(Math.random() * 100);
}

export interface RedisClientOptions {
  /** How often a command is retried over reconnects before it fails; null: never fails, waits for Redis. */
  maxRetriesPerRequest: number | null;
  /** Batch commands issued in one event-loop turn into one round trip. */
  autoPipelining?: boolean;
  /** Cluster only: SSUBSCRIBE through one subscriber connection per shard (sharded pub/sub). */
  shardedSubscribers?: boolean;
}

/** A new client for `target`, not yet connected (call `connect()`). */
export function createRedisClient(target: RedisTarget, options: RedisClientOptions): RedisClient {
  const common = {
    lazyConnect: true,
    enableAutoPipelining: options.autoPipelining ?? false,
    // ioredis would batch an SSUBSCRIBE with other commands bound for the same node in one pipeline,
    // written to one connection: either the SSUBSCRIBE lands on the node's command connection
    // (which then refuses every later command: "Connection in subscriber mode") or the commands
    // land on the shard's subscriber connection. Seen on a 3-node cluster, about one run in ten.
    autoPipeliningIgnoredCommands: ['ssubscribe', 'sunsubscribe'],
  };
  if (!isClusterTarget(target)) {
    return new Redis(target.url, { ...common, retryStrategy: reconnectDelay, maxRetriesPerRequest: options.maxRetriesPerRequest });
  }
  const { nodes, credentials } = parseClusterNodes(target.clusterNodes);
  return new Cluster(nodes, {
    ...common,
    shardedSubscribers: options.shardedSubscribers ?? false,
    clusterRetryStrategy: reconnectDelay,
    maxRedirections: options.maxRetriesPerRequest === null ? 10_000 : 16,
    redisOptions: { ...credentials, maxRetriesPerRequest: options.maxRetriesPerRequest },
  });
}

/**
 * REDIS_CLUSTER_NODES entries are `host:port`, or URLs (`rediss://user:password@host:port`) when
 * the cluster needs TLS or credentials; the first URL's user, password and scheme apply to every
 * node (ioredis learns the other nodes from the cluster itself).
 */
function parseClusterNodes(entries: readonly string[]): { nodes: ClusterNode[]; credentials: RedisOptions } {
  let credentials: RedisOptions | undefined;
  const nodes = entries.map((entry): ClusterNode => {
    if (!/^rediss?:\/\//.test(entry)) {
      const colon = entry.lastIndexOf(':');
      return { host: entry.slice(0, colon), port: Number(entry.slice(colon + 1)) };
    }
    const url = new URL(entry);
    credentials ??= {
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    };
    return { host: url.hostname, port: Number(url.port || 6379) };
  });
  return { nodes, credentials: credentials ?? {} };
}
