// Where Redis is and how to connect to it: one server (REDIS_URL), one server whose master the
// Sentinels name (REDIS_SENTINELS: it follows a failover), or a Redis Cluster (REDIS_CLUSTER_NODES).
// Everything that talks to Redis (the bus, the key store, BullMQ, the notifier) connects through
// here, so every mode gets the same reconnect policy and the rest of the code sees one client type.
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisTarget =
  | { readonly url: string }
  | { readonly clusterNodes: readonly string[] }
  /** `url` gives the master's credentials and TLS (its host is ignored); `sentinels` where to ask for it. */
  | { readonly sentinels: readonly string[]; readonly sentinelName: string; readonly url: string };

/** A connected client: ioredis's Redis and Cluster share every command method. */
export type RedisClient = Redis | Cluster;

export function isClusterTarget(target: RedisTarget): target is { readonly clusterNodes: readonly string[] } {
  return 'clusterNodes' in target;
}

export function isSentinelTarget(target: RedisTarget): target is { readonly sentinels: readonly string[]; readonly sentinelName: string; readonly url: string } {
  return 'sentinels' in target;
}

export interface RedisLocationConfig {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: readonly string[] | undefined;
  REDIS_SENTINELS?: readonly string[] | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
}

/**
 * The target the configuration names: the cluster when REDIS_CLUSTER_NODES is set, else the
 * Sentinels' master when REDIS_SENTINELS is set, else REDIS_URL. Naming both a cluster and
 * Sentinels is a mistake (a cluster fails over by itself), so it is refused rather than guessed.
 */
export function redisTarget(config: RedisLocationConfig): RedisTarget {
  const cluster = config.REDIS_CLUSTER_NODES?.length ? config.REDIS_CLUSTER_NODES : undefined;
  const sentinels = config.REDIS_SENTINELS?.length ? config.REDIS_SENTINELS : undefined;
  if (cluster && sentinels) throw new Error('REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set: a Redis Cluster fails over by itself, set one of them');
  if (cluster) return { clusterNodes: cluster };
  if (sentinels) return { sentinels, sentinelName: config.REDIS_SENTINEL_NAME ?? 'mymaster', url: config.REDIS_URL };
  return { url: config.REDIS_URL };
}

/** For logs: where Redis is, without credentials. */
export function describeTarget(target: RedisTarget): string {
  const redact = (url: string) => url.replace(/\/\/([^@/]*)@/, '//[REDACTED]@');
  if (isClusterTarget(target)) return `cluster ${target.clusterNodes.map(redact).join(',')}`;
  if (isSentinelTarget(target)) return `sentinel master "${target.sentinelName}" via ${target.sentinels.map(redact).join(',')}`;
  return redact(target.url);
}

/**
 * Reconnect delay: 100 ms doubling to 2 s, plus jitter so that a fleet of gateways does not
 * reconnect in lockstep when Redis comes back.
 */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 6), 2000) + Math.floor(Math.random() * 100);
}

/** How often a cluster client with shard subscribers re-reads the slot map (see createRedisClient). */
const SLOTS_REFRESH_MS = 5000;

export interface RedisClientOptions {
  /** How often a command is retried over reconnects before it fails; null: never fails, waits for Redis. */
  maxRetriesPerRequest: number | null;
  /** Batch commands issued in one event-loop turn into one round trip. */
  autoPipelining?: boolean;
  /** Cluster only: SSUBSCRIBE through one subscriber connection per shard (sharded pub/sub). */
  shardedSubscribers?: boolean;
}

/**
 * A server that answers READONLY was a master and is now a replica (a failover demoted it while a
 * connection still pointed at it): reconnect, which asks the Sentinels for the master again, and
 * re-send the command there (2) instead of failing it.
 */
function reconnectOnReadonly(err: Error): 2 | false {
  return err.message.startsWith('READONLY') ? 2 : false;
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
  if (isSentinelTarget(target)) {
    const sentinels = parseNodes(target.sentinels, 26379);
    const sentinelCredentials = sentinels.credentials;
    const master = credentialsOf(new URL(target.url));
    return new Redis({
      ...common,
      ...master,
      // ioredis takes `tls` for the master only when this is set; the Sentinels have their own.
      ...(master.tls ? { enableTLSForSentinelMode: true } : {}),
      sentinels: sentinels.nodes,
      name: target.sentinelName,
      role: 'master',
      ...(sentinelCredentials.username ? { sentinelUsername: sentinelCredentials.username } : {}),
      ...(sentinelCredentials.password ? { sentinelPassword: sentinelCredentials.password } : {}),
      ...(sentinelCredentials.tls ? { sentinelTLS: {} } : {}),
      // Listen to the Sentinels' +switch-master: on a promotion the client moves at once, without
      // waiting for the old master's connection to time out (a master that is partitioned away
      // rather than dead never closes it).
      failoverDetector: true,
      sentinelRetryStrategy: reconnectDelay,
      retryStrategy: reconnectDelay,
      reconnectOnError: reconnectOnReadonly,
      maxRetriesPerRequest: options.maxRetriesPerRequest,
    });
  }
  if (!isClusterTarget(target)) {
    return new Redis(target.url, { ...common, retryStrategy: reconnectDelay, reconnectOnError: reconnectOnReadonly, maxRetriesPerRequest: options.maxRetriesPerRequest });
  }
  const { nodes, credentials } = parseNodes(target.clusterNodes, 6379);
  return new Cluster(nodes, {
    ...common,
    shardedSubscribers: options.shardedSubscribers ?? false,
    // A subscriber must notice when its shard's master changes even if nothing tells it: a master
    // partitioned away (not dead) keeps the connection open while the cluster promotes its replica,
    // and hears nothing published there. Re-reading the slot map (one short-lived connection each
    // time) finds the new master, and ioredis moves the shard's subscriptions there.
    ...(options.shardedSubscribers ? { slotsRefreshInterval: SLOTS_REFRESH_MS } : {}),
    clusterRetryStrategy: reconnectDelay,
    maxRedirections: options.maxRetriesPerRequest === null ? 10_000 : 16,
    redisOptions: { ...credentials, reconnectOnError: reconnectOnReadonly, maxRetriesPerRequest: options.maxRetriesPerRequest },
  });
}

/**
 * REDIS_CLUSTER_NODES and REDIS_SENTINELS entries are `host:port`, or URLs
 * (`rediss://user:password@host:port`) when the nodes need TLS or credentials; the first URL's user,
 * password and scheme apply to every node (ioredis learns the other nodes from the nodes themselves).
 */
function parseNodes(entries: readonly string[], defaultPort: number): { nodes: { host: string; port: number }[]; credentials: RedisOptions } {
  let credentials: RedisOptions | undefined;
  const nodes = entries.map((entry) => {
    if (!/^rediss?:\/\//.test(entry)) {
      const colon = entry.lastIndexOf(':');
      return { host: entry.slice(0, colon), port: Number(entry.slice(colon + 1)) };
    }
    const url = new URL(entry);
    credentials ??= credentialsOf(url);
    return { host: url.hostname, port: Number(url.port || defaultPort) };
  });
  return { nodes, credentials: credentials ?? {} };
}

/** The user, password and TLS a `redis[s]://` URL carries. */
function credentialsOf(url: URL): RedisOptions {
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
