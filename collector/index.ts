// The collector as a library: what `npm run collector` (main.ts) and the all-in-one
// (bin/start.ts) run, on whichever bus they hand it.
//
// - FARM_CONFIG set, on Redis: a real farm, its polls shared with every other collector through
//   BullMQ, alert state in Redis, notifications queued in BullMQ.
// - FARM_CONFIG set, on the memory bus (all-in-one without Redis): the same farm polled on this
//   process's timers, alert state in memory, no notifications (they need Redis).
// - FARM_CONFIG unset: the simulated farm, through the same sources, on this process's timers.
import { hostname } from 'node:os';
import { createRedisClient, RedisBus, redisTarget, type Bus } from '../shared/bus/index.ts';
import type { CollectorConfig } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { AlertEngine } from './alerts/alert-engine.ts';
import { MemoryAlertState } from './alerts/alert-state.ts';
import { RedisAlertState } from './alerts/alert-state-redis.ts';
import { CollectorKeys } from './collector-keys.ts';
import { FarmRuntime } from './farm-runtime.ts';
import type { FarmConfig, LicenseServerConfig } from './farm/farm-config.ts';
import { loadFarmConfig } from './farm/load-farm-config.ts';
import { Notifier } from './notify/notifier.ts';
import type { CollectorMetrics } from './prometheus/collector-metrics.ts';
import { UsageRecorder } from './history/usage-recorder.ts';
import { Publisher } from './publisher.ts';
import { publishWait } from './publish-wait.ts';
import { BullScheduler } from './scheduling/bull-scheduler.ts';
import { LocalScheduler } from './scheduling/local-scheduler.ts';
import type { PollScheduler, PublishFn } from './scheduling/poll-scheduler.ts';
import { StreamingRunner } from './scheduling/streaming-runner.ts';
import { hostMetricsSource } from './sources/host-metrics-source.ts';
import { tailedFile, type LineFeed } from './sources/line-feed.ts';
import { simulatedFarm } from './sources/simulated-farm.ts';
import type { PolledSource, StreamingSource } from './sources/source.ts';
import { execToolRunner, type ToolRunner } from './tools/tool-runner.ts';

export interface RunningCollector {
  readonly publisher: Publisher;
  /** Read FARM_CONFIG again and reschedule (SIGHUP); a bad file is logged and the old one kept. */
  reload(): Promise<void>;
  /** Stop every source, then wait for what was already handed to the bus. The bus stays open. */
  stop(): Promise<void>;
}

interface FarmSetup {
  readonly farm: FarmConfig;
  readonly tools: ToolRunner;
  readonly logFeed: (server: LicenseServerConfig) => LineFeed | undefined;
  /** Polled on this process's timers whatever the farm's scheduler: about this host. */
  readonly hostSources: PolledSource[];
  readonly extraStreams: StreamingSource[];
  readonly simulated: boolean;
  /** The simulator's seed, logged so a run can be replayed (SIM_SEED). */
  readonly seed?: number;
}

/**
 * The Redis bus a collector publishes on, as `config` sets it up: one server or a cluster, with
 * its history, publish-buffer and replica-wait settings. main.ts and the all-in-one on Redis both use it, so
 * neither drifts from the other. Not yet connected.
 */
export function collectorRedisBus(config: CollectorConfig, logger: Logger): RedisBus {
  return new RedisBus({
    ...redisTarget(config),
    prefix: config.REDIS_KEY_PREFIX,
    historyLength: config.HISTORY_LENGTH,
    historyMaxAgeMs: config.HISTORY_MAX_AGE_MS,
    maxBuffered: config.PUBLISH_BUFFER_MAX,
    waitReplicas: publishWait(config),
    usageRetentionMs: config.USAGE_HISTORY_DAYS * 86_400_000,
    logger,
  });
}

export interface CollectorDeps {
  readonly config: CollectorConfig;
  readonly bus: Bus;
  readonly logger: Logger;
  /** Prometheus metrics (main.ts serves them on COLLECTOR_PORT); told of polls, denials, publishes. */
  readonly metrics?: CollectorMetrics;
}

export async function startCollector({ config, bus, logger, metrics }: CollectorDeps): Promise<RunningCollector> {
  const setup = config.FARM_CONFIG ? await realFarm(config, logger) : simulated(config);
  const distributed = bus.kind === 'redis' && !setup.simulated;
  const keys = new CollectorKeys(config.REDIS_KEY_PREFIX);
  // The same Redis as the bus: one server (REDIS_URL) or the cluster (REDIS_CLUSTER_NODES).
  const target = redisTarget(config);
  const redis = distributed ? createRedisClient(target, { maxRetriesPerRequest: 20 }) : undefined;
  redis?.on('error', (err: Error) => logger.warn({ err }, 'alert state redis error'));
  const notifier = distributed ? new Notifier({ redis: target, prefix: keys.queuePrefix(), logger }) : undefined;
  const usage = new UsageRecorder(bus.usage, logger);
  const publisher = new Publisher(bus, logger, {
    onPublish: (m) => {
      if (m.type === 'alert') notifier?.notify(m);
      void usage.observe(m);
    },
  });
  const publish: PublishFn = (message, origin, producer) => void publisher.publish(message, origin, producer);

  const polls: PollScheduler = distributed
    ? new BullScheduler({ redis: target, prefix: keys.queuePrefix(), concurrency: config.COLLECTOR_CONCURRENCY, lockMs: config.COLLECTOR_LOCK_MS, publish, logger })
    : new LocalScheduler(publish, logger);
  const hosts = new LocalScheduler(publish, logger);
  const streams = new StreamingRunner(publish, logger);
  const runtime = new FarmRuntime({
    polls,
    streams,
    alerts: new AlertEngine(redis ? new RedisAlertState(redis, keys) : new MemoryAlertState()),
    tools: setup.tools,
    latestMetrics: () => bus.latestMetrics(),
    logFeed: setup.logFeed,
    // A real farm's debug logs keep their reading position in the bus, leased to one collector.
    ...(!setup.simulated && { inputs: bus, leaseMs: config.COLLECTOR_LOCK_MS }),
    publish,
    logger,
    observer: metrics,
  });
  metrics?.attach({ publisher, unparsed: runtime.unparsed });

  const apply = async (farm: FarmConfig) => {
    await runtime.apply(farm, setup.extraStreams);
    if (notifier) notifier.configure(farm.notifications);
    else if (farm.notifications.webhooks.length > 0 || farm.notifications.email) logger.warn('notifications are configured but need Redis (REDIS_URL or REDIS_CLUSTER_NODES): not sent');
  };
  await apply(setup.farm);
  await hosts.schedule(setup.hostSources);
  logger.info(
    { farm: setup.simulated ? 'simulated' : config.FARM_CONFIG, sites: setup.farm.sites, servers: setup.farm.servers.length, scheduler: distributed ? 'bullmq' : 'local', seed: setup.seed, notifications: notifier?.channelNames ?? [] },
    'farm watched',
  );

  return {
    publisher,
    async reload() {
      if (!config.FARM_CONFIG) return void logger.info('SIGHUP: the simulated farm has no configuration to reload');
      try {
        const farm = await loadFarmConfig(config.FARM_CONFIG);
        await apply(farm);
        logger.info({ farm: config.FARM_CONFIG, servers: farm.servers.length }, 'farm configuration reloaded');
      } catch (err) {
        logger.error({ err }, 'farm configuration not reloaded; the previous one stays');
      }
    },
    async stop() {
      await Promise.all([polls.stop(), hosts.stop(), streams.stop()]);
      await notifier?.close();
      await publisher.flush();
      redis?.disconnect();
    },
  };
}

async function realFarm(config: CollectorConfig, logger: Logger): Promise<FarmSetup> {
  const farm = await loadFarmConfig(config.FARM_CONFIG!);
  const host = config.COLLECTOR_HOSTNAME ?? hostname();
  const tails = (server: LicenseServerConfig) =>
    server.debugLog !== undefined && (config.COLLECTOR_TAIL_LOGS === 'all' || (config.COLLECTOR_TAIL_LOGS === 'auto' && sameHost(server.debugLogHost!, host)));
  return {
    farm,
    tools: execToolRunner,
    logFeed: (server) => (tails(server) ? tailedFile(server.debugLog!, logger) : undefined),
    hostSources: config.HOST_METRICS_INTERVAL_MS > 0 ? [hostMetricsSource(host, config.HOST_METRICS_INTERVAL_MS, config.COLLECTOR_SITE)] : [],
    extraStreams: [],
    simulated: false,
  };
}

function simulated(config: CollectorConfig): FarmSetup {
  const sim = simulatedFarm(config);
  return { farm: sim.config, tools: sim.tools, logFeed: sim.logFeed, hostSources: [sim.hosts], extraStreams: [sim.clock], simulated: true, seed: sim.farm.seed };
}

/** Host names compare without case, and a short name matches its fully qualified form (`lic-01` ~ `lic-01.example.com`). */
function sameHost(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x === y || x.split('.')[0] === y.split('.')[0];
}
