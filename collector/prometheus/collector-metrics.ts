// The collector's Prometheus metrics (GET /metrics on COLLECTOR_PORT), on the shared registry
// setup. License usage comes from each poll this collector runs (license-series.ts); polls are
// shared among collectors (BullMQ), so a server's series live on whichever collector polled it
// last, and are dropped here once another has taken it over (no fresh poll for 3 intervals).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry } from '../../shared/metrics/registry.ts';
import type { LicenseServerConfig } from '../farm/farm-config.ts';
import type { UnparsedLines } from '../license/unparsed-lines.ts';
import type { LicenseServerStatus } from '../parsers/types.ts';
import type { PublisherStats } from '../publisher.ts';
import { publishedUser } from '../privacy/user-privacy.ts';
import { serverSeries, type ServerSeries } from './license-series.ts';

/** The `user` label under `privacy.users: hidden`: every holder's licenses summed under one label. */
const HIDDEN_USER = 'hidden';

/** What the sources report as they poll and tail (the seam between sources and metrics). */
export interface LicenseObserver {
  polled(server: LicenseServerConfig, status: LicenseServerStatus, durationMs: number): void;
  pollFailed(server: LicenseServerConfig, durationMs: number): void;
  denied(server: LicenseServerConfig, feature: string): void;
}

/** The running collector's figures read at scrape time; absent until the farm is loaded. */
export interface CollectorSources {
  readonly publisher: { readonly stats: PublisherStats; readonly pendingCount: number; readonly underReplicated: number };
  readonly unparsed: UnparsedLines;
}

/** A server's series are dropped after this many poll intervals without a poll here (plus a margin). */
const STALE_INTERVALS = 3;
const STALE_MARGIN_MS = 30_000;
const POLL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Gauge names license-series.ts sets, with their help (one place: the README table is generated from the registry). */
const LICENSE_GAUGES: Record<string, { help: string; labels: string[] }> = {
  flexlm_server_status: { help: 'License server host status (1 up, 0 down), as flexlm_exporter: labeled by app (server id), fqdn, master, port and version.', labels: ['app', 'fqdn', 'master', 'port', 'version'] },
  flexlm_vendor_status: { help: 'Vendor daemon (RLM: ISV server) status (1 up, 0 down), by app, name and version.', labels: ['app', 'name', 'version'] },
  flexlm_feature_issued: { help: 'Licenses issued of a feature (the sum of its version blocks); absent for uncounted features.', labels: ['app', 'name'] },
  flexlm_feature_used: { help: 'Licenses of a feature in use (the sum of its version blocks).', labels: ['app', 'name'] },
  flexlm_feature_used_users: { help: 'Licenses of a feature held by a user, by version (user names as the farm\'s privacy setting publishes them).', labels: ['app', 'name', 'user', 'version'] },
  flexlm_feature_reserved_groups: { help: 'Licenses of a feature reserved for a GROUP or HOST_GROUP.', labels: ['app', 'name', 'group'] },
  flexlm_feature_reserved_host: { help: 'Licenses of a feature reserved for a HOST.', labels: ['app', 'name', 'host'] },
  flexlm_feature_expiration_seconds: { help: 'Expiry of a feature\'s version block as a Unix time (+Inf: permanent); index numbers the blocks.', labels: ['app', 'name', 'index', 'licenses', 'vendor', 'version'] },
  licmon_license_server_info: { help: 'Always 1: a license server\'s site, kind (flexlm, rlm) and address, to join on app.', labels: ['app', 'site', 'kind', 'address'] },
  licmon_license_server_up: { help: '1 when the last poll reached the license server, 0 when the tool said it is down.', labels: ['app'] },
  licmon_feature_queued: { help: 'Licenses of a feature requested and waiting in the queue.', labels: ['app', 'name'] },
  licmon_feature_reserved: { help: 'Licenses of a feature reserved, for any kind of reservation.', labels: ['app', 'name'] },
};

export class CollectorMetrics implements LicenseObserver {
  readonly registry: Registry;
  private readonly servers = new Map<string, { series: ServerSeries; expiresAt: number }>();
  private readonly pollDuration: Histogram;
  private readonly pollFailures: Counter;
  private readonly denials: Counter;
  private sources: CollectorSources | undefined;

  constructor(private readonly clock: () => number = Date.now) {
    const registry = (this.registry = createMetricsRegistry({ uws: '' }));
    const registers = [registry];
    for (const [name, { help, labels }] of Object.entries(LICENSE_GAUGES)) {
      const gauge: Gauge = new Gauge({ name, help, labelNames: labels, registers, collect: () => this.copy(name, gauge) });
    }
    this.pollDuration = new Histogram({ name: 'licmon_poll_duration_seconds', help: 'Time of a license server poll run by this collector (the status tool and its parsing), failed polls included.', labelNames: ['app'], buckets: POLL_BUCKETS, registers });
    this.pollFailures = new Counter({ name: 'licmon_poll_failures_total', help: 'Polls run by this collector that got no status (tool missing, hung, unreadable output).', labelNames: ['app'], registers });
    this.denials = new Counter({ name: 'licmon_feature_denials_total', help: 'Denied checkouts of a feature read from the debug log this collector tails.', labelNames: ['app', 'name'], registers });
    const counted = (name: string, help: string, labelNames: string[], read: (s: CollectorSources) => Iterable<[Record<string, string>, number]>) => {
      const counter: Counter = new Counter({ name, help, labelNames, registers, collect: () => {
        counter.reset();
        if (this.sources) for (const [l, n] of read(this.sources)) counter.inc(l, n);
      } });
    };
    counted('licmon_unparsed_lines_total', 'Lines of status output and debug logs no parser recognised, by server (each logged once).', ['app'], (s) => [...s.unparsed.counts()].map(([app, n]) => [{ app }, n]));
    counted('licmon_collector_publish_total', 'Messages this collector handed to the bus, by outcome: published, invalid (failed the schema), failed (the bus refused, e.g. its buffer was full while Redis was away), dropped (too many waiting).', ['outcome'],
      (s) => Object.entries(s.publisher.stats).map(([outcome, n]) => [{ outcome }, n]));
    counted('licmon_publish_under_replicated_total', 'Messages published while fewer replicas than PUBLISH_WAIT_REPLICAS acknowledged them within PUBLISH_WAIT_TIMEOUT_MS: kept on the master, not dropped, but a failover may lose them. Stays 0 while PUBLISH_WAIT_REPLICAS is 0.', [],
      (s) => [[{}, s.publisher.underReplicated]]);
    const buffer: Gauge = new Gauge({ name: 'licmon_collector_publish_buffer', help: 'Messages waiting for the bus (held in order while Redis is unreachable).', registers, collect: () => buffer.set(this.sources?.publisher.pendingCount ?? 0) });
  }

  /** The running collector, once its farm is loaded. */
  attach(sources: CollectorSources): void {
    this.sources = sources;
  }

  polled(server: LicenseServerConfig, status: LicenseServerStatus, durationMs: number): void {
    this.pollDuration.observe({ app: server.id }, durationMs / 1000);
    this.servers.set(server.id, { series: serverSeries(server, status, (user) => publishedUser(user, server.privacy) ?? HIDDEN_USER), expiresAt: this.clock() + STALE_INTERVALS * server.pollIntervalMs + STALE_MARGIN_MS });
  }

  pollFailed(server: LicenseServerConfig, durationMs: number): void {
    this.pollDuration.observe({ app: server.id }, durationMs / 1000);
    this.pollFailures.inc({ app: server.id });
  }

  denied(server: LicenseServerConfig, feature: string): void {
    this.denials.inc({ app: server.id, name: feature });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  private copy(name: string, gauge: Gauge): void {
    gauge.reset();
    const now = this.clock();
    for (const [id, server] of this.servers) {
      if (server.expiresAt < now) {
        this.servers.delete(id);
        continue;
      }
      for (const { labels, value } of server.series.get(name) ?? []) gauge.set(labels, value);
    }
  }
}
