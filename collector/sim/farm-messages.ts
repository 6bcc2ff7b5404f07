// How a simulated farm's happenings look on the wire: FlexLM debug-log wording in `message`,
// the structured facts in `metadata`, the site at the top level.
import type { Level, LogMessage, MetricsMessage } from '../../shared/protocol/index.ts';
import type { AlertSpec } from '../alerts/alert-tracker.ts';
import type { FeatureState, ServerState } from './farm-layout.ts';

/** `source` of every license event, as in the spec's example. */
export const LICENSE_SOURCE = 'license-server';

export function licenseLog(server: ServerState, timestamp: string, level: Level, message: string, metadata: Record<string, unknown> = {}): LogMessage {
  return { type: 'log', timestamp, level, message, source: LICENSE_SOURCE, site: server.site, metadata: { server: server.id, ...metadata } };
}

export function licenseAlert(server: ServerState, timestamp: string, spec: { rule: string; key: string; level: Level; message: string; metadata?: Record<string, unknown> }): AlertSpec {
  return {
    timestamp,
    level: spec.level,
    message: spec.message,
    source: LICENSE_SOURCE,
    site: server.site,
    rule: spec.rule,
    key: spec.key,
    metadata: { server: server.id, ...spec.metadata },
  };
}

/** Utilization in percent, one decimal, as dashboards show it. */
export function utilizationOf(feature: FeatureState): number {
  return round1((feature.used / feature.issued) * 100);
}

export function metricsSnapshot(server: ServerState, timestamp: string): MetricsMessage {
  const { host } = server;
  const issued = server.features.reduce((sum, f) => sum + f.issued, 0);
  const used = server.features.reduce((sum, f) => sum + f.used, 0);
  return {
    type: 'metrics',
    timestamp,
    site: server.site,
    source: server.id,
    server: server.id,
    status: server.up ? 'up' : 'down',
    system: {
      cpu: { usage: round1(host.cpuUsage), cores: host.cores },
      memory: usage(host.memoryTotal, host.memoryUsed),
      disk: usage(host.diskTotal, host.diskUsed),
    },
    // A down server answers no status query: there are no license figures to report.
    ...(server.up && {
      licenses: { total: issued, used, available: issued - used, utilization: issued === 0 ? 0 : round1((used / issued) * 100) },
      features: server.features.map((f) => ({ name: f.name, vendor: f.vendor, issued: f.issued, used: f.used })),
    }),
  };
}

function usage(total: number, used: number) {
  const whole = Math.round(used);
  return { total, used: whole, available: total - whole, percentage: round1((whole / total) * 100) };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
