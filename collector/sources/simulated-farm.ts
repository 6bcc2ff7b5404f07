// The simulator as sources: a streaming source for the farm's license events (SIM_RATE per
// second) and a polled source for its metrics snapshots (every SIM_METRICS_INTERVAL_MS), both
// over one SimulatedFarm so snapshots reflect the checkouts the events reported.
import type { CollectorConfig } from '../../shared/config.ts';
import { SimulatedFarm } from '../sim/farm.ts';
import type { Emit, PolledSource, StreamingSource } from './source.ts';

type SimulatorConfig = Pick<CollectorConfig, 'SIM_SITES' | 'SIM_SERVERS_PER_SITE' | 'SIM_RATE' | 'SIM_METRICS_INTERVAL_MS' | 'SIM_SEED'>;

export function simulatedFarmSources(config: SimulatorConfig): { farm: SimulatedFarm; sources: [StreamingSource, PolledSource] } {
  const farm = new SimulatedFarm({ sites: config.SIM_SITES, serversPerSite: config.SIM_SERVERS_PER_SITE, seed: config.SIM_SEED });
  return { farm, sources: [farmEvents(farm, config.SIM_RATE), farmMetrics(farm, config.SIM_METRICS_INTERVAL_MS)] };
}

function farmEvents(farm: SimulatedFarm, perSecond: number): StreamingSource {
  // Ticks of 10-100 ms: often enough for a smooth stream, rarely enough to stay cheap. Each tick
  // runs the steps owed since the last one, so the rate holds however late a timer fires.
  const tickMs = perSecond > 0 ? Math.min(100, Math.max(10, 1000 / perSecond)) : 0;
  let timer: NodeJS.Timeout | undefined;
  return {
    kind: 'streaming',
    name: 'simulated-farm:events',
    async start(emit: Emit) {
      if (perSecond <= 0) return;
      let owed = 0;
      let last = Date.now();
      timer = setInterval(() => {
        const now = Date.now();
        // Cap the debt at one second so a stalled event loop does not end in a burst.
        owed = Math.min(owed + ((now - last) / 1000) * perSecond, Math.max(perSecond, 1));
        last = now;
        for (; owed >= 1; owed--) for (const message of farm.step()) emit(message);
      }, tickMs);
    },
    async stop() {
      clearInterval(timer);
    },
  };
}

function farmMetrics(farm: SimulatedFarm, intervalMs: number): PolledSource {
  return {
    kind: 'polled',
    name: 'simulated-farm:metrics',
    intervalMs,
    async poll() {
      return farm.snapshot();
    },
  };
}
