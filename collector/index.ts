// The collector as a library: what `npm run collector` (main.ts) and the all-in-one
// (bin/start.ts) run, on whichever bus they hand it.
import type { Bus } from '../shared/bus/index.ts';
import type { CollectorConfig } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { Publisher } from './publisher.ts';
import { runSources } from './source-runner.ts';
import { simulatedFarmSources } from './sources/simulated-farm.ts';

export interface RunningCollector {
  readonly publisher: Publisher;
  /** Stop every source, then wait for what was already handed to the bus. The bus stays open. */
  stop(): Promise<void>;
}

export async function startCollector({ config, bus, logger }: { config: CollectorConfig; bus: Bus; logger: Logger }): Promise<RunningCollector> {
  const publisher = new Publisher(bus, logger);
  const { farm, sources } = simulatedFarmSources(config);
  const running = await runSources(sources, publisher, logger);
  logger.info(
    { sites: config.SIM_SITES, servers: farm.servers.length, rate: config.SIM_RATE, metricsIntervalMs: config.SIM_METRICS_INTERVAL_MS, seed: farm.seed },
    'simulated farm running',
  );
  return {
    publisher,
    async stop() {
      await running.stop();
      await publisher.flush();
    },
  };
}
