// `npm run gateway`: one gateway process on Redis. SIGTERM drains (for balancers and rolling
// deploys); SIGINT (Ctrl-C) stops at once. Either way clients are closed with 1012 and exit is 0.
import { KeyStore } from '../shared/auth/key-store.ts';
import { describeTarget, RedisBus, redisTarget } from '../shared/bus/index.ts';
import { ConfigError, GatewayConfigSchema, loadConfig } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { createGateway } from './gateway.ts';

const logger = createLogger('gateway');

async function main(): Promise<void> {
  const config = loadConfig(GatewayConfigSchema);
  logger.level = config.LOG_LEVEL;
  // One Redis server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES).
  const target = redisTarget(config);
  logger.info({ redis: describeTarget(target) }, 'connecting to redis');
  const bus = new RedisBus({ ...target, prefix: config.REDIS_KEY_PREFIX, logger });
  await bus.connect();
  // API keys: API_KEYS from the environment and the key store in Redis (`licmon keys create`).
  const keyStore = await new KeyStore({ ...target, prefix: config.REDIS_KEY_PREFIX, logger }).connect();
  const gateway = await createGateway({ config, bus, logger, keyStore });

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const done = signal === 'SIGTERM' ? gateway.drain() : gateway.stop();
    void done
      .then(() => Promise.all([bus.close(), keyStore.close()]))
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'error during shutdown');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) logger.fatal(err.message);
  else logger.fatal({ err }, 'gateway failed to start');
  process.exit(1);
});
