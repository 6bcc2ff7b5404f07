// `npm run collector`: one collector process on Redis. Any number may run at once.
import { describeTarget, redisTarget } from '../shared/bus/index.ts';
import { CollectorConfigSchema, ConfigError, loadConfig } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { FarmConfigError } from './farm/load-farm-config.ts';
import { collectorRedisBus, startCollector } from './index.ts';

const logger = createLogger('collector');

async function main(): Promise<void> {
  const config = loadConfig(CollectorConfigSchema);
  logger.level = config.LOG_LEVEL;
  // One Redis server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES).
  const bus = await collectorRedisBus(config, logger).connect();
  const collector = await startCollector({ config, bus, logger });
  logger.info({ redis: describeTarget(redisTarget(config)), prefix: config.REDIS_KEY_PREFIX }, 'collector started');

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'collector stopping');
    await collector.stop();
    await bus.close();
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
