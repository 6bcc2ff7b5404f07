// One poll's parsed status → the Prometheus samples of that license server, under flexlm_exporter's
// names and labels (so its Grafana dashboards and alerts work unchanged) plus licmon_* for what it
// lacks. `app` is the server's id. RLM servers use the same names. Computed once per poll; a
// scrape only copies them out.
import type { LicenseServerConfig } from '../farm/farm-config.ts';
import type { FeatureUsage, LicenseServerStatus } from '../parsers/types.ts';

export type Labels = Record<string, string>;
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

/** The gauges a poll sets, by metric name. */
export type ServerSeries = ReadonlyMap<string, readonly Sample[]>;

/** How a user name appears in the `user` label (the farm's privacy setting); identity by default. */
export type UserLabel = (user: string) => string;

type ServerIdentity = Pick<LicenseServerConfig, 'id' | 'site' | 'kind' | 'address'>;

/**
 * A feature may come in several version blocks (each its own `Users of` section, or RLM pools):
 * flexlm_exporter's per-feature series are their sum, so that nothing is counted twice or lost.
 */
interface FeatureTotals {
  issued: number | null;
  used: number;
  queued: number;
  reserved: number;
  users: Map<string, number>;
  groups: Map<string, number>;
  hosts: Map<string, number>;
}

export function serverSeries(server: ServerIdentity, status: LicenseServerStatus, userLabel: UserLabel): ServerSeries {
  const app = server.id;
  const out = new Map<string, Sample[]>();
  const add = (name: string, labels: Labels, value: number) => {
    let samples = out.get(name);
    if (!samples) out.set(name, (samples = []));
    samples.push({ labels: { app, ...labels }, value });
  };

  add('licmon_license_server_info', { site: server.site, kind: server.kind, address: server.address }, 1);
  add('licmon_license_server_up', {}, status.reachable ? 1 : 0);
  for (const s of status.servers) {
    add('flexlm_server_status', { fqdn: s.host, master: String(s.master), port: s.port === null ? '' : String(s.port), version: s.version ?? '' }, s.status === 'up' ? 1 : 0);
  }
  for (const v of status.vendors) add('flexlm_vendor_status', { name: v.name, version: v.version ?? '' }, v.status === 'up' ? 1 : 0);

  status.features.forEach((f, index) => {
    if (f.expiry === undefined) return;
    // flexlm_exporter: a permanent license expires at +Inf; `index` tells version blocks apart.
    const expires = f.expiry === null ? Infinity : Date.parse(`${f.expiry}T00:00:00Z`) / 1000;
    add('flexlm_feature_expiration_seconds', { name: f.name, index: String(index + 1), licenses: f.issued === null ? 'uncounted' : String(f.issued), vendor: f.vendor ?? '', version: f.version ?? '' }, expires);
  });

  for (const [name, t] of featureTotals(status.features, userLabel)) {
    if (t.issued !== null) add('flexlm_feature_issued', { name }, t.issued);
    add('flexlm_feature_used', { name }, t.used);
    for (const [key, n] of t.users) {
      const [user, version] = JSON.parse(key) as [string, string];
      add('flexlm_feature_used_users', { name, user, version }, n);
    }
    for (const [group, n] of t.groups) add('flexlm_feature_reserved_groups', { name, group }, n);
    for (const [host, n] of t.hosts) add('flexlm_feature_reserved_host', { name, host }, n);
    add('licmon_feature_queued', { name }, t.queued);
    add('licmon_feature_reserved', { name }, t.reserved);
  }
  return out;
}

function featureTotals(features: readonly FeatureUsage[], userLabel: UserLabel): Map<string, FeatureTotals> {
  const byName = new Map<string, FeatureTotals>();
  for (const f of features) {
    let t = byName.get(f.name);
    if (!t) byName.set(f.name, (t = { issued: null, used: 0, queued: 0, reserved: 0, users: new Map(), groups: new Map(), hosts: new Map() }));
    // Uncounted (node-locked) blocks have no count: issued stays absent unless a counted block gives one.
    if (!f.uncounted && f.issued !== null) t.issued = (t.issued ?? 0) + f.issued;
    t.used += f.used;
    t.queued += f.queued;
    t.reserved += f.reserved;
    for (const c of f.checkouts) bump(t.users, JSON.stringify([userLabel(c.user), c.version ?? f.version ?? '']), c.count);
    for (const r of f.reservations) {
      if (r.kind === 'GROUP' || r.kind === 'HOST_GROUP') bump(t.groups, r.target, r.count);
      else if (r.kind === 'HOST') bump(t.hosts, r.target, r.count);
    }
  }
  return byName;
}

function bump(map: Map<string, number>, key: string, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}
