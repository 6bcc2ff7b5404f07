// The simulator as a farm: a generated farm configuration (SIM_SITES × SIM_SERVERS_PER_SITE
// FlexLM servers, polled every SIM_METRICS_INTERVAL_MS), an in-process lmutil, and debug logs
// written in-process — all read by the same sources, parsers and alert rules as a real farm.
// Besides those, two sources of its own: its clock (SIM_RATE happenings per second, each written
// to its server's debug log) and its hosts' cpu/memory/disk (`host:<name>` metrics).
import type { CollectorConfig } from '../../shared/config.ts';
import type { MetricsMessage } from '../../shared/protocol/index.ts';
import { FarmFileSchema, normalizeFarm, type FarmConfig } from '../farm/farm-config.ts';
import { SimulatedFarm } from '../sim/farm.ts';
import type { HostState } from '../sim/farm-layout.ts';
import { simulatedTools } from '../sim/simulated-tools.ts';
import type { ToolRunner } from '../tools/tool-runner.ts';
import type { LineFeed } from './line-feed.ts';
import type { PolledSource, StreamingSource } from './source.ts';

type SimulatorConfig = Pick<CollectorConfig, 'SIM_SITES' | 'SIM_SERVERS_PER_SITE' | 'SIM_RATE' | 'SIM_METRICS_INTERVAL_MS' | 'SIM_SEED'>;

export interface SimulatedFarmSetup {
  readonly farm: SimulatedFarm;
  readonly config: FarmConfig;
  readonly tools: ToolRunner;
  /** Every simulated server has a debug log, written in-process. */
  readonly logFeed: (server: { id: string }) => LineFeed | undefined;
  /** The simulator's clock: start it after the debug-log sources, so no line is written unheard. */
  readonly clock: StreamingSource;
  readonly hosts: PolledSource;
}

export function simulatedFarm(options: SimulatorConfig): SimulatedFarmSetup {
  const farm = new SimulatedFarm({ sites: options.SIM_SITES, serversPerSite: options.SIM_SERVERS_PER_SITE, seed: options.SIM_SEED });
  const feeds = new Map(farm.servers.map((s) => [s.id, new SimulatedLog()]));
  return {
    farm,
    config: farmConfigOf(farm, options.SIM_METRICS_INTERVAL_MS),
    tools: simulatedTools(farm),
    logFeed: (server) => feeds.get(server.id),
    clock: farmClock(farm, options.SIM_RATE, feeds),
    hosts: hostMetrics(farm, options.SIM_METRICS_INTERVAL_MS),
  };
}

/** The farm as a configuration file would describe it, validated by the same schema. */
function farmConfigOf(farm: SimulatedFarm, intervalMs: number): FarmConfig {
  const sites = Object.fromEntries(
    farm.sites.map((site) => [
      site.name,
      {
        timezone: 'UTC',
        servers: site.servers.map((s) => ({ id: s.id, kind: 'flexlm', address: s.hosts.map((h) => `${s.port}@${h}`).join(','), debugLog: `simulated:${s.id}` })),
      },
    ]),
  );
  return normalizeFarm(FarmFileSchema.parse({ defaults: { pollInterval: intervalMs, timeout: intervalMs }, rollupInterval: intervalMs, sites }));
}

class SimulatedLog implements LineFeed {
  private onLine: ((line: string) => void) | undefined;

  write(line: string): void {
    this.onLine?.(line);
  }

  async start(onLine: (line: string) => void): Promise<void> {
    this.onLine = onLine;
  }

  async stop(): Promise<void> {
    this.onLine = undefined;
  }
}

function farmClock(farm: SimulatedFarm, perSecond: number, feeds: Map<string, SimulatedLog>): StreamingSource {
  // Ticks of 10-100 ms: often enough for a smooth stream, rarely enough to stay cheap. Each tick
  // runs the steps owed since the last one, so the rate holds however late a timer fires.
  const tickMs = perSecond > 0 ? Math.min(100, Math.max(10, 1000 / perSecond)) : 0;
  let timer: NodeJS.Timeout | undefined;
  return {
    kind: 'streaming',
    name: 'simulated-farm:clock',
    async start() {
      if (perSecond <= 0) return;
      let owed = 0;
      let last = Date.now();
      timer = setInterval(() => {
        const now = Date.now();
        // Cap the debt at one second so a stalled event loop does not end in a burst.
        owed = Math.min(owed + ((now - last) / 1000) * perSecond, Math.max(perSecond, 1));
        last = now;
        for (; owed >= 1; owed--) for (const { server, line } of farm.step()) feeds.get(server)?.write(line);
      }, tickMs);
    },
    async stop() {
      clearInterval(timer);
    },
  };
}

function hostMetrics(farm: SimulatedFarm, intervalMs: number): PolledSource {
  return {
    kind: 'polled',
    name: 'simulated-farm:hosts',
    intervalMs,
    async poll() {
      const timestamp = new Date().toISOString();
      return farm.sampleHosts().map(
        (server): MetricsMessage => ({
          type: 'metrics',
          timestamp,
          site: server.site,
          source: `host:${server.hosts[0]}`,
          host: server.hosts[0],
          servers: [server.id],
          system: systemBlock(server.host),
        }),
      );
    },
  };
}

function systemBlock(host: HostState) {
  const usage = (total: number, used: number) => {
    const whole = Math.round(used);
    return { total, used: whole, available: total - whole, percentage: Math.round((whole / total) * 1000) / 10 };
  };
  return { cpu: { usage: Math.round(host.cpuUsage * 10) / 10, cores: host.cores }, memory: usage(host.memoryTotal, host.memoryUsed), disk: usage(host.diskTotal, host.diskUsed) };
}
