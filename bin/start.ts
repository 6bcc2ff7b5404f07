// `npm start`: everything in one process for a first look — the simulated farm and one gateway,
// meeting on an in-memory bus (or on Redis when REDIS_URL is set). Prints where to connect and
// an API key that works.
import { randomBytes } from 'node:crypto';
import { FarmConfigError } from '../collector/farm/load-farm-config.ts';
import { collectorRedisBus, startCollector } from '../collector/index.ts';
import { createGateway } from '../gateway/gateway.ts';
import { MemoryBus, type Bus } from '../shared/bus/index.ts';
import { CollectorConfigSchema, ConfigError, GatewayConfigSchema, loadConfig } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';

const logger = createLogger('licmon');

async function main(): Promise<void> {
  const gatewayConfig = loadConfig(GatewayConfigSchema);
  const collectorConfig = loadConfig(CollectorConfigSchema);
  logger.level = gatewayConfig.LOG_LEVEL;
  // A key of base64url characters: valid in a WebSocket sub-protocol token, so the browser form works too.
  const generatedKey = gatewayConfig.API_KEYS.length === 0 ? randomBytes(18).toString('base64url') : undefined;
  const config = generatedKey ? { ...gatewayConfig, API_KEYS: [generatedKey] } : gatewayConfig;

  const onRedis = process.env.REDIS_URL || process.env.REDIS_CLUSTER_NODES || process.env.REDIS_SENTINELS;
  const bus: Bus = onRedis ? await collectorRedisBus(collectorConfig, logger).connect() : new MemoryBus(undefined, collectorConfig.USAGE_HISTORY_DAYS * 86_400_000);
  const gateway = await createGateway({ config, bus, logger });
  const collector = await startCollector({ config: collectorConfig, bus, logger });
  const farm = collectorConfig.FARM_CONFIG ? `your farm (${collectorConfig.FARM_CONFIG})` : `a simulated license farm (${collectorConfig.SIM_SITES.join(', ')})`;
  process.stdout.write(banner(gateway.port, config.API_KEYS[0]!, generatedKey !== undefined, bus.kind, farm));

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await collector.stop();
    await gateway.stop();
    await bus.close();
    process.exit(0);
  };
  process.on('SIGINT', (s) => void shutdown(s));
  process.on('SIGTERM', (s) => void shutdown(s));
  process.on('SIGHUP', () => void collector.reload());
}

function banner(port: number, key: string, generated: boolean, busKind: Bus['kind'], farm: string): string {
  const ws = (path: string) => `ws://localhost:${port}${path}?api_key=${key}`;
  return `
License Monitor is running: one gateway and ${farm} on ${busKind === 'memory' ? 'an in-memory bus' : 'Redis'}.

  Dashboard http://localhost:${port}/   (enter the API key there once)
  API key   ${key}${generated ? '   (generated for this run; set API_KEYS to choose your own)' : ''}
  Logs      ${ws('/ws/logs')}
  Metrics   ${ws('/ws/metrics')}
  Combined  ${ws('/ws/combined')}
  Health    http://localhost:${port}/healthz

Watch the warnings and errors with the spec's Python client (pip install websockets):

python3 -c 'import asyncio, json, websockets
async def main():
    async with websockets.connect("${ws('/ws/logs')}") as ws:
        await ws.send(json.dumps({"action": "subscribe", "filter": {"level": ["warn", "error"]}}))
        async for message in ws: log = json.loads(message); print("[" + log["level"] + "] " + log["message"])
asyncio.run(main())'

Ctrl-C stops.

`;
}

main().catch((err: unknown) => {
  const badConfig = err instanceof ConfigError || err instanceof FarmConfigError;
  if (badConfig) process.stderr.write(`${err.message}\n`);
  else logger.fatal({ err }, 'failed to start');
  process.exit(badConfig ? 2 : 1);
});
