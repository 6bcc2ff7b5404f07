// The gateway's Prometheus metrics (GET /metrics), on the shared registry setup. The hot path
// keeps incrementing plain numbers (GatewayStats); they are copied into prom-client counters only
// when Prometheus scrapes (each metric's collect()). Histograms are observed per pass of the
// hub, not per connection: one observation per message for its delay, one per pass for its time
// (FastHistogram: plain arrays, as cheap as the counters).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { FastHistogram } from '../shared/metrics/fast-histogram.ts';
import { createMetricsRegistry } from '../shared/metrics/registry.ts';
import type { HubTimings } from './hub.ts';
import type { GatewayStats } from './stats.ts';

/** Figures read from the running gateway at scrape time. */
export interface GatewayGauges {
  connectionsByEndpoint(): Record<string, number>;
  /** The cluster-wide total of open connections, as this gateway last heard it through presence. */
  clusterConnections(): number;
  filterGroups(): number;
  metricsSnapshots(): number;
  busReady(): boolean;
  draining(): boolean;
}

/** Delay buckets (seconds): from a millisecond on loopback to the bus being away for a minute. */
const DELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Catch-up and replay buckets (seconds): reading history takes from milliseconds to minutes. */
const HISTORY_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class GatewayMetrics implements HubTimings {
  readonly registry: Registry;
  private readonly deliveryDelay: FastHistogram;
  private readonly fanoutPass: FastHistogram;
  private readonly catchUpDuration: Histogram;
  private readonly replayDuration: Histogram;
  private readonly catchUpFailures: Counter;

  constructor(stats: GatewayStats, gauges: GatewayGauges, uws: string) {
    const registry = (this.registry = createMetricsRegistry({ uws }));
    const registers = [registry];
    /** A counter whose value is a plain number kept elsewhere, read at scrape time. */
    const counted = (name: string, help: string, read: () => number) =>
      new Counter({ name, help, registers, collect() { this.reset(); this.inc(read()); } });
    const counterBy = (name: string, help: string, label: string, read: () => Iterable<[string | number, number]>) =>
      new Counter({ name, help, labelNames: [label], registers, collect() { this.reset(); for (const [l, n] of read()) this.inc({ [label]: l }, n); } });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers, collect() { this.set(read()); } });

    new Gauge({
      name: 'licmon_gateway_connections',
      help: 'Open WebSocket connections on this gateway, by endpoint (sum over gateways for the cluster).',
      labelNames: ['endpoint'],
      registers,
      collect() { for (const [endpoint, n] of Object.entries(gauges.connectionsByEndpoint())) this.set({ endpoint }, n); },
    });
    gauge('licmon_gateway_seen_cluster_connections', 'Open WebSocket connections across the whole cluster, as this gateway last heard through presence. Every gateway reports the same total: aggregate with max(), never sum().', gauges.clusterConnections);
    counted('licmon_gateway_connections_opened_total', 'WebSocket connections opened on this gateway.', () => stats.connectionsOpened);
    counterBy('licmon_gateway_upgrades_rejected_total', 'Upgrade requests refused, by HTTP status.', 'status', () => stats.rejectedUpgrades);
    counted('licmon_gateway_bus_messages_total', 'Messages received from the bus.', () => stats.busMessages);
    counted('licmon_gateway_bus_invalid_messages_total', 'Bus messages dropped as invalid.', () => stats.invalidBusMessages);
    counted('licmon_gateway_bus_duplicate_messages_total', 'Bus messages dropped because their id was already delivered.', () => stats.duplicateBusMessages);
    counted('licmon_gateway_history_truncations_total', 'Catch-ups after a bus fault that found history missing.', () => stats.historyTruncations);
    counted('licmon_gateway_frames_sent_total', 'Frames written to clients.', () => stats.framesOut);
    counted('licmon_gateway_client_messages_total', 'Frames received from clients.', () => stats.clientMessages);
    counted('licmon_gateway_slow_consumer_disconnects_total', 'Clients disconnected for not reading fast enough.', () => stats.slowConsumerDrops);
    counted('licmon_gateway_idle_disconnects_total', 'Clients disconnected after the idle timeout.', () => stats.idleDisconnects);
    counterBy('licmon_gateway_errors_total', 'Error replies sent to clients, by code.', 'code', () => stats.errors);
    gauge('licmon_gateway_filter_groups', 'Distinct filters held by connections.', gauges.filterGroups);
    gauge('licmon_gateway_metrics_snapshots', 'Latest metrics snapshots held.', gauges.metricsSnapshots);
    gauge('licmon_gateway_bus_ready', '1 while the bus is connected.', () => Number(gauges.busReady()));
    gauge('licmon_gateway_draining', '1 while the gateway is draining.', () => Number(gauges.draining()));

    this.deliveryDelay = new FastHistogram(
      'licmon_gateway_delivery_delay_seconds',
      'Per log or alert: from its publish (the Redis entry id\'s time) until this gateway had written it to every connection that takes it. Includes clock skew between Redis and the gateway.',
      DELAY_BUCKETS,
      registry,
    );
    this.fanoutPass = new FastHistogram('licmon_gateway_fanout_pass_seconds', 'Time of one fan-out pass: writing what is pending to every connection that lacks it.', DELAY_BUCKETS, registry);
    this.catchUpDuration = new Histogram({
      name: 'licmon_gateway_catchup_seconds',
      help: 'Time to read what was published while the bus was away, after it came back (successful catch-ups).',
      buckets: HISTORY_BUCKETS,
      registers,
    });
    this.catchUpFailures = new Counter({ name: 'licmon_gateway_catchup_failures_total', help: 'Catch-ups after a bus fault that failed (retried at the next reconnect).', registers });
    this.replayDuration = new Histogram({
      name: 'licmon_gateway_replay_seconds',
      help: 'Time to replay history to one resuming connection (`since`), until it is live.',
      buckets: HISTORY_BUCKETS,
      registers,
    });
  }

  passed(passMs: number, publishedAtMs: readonly number[]): void {
    this.fanoutPass.observe(passMs / 1000);
    const now = Date.now();
    for (let i = 0; i < publishedAtMs.length; i++) this.deliveryDelay.observe(Math.max(0, now - publishedAtMs[i]!) / 1000);
  }

  /** Start timing a catch-up; call the result when it succeeded, or catchUpFailed() instead. */
  timeCatchUp(): () => void {
    return this.catchUpDuration.startTimer();
  }

  catchUpFailed(): void {
    this.catchUpFailures.inc();
  }

  /** Start timing one connection's replay; call the result when it is over. */
  timeReplay = (): (() => void) => {
    const end = this.replayDuration.startTimer();
    return () => void end();
  };

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
