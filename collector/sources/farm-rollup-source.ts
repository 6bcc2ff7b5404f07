// The farm's roll-up as a polled source (one job for the whole farm, whichever collector runs
// it): reads every server's latest snapshot from the bus, publishes the per-site and farm
// roll-ups, and evaluates the farm-scoped rules (farm-wide utilization, stale data).
import type { Delivery } from '../../shared/bus/index.ts';
import type { MetricsMessage } from '../../shared/protocol/index.ts';
import type { AlertEngine } from '../alerts/alert-engine.ts';
import { FARM_SCOPE, farmUtilization, staleData, type PollAge } from '../alerts/rules/farm-rules.ts';
import type { FarmConfig } from '../farm/farm-config.ts';
import { rollUp, type ServerSnapshot } from '../license/rollup.ts';
import type { PolledSource } from './source.ts';

/** The roll-up's job name: a `:` keeps it apart from every server id. */
export const ROLLUP_SOURCE = 'farm:rollup';

export interface RollupDeps {
  readonly latestMetrics: () => Promise<Delivery[]>;
  readonly alerts: AlertEngine;
  /** When this collector began watching this farm (see staleData). */
  readonly watchingSince: number;
  readonly clock?: () => number;
}

export function farmRollupSource(farm: FarmConfig, deps: RollupDeps): PolledSource {
  const clock = deps.clock ?? Date.now;
  return {
    kind: 'polled',
    name: ROLLUP_SOURCE,
    intervalMs: farm.rollupIntervalMs,
    async poll() {
      const now = clock();
      const timestamp = new Date(now).toISOString();
      const latest = latestByServer(await deps.latestMetrics());
      const staleAfter = farm.alerts.staleData.intervals;
      const ages: PollAge[] = [];
      const servers = farm.servers.map((server) => {
        const snapshot = latest.get(`${server.site}\n${server.id}`);
        const lastPollAt = snapshot ? Date.parse(snapshot.timestamp) : undefined;
        ages.push({ server, lastPollAt });
        const fresh = lastPollAt !== undefined && now - lastPollAt <= staleAfter * server.pollIntervalMs;
        return { site: server.site, snapshot: fresh ? toSnapshot(snapshot!) : undefined };
      });
      const rollup = rollUp(farm.sites, servers, timestamp);
      const alerts = await deps.alerts.evaluate(FARM_SCOPE, (firing) => [
        ...farmUtilization(rollup.licenses, farm.alerts.farmUtilization, timestamp, firing),
        ...staleData(ages, farm.alerts.staleData, now, deps.watchingSince, firing),
      ]);
      return [...rollup.sites, rollup.farm, ...alerts];
    },
  };
}

/** License servers' snapshots by site and server id (roll-ups and host metrics are skipped). */
function latestByServer(deliveries: readonly Delivery[]): Map<string, MetricsMessage & { server: string }> {
  const byServer = new Map<string, MetricsMessage & { server: string }>();
  for (const delivery of deliveries) {
    try {
      const message = JSON.parse(delivery.json) as MetricsMessage;
      if (typeof message.server === 'string' && typeof message.site === 'string') byServer.set(`${message.site}\n${message.server}`, message as MetricsMessage & { server: string });
    } catch {
      // Not ours to judge: the bus only holds validated JSON.
    }
  }
  return byServer;
}

function toSnapshot(message: MetricsMessage & { server: string }): ServerSnapshot {
  return {
    site: message.site!,
    server: message.server,
    status: message.status === 'down' ? 'down' : 'up',
    features: message.features ?? [],
  };
}
