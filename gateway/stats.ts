// The gateway's counters, rendered as Prometheus text at GET /metrics. Plain numbers on plain
// objects: incrementing them on the hot path costs nothing.
import { ErrorCode } from '../shared/protocol/index.ts';
import type { IntakeCounters } from './intake.ts';
import type { SessionCounters } from './session.ts';

export class GatewayStats implements IntakeCounters, SessionCounters {
  busMessages = 0;
  invalidBusMessages = 0;
  duplicateBusMessages = 0;
  historyTruncations = 0;
  framesOut = 0;
  slowConsumerDrops = 0;
  clientMessages = 0;
  connectionsOpened = 0;
  idleDisconnects = 0;
  readonly rejectedUpgrades = new Map<number, number>();
  readonly errors = new Map<ErrorCode, number>(Object.values(ErrorCode).map((c) => [c, 0]));

  countError = (code: ErrorCode): void => {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  };

  countRejectedUpgrade(status: number): void {
    this.rejectedUpgrades.set(status, (this.rejectedUpgrades.get(status) ?? 0) + 1);
  }
}

export interface Gauges {
  connectionsByEndpoint: Record<string, number>;
  clusterConnections: { active: number; total: number };
  filterGroups: number;
  metricsSnapshots: number;
  busReady: boolean;
  draining: boolean;
}

export function renderPrometheus(stats: GatewayStats, gauges: Gauges): string {
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[string, number]>) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
  };
  metric('licmon_gateway_connections', 'gauge', 'Open WebSocket connections on this gateway.',
    Object.entries(gauges.connectionsByEndpoint).map(([e, n]) => [`{endpoint="${e}"}`, n]));
  metric('licmon_gateway_connections_opened_total', 'counter', 'WebSocket connections opened on this gateway.', [['', stats.connectionsOpened]]);
  metric('licmon_cluster_connections', 'gauge', 'Open WebSocket connections across the cluster.', [['', gauges.clusterConnections.active]]);
  metric('licmon_gateway_upgrades_rejected_total', 'counter', 'Upgrade requests refused, by HTTP status.',
    [...stats.rejectedUpgrades].map(([status, n]) => [`{status="${status}"}`, n]));
  metric('licmon_gateway_bus_messages_total', 'counter', 'Messages received from the bus.', [['', stats.busMessages]]);
  metric('licmon_gateway_bus_invalid_messages_total', 'counter', 'Bus messages dropped as invalid.', [['', stats.invalidBusMessages]]);
  metric('licmon_gateway_bus_duplicate_messages_total', 'counter', 'Bus messages dropped because their id was already delivered.', [['', stats.duplicateBusMessages]]);
  metric('licmon_gateway_history_truncations_total', 'counter', 'Catch-ups after a bus fault that found history missing.', [['', stats.historyTruncations]]);
  metric('licmon_gateway_frames_sent_total', 'counter', 'Frames written to clients.', [['', stats.framesOut]]);
  metric('licmon_gateway_client_messages_total', 'counter', 'Frames received from clients.', [['', stats.clientMessages]]);
  metric('licmon_gateway_slow_consumer_disconnects_total', 'counter', 'Clients disconnected for not reading fast enough.', [['', stats.slowConsumerDrops]]);
  metric('licmon_gateway_idle_disconnects_total', 'counter', 'Clients disconnected after the idle timeout.', [['', stats.idleDisconnects]]);
  metric('licmon_gateway_errors_total', 'counter', 'Error replies sent to clients, by code.',
    [...stats.errors].map(([code, n]) => [`{code="${code}"}`, n]));
  metric('licmon_gateway_filter_groups', 'gauge', 'Distinct filters held by connections.', [['', gauges.filterGroups]]);
  metric('licmon_gateway_metrics_snapshots', 'gauge', 'Latest metrics snapshots held.', [['', gauges.metricsSnapshots]]);
  metric('licmon_gateway_bus_ready', 'gauge', '1 while the bus is connected.', [['', gauges.busReady ? 1 : 0]]);
  metric('licmon_gateway_draining', 'gauge', '1 while the gateway is draining.', [['', gauges.draining ? 1 : 0]]);
  metric('process_resident_memory_bytes', 'gauge', 'Resident memory of this process.', [['', process.memoryUsage.rss()]]);
  return `${out.join('\n')}\n`;
}
