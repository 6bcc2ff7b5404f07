// Configuration from the environment, parsed and validated once at start-up. Each process
// takes the slice it needs; a bad variable stops the process with a message naming it.
import { z } from 'zod';
import { FILTER_LIMITS } from './protocol/actions.ts';
import { SiteNameSchema } from './protocol/fields.ts';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const list = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const common = {
  /** pino log level; logs are JSON lines on stdout. */
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** Prefix of every Redis key and channel this cluster uses (several clusters may share one Redis). */
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/).default('licmon'),
};

export const GatewayConfigSchema = z.object({
  ...common,
  /** The gateway's port: WebSockets and HTTP (0 picks a free one). */
  PORT: int(0, 65535).default(8080),
  /** The address the gateway listens on. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Redis to connect to (`rediss://` for TLS; `redis://user:password@host:port` for an ACL user). */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'),
  /**
   * A Redis Cluster instead of one server: some of its nodes, comma-separated, as `host:port` (or
   * `rediss://user:password@host:port` for TLS and credentials, which apply to every node).
   * When set, REDIS_URL is ignored.
   */
  REDIS_CLUSTER_NODES: list.pipe(z.array(z.string().regex(/^(rediss?:\/\/([^@/]*@)?)?[A-Za-z0-9.-]+:\d{1,5}$/, 'each node must be host:port or redis[s]://[user:password@]host:port'))).optional(),
  /**
   * Redis with Sentinel failover instead of one fixed server: the Sentinels, comma-separated, as
   * `host:port` (or `rediss://user:password@host:port` for the Sentinels' own TLS and credentials,
   * from the first URL). The master is asked of them by REDIS_SENTINEL_NAME; REDIS_URL's host is
   * then ignored, but its user, password and `rediss://` still apply to the master.
   */
  REDIS_SENTINELS: list.pipe(z.array(z.string().regex(/^(rediss?:\/\/([^@/]*@)?)?[A-Za-z0-9.-]+:\d{1,5}$/, 'each Sentinel must be host:port or redis[s]://[user:password@]host:port'))).optional(),
  /** The master name the Sentinels monitor (`sentinel monitor <name> …`). */
  REDIS_SENTINEL_NAME: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).default('mymaster'),
  /** API keys accepted without the Redis key store, comma-separated (the simple mode; `licmon keys` for managed keys). */
  API_KEYS: list.default([]),
  /** Close a connection after this long without a client message (spec: 5 minutes). 0 disables. */
  IDLE_TIMEOUT_MS: int(0, 86_400_000).default(300_000),
  /** Largest client frame accepted; a larger one closes the connection with 1009. */
  MAX_PAYLOAD_BYTES: int(128, 16 * 1024 * 1024).default(64 * 1024),
  /** Bytes queued for one slow client before it is disconnected (close 4001). */
  MAX_BACKPRESSURE_BYTES: int(64 * 1024, 1024 * 1024 * 1024).default(4 * 1024 * 1024),
  /** Metrics interval of a connection that configures none. */
  METRICS_DEFAULT_INTERVAL_MS: int(100, 3_600_000).default(5000),
  /** Smallest interval a client may configure. */
  METRICS_MIN_INTERVAL_MS: int(10, 3_600_000).default(100),
  /** Largest interval a client may configure. */
  METRICS_MAX_INTERVAL_MS: int(100, 86_400_000).default(3_600_000),
  /** On SIGTERM: how long /readyz says 503 (so the balancer stops sending clients) before clients are closed. */
  DRAIN_DELAY_MS: int(0, 600_000).default(2000),
  /** On SIGTERM: how long to wait for clients to go after the 1012 close before exiting anyway. */
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),
  /** Start even if uWebSockets.js could only load its slow pure-JS fallback. */
  ALLOW_UWS_FALLBACK: bool.default(false),
  /** This node's name in logs and cluster stats; random when unset. */
  NODE_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  // Security limits (README, "Security"). Each has a safe default; 0 disables the ones that say so.
  /** How long a gateway trusts a stored key's record before asking Redis again (revocation is immediate regardless). */
  KEY_CACHE_TTL_MS: int(0, 600_000).default(5000),
  /** How often live connections' keys are re-checked against Redis (catches a revocation missed while Redis was away). 0 disables. */
  KEY_RECHECK_INTERVAL_MS: int(0, 3_600_000).default(30_000),
  /** Client messages per second per connection (a token bucket); 0 disables. */
  RATE_LIMIT_PER_SEC: int(0, 1_000_000).default(50),
  /** Client messages accepted in a burst. */
  RATE_LIMIT_BURST: int(1, 1_000_000).default(100),
  /** Messages over the limit, before the budget recovers, after which the connection is closed with 1008. */
  RATE_LIMIT_MAX_VIOLATIONS: int(0, 1_000_000).default(50),
  /** Open connections per API key; 0: unlimited. */
  MAX_CONNECTIONS_PER_KEY: int(0, 10_000_000).default(10_000),
  /** Open connections per client address; 0: unlimited. */
  MAX_CONNECTIONS_PER_IP: int(0, 10_000_000).default(1000),
  /** Failed authentications per address within AUTH_FAILURE_WINDOW_MS before it is refused with 429; 0 disables. */
  AUTH_FAILURES_PER_IP: int(0, 1_000_000).default(20),
  /** The window over which AUTH_FAILURES_PER_IP is counted. */
  AUTH_FAILURE_WINDOW_MS: int(1000, 86_400_000).default(60_000),
  /** How long an address is refused (429) after too many failed authentications. */
  AUTH_BLOCK_MS: int(1000, 86_400_000).default(300_000),
  /** Browser origins allowed to connect (comma-separated; `*` any). Clients without Origin are not browsers and always allowed. */
  ALLOWED_ORIGINS: list.default(['*']),
  /** Take the client address from the last X-Forwarded-For entry (set it behind a balancer that appends one). */
  TRUST_PROXY: bool.default(false),
  /** Filter size limits (at most the protocol's hard caps). */
  FILTER_MAX_PATTERN_LENGTH: int(1, FILTER_LIMITS.maxPatternLength).default(FILTER_LIMITS.maxPatternLength),
  FILTER_MAX_SOURCES: int(1, FILTER_LIMITS.maxSources).default(FILTER_LIMITS.maxSources),
  FILTER_MAX_SITES: int(1, FILTER_LIMITS.maxSites).default(FILTER_LIMITS.maxSites),
  /** Serve wss:// directly: PEM certificate chain and private key files (both or neither). */
  TLS_CERT: z.string().min(1).optional(),
  /** The private key file for TLS_CERT. */
  TLS_KEY: z.string().min(1).optional(),
  /** The passphrase of TLS_KEY, if it has one. */
  TLS_KEY_PASSPHRASE: z.string().min(1).optional(),
});
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;

export const CollectorConfigSchema = z.object({
  ...common,
  REDIS_URL: GatewayConfigSchema.shape.REDIS_URL,
  REDIS_CLUSTER_NODES: GatewayConfigSchema.shape.REDIS_CLUSTER_NODES,
  REDIS_SENTINELS: GatewayConfigSchema.shape.REDIS_SENTINELS,
  REDIS_SENTINEL_NAME: GatewayConfigSchema.shape.REDIS_SENTINEL_NAME,
  /** Logs and alerts kept per site for replay (approximate: Redis trims whole blocks). */
  HISTORY_LENGTH: int(100, 10_000_000).default(100_000),
  /** Age of the oldest log or alert kept for replay, in ms; 0 keeps by count only. */
  HISTORY_MAX_AGE_MS: int(0, 30 * 86_400_000).default(86_400_000),
  /** Days of usage history (one point per minute per server and feature) kept on the bus; ~37 KB of Redis per feature-day and server (README, "Usage history"). */
  USAGE_HISTORY_DAYS: int(1, 366).default(7),
  /** Messages a publisher holds, in order, while Redis is unreachable; past this they are dropped and counted. */
  PUBLISH_BUFFER_MAX: int(1, 10_000_000).default(100_000),
  /**
   * Replicas that must have a batch of publishes before it counts as published (Redis `WAIT`, one
   * per batch; README, "Failover and lost writes"); 0 does not wait. One Redis or Sentinel only:
   * refused with REDIS_CLUSTER_NODES.
   */
  PUBLISH_WAIT_REPLICAS: int(0, 64).default(0),
  /** How long a batch waits for PUBLISH_WAIT_REPLICAS; then it is counted (licmon_publish_under_replicated_total), kept, and publishing goes on. */
  PUBLISH_WAIT_TIMEOUT_MS: int(1, 60_000).default(1000),
  /** Simulated events per second across the farm (logs and alerts). */
  SIM_RATE: z.coerce.number().min(0).max(100_000).default(5),
  /** Simulated sites, comma-separated. */
  SIM_SITES: list.pipe(z.array(SiteNameSchema).min(1, 'name at least one site')).default(['berlin', 'austin', 'pune']),
  /** License servers per simulated site (every third one a FlexLM triad). */
  SIM_SERVERS_PER_SITE: int(1, 100).default(3),
  /** How often each simulated license server publishes a metrics snapshot. */
  SIM_METRICS_INTERVAL_MS: int(100, 3_600_000).default(2000),
  /** Seed for the simulator's random numbers, so a run can be replayed. */
  SIM_SEED: z.coerce.number().int().optional(),
  /** The farm to watch: a YAML or JSON file (deploy/farm.example.yaml). Unset: the simulated farm. */
  FARM_CONFIG: z.string().min(1).optional(),
  /** License-server polls this collector runs at once (it shares the farm's polls with every other collector). */
  COLLECTOR_CONCURRENCY: int(1, 256).default(4),
  /**
   * A collector killed mid-poll holds its poll, and the lease on a debug log it tails, for at most
   * this long; then another collector runs the poll again, or reads on from the log's checkpoint.
   * Shorter recovers sooner; too short and a busy collector's poll may run twice.
   */
  COLLECTOR_LOCK_MS: int(1000, 600_000).default(6000),
  /**
   * Which FlexLM debug logs this collector tails: `auto` those whose `debugLogHost` (default: the
   * server's first host) is this machine, `all` every configured one it can open, `none`.
   */
  COLLECTOR_TAIL_LOGS: z.enum(['auto', 'all', 'none']).default('auto'),
  /** This machine's name for COLLECTOR_TAIL_LOGS=auto and host metrics (default: the OS hostname). */
  COLLECTOR_HOSTNAME: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/).optional(),
  /** How often this collector publishes its host's cpu/memory/disk (`host:<name>` metrics). 0 disables. */
  HOST_METRICS_INTERVAL_MS: int(0, 3_600_000).default(10_000),
  /** The site this collector's host belongs to, set on its host metrics. */
  COLLECTOR_SITE: SiteNameSchema.optional(),
  /** The collector's HTTP port: Prometheus /metrics, /healthz and /readyz (9464, as flexlm_exporter's users expect an exporter port; 0 picks a free one). */
  COLLECTOR_PORT: int(0, 65535).default(9464),
});
export type CollectorConfig = z.infer<typeof CollectorConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse `env` with `schema`; throws a ConfigError naming every bad variable and why. */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  // Empty strings mean "unset", as in most shells' `VAR= cmd`.
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(environment)');
    const got = input[name];
    const shown = got === undefined ? 'unset' : /KEY|PASSWORD|SECRET/.test(name) ? '(hidden)' : JSON.stringify(got);
    return `  ${name}=${shown}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
