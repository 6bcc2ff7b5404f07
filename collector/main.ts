// `npm run collector`: one collector process on Redis. Any number may run at once.
import { describeTarget, redisTarget } from '../shared/bus/index.ts';
import { CollectorConfigSchema, ConfigError, loadConfig } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { FarmConfigError } from './farm/load-farm-config.ts';
import { collectorRedisBus, startCollector, type RunningCollector } from './index.ts';
import { CollectorMetrics } from './prometheus/collector-metrics.ts';
import { startCollectorHttp } from './prometheus/http-server.ts';

const logger = createLogger('collector');

async function main(): Promise<void> {
  const config = loadConfig(CollectorConfigSchema);
  logger.level = config.LOG_LEVEL;
  // The HTTP port first: /healthz answers while Redis is still being reached, /readyz says why not ready.
  const metrics = new CollectorMetrics();
  const bus = collectorRedisBus(config, logger);
  const running: { collector?: RunningCollector } = {};
  const http = await startCollectorHttp(config.COLLECTOR_PORT, {
    notReady: () => (!running.collector ? 'the farm is not loaded yet' : !bus.ready ? 'Redis is unreachable' : undefined),
    prometheus: () => metrics.render(),
  });
  logger.info({ port: http.port }, 'collector http listening');
  // One Redis server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES).
  await bus.connect();
  const collector = (running.collector = await startCollector({ config, bus, logger, metrics }));
  logger.info({ redis: describeTarget(redisTarget(config)), prefix: config.REDIS_KEY_PREFIX }, 'collector started');

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'collector stopping');
    await collector.stop();
    await bus.close();
    await http.close();
    logger.info({ stats: collector.publisher.stats }, 'collector stopped');
    process.exit(0);
  };
  process.on('SIGTERM', (s) => void shutdown(s));
  process.on('SIGINT', (s) => void shutdown(s));
  // Edit FARM_CONFIG, then `kill -HUP <pid>`: the farm is reloaded and rescheduled, no restart.
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading the farm configuration');
    void collector.reload();
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof FarmConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  logger.fatal({ err }, 'collector failed to start');
  process.exit(1);
});
