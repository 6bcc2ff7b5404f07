// A parsed status → the metrics message published for one license server per poll: the spec's
// `licenses` block (counted licenses of every feature), plus `source`/`site`/`server` so clients
// filter by them, and the per-feature detail dashboards draw (issued, used, queued, reserved,
// expiry) and who holds, waits for and reserves each feature (holders.ts) — shaped by the
// protocol's license detail schemas (shared/protocol/license-detail.ts).
import type { FeatureDetail, MetricsMessage, ServerHost, VendorDaemon } from '../../shared/protocol/index.ts';
import { DEFAULT_HOLDERS_PER_FEATURE, type LicenseServerConfig } from '../farm/farm-config.ts';
import type { FeatureUsage, LicenseServerStatus, ServerState, VendorState } from '../parsers/types.ts';
import { defaultTimeZone } from '../parsers/zoned-time.ts';
import { PLAIN } from '../privacy/user-privacy.ts';
import { holderDetail, type HolderOptions } from './holders.ts';

/** A type alias, not an interface: it must fit the schema's open (index-signature) object. */
export type LicenseTotals = {
  total: number;
  used: number;
  available: number;
  utilization: number;
};

/** The farm's settings for a server; absent ones default as the farm file does (200 holders, plain users, the collector's zone). */
type ServerIdentity = Pick<LicenseServerConfig, 'id' | 'kind' | 'address'> &
  Partial<Pick<LicenseServerConfig, 'holdersPerFeature' | 'privacy' | 'timeZone'>> & { readonly site?: string | undefined };

export function serverMetrics(server: ServerIdentity, status: LicenseServerStatus, timestamp: string, poll: { durationMs: number }): MetricsMessage {
  const options: HolderOptions = {
    bound: server.holdersPerFeature ?? DEFAULT_HOLDERS_PER_FEATURE,
    privacy: server.privacy ?? PLAIN,
    timeZone: server.timeZone ?? defaultTimeZone(),
  };
  const features = status.features.map((f) => featureMetrics(f, options));
  return {
    type: 'metrics',
    timestamp,
    ...(server.site !== undefined && { site: server.site }),
    source: server.id,
    server: server.id,
    kind: server.kind,
    address: server.address,
    status: status.reachable ? 'up' : 'down',
    ...(status.error !== null && { error: status.error }),
    // A server that does not answer has no license figures: none rather than zeros.
    ...(status.reachable && { licenses: totals(features), features }),
    hosts: status.servers.map(serverHost),
    vendors: status.vendors.map(vendorDaemon),
    poll: { durationMs: poll.durationMs, unparsedLines: status.unparsed.length },
  };
}

export function featureMetrics(f: FeatureUsage, options: HolderOptions): FeatureDetail {
  const issued = f.uncounted ? null : f.issued;
  return {
    name: f.name,
    vendor: f.vendor,
    version: f.version,
    issued,
    used: f.used,
    queued: f.queued,
    reserved: f.reserved,
    available: issued === null ? null : issued - f.used,
    utilization: issued === null ? null : percent(f.used, issued),
    ...(f.expiry !== undefined && { expiry: f.expiry }),
    ...(f.error !== null && { error: f.error }),
    ...(f.versions && { versions: f.versions.map((v) => ({ version: v.version, issued: v.issued, used: v.used, reserved: v.reserved, ...(v.expiry !== undefined && { expiry: v.expiry }) })) }),
    ...holderDetail(f, options),
  };
}

function serverHost(s: ServerState): ServerHost {
  return { host: s.host, port: s.port, status: s.status, master: s.master, ...(s.error !== null && { error: s.error }) };
}

function vendorDaemon(v: VendorState): VendorDaemon {
  return { name: v.name, status: v.status, version: v.version, ...(v.error !== null && { error: v.error }) };
}

/** The spec's `licenses` block over counted features. */
export function totals(features: ReadonlyArray<Pick<FeatureDetail, 'issued' | 'used'>>): LicenseTotals {
  let total = 0;
  let used = 0;
  for (const f of features) {
    if (f.issued === null) continue;
    total += f.issued;
    used += f.used;
  }
  return { total, used, available: total - used, utilization: percent(used, total) };
}

/** Percent with one decimal, as dashboards show it; 0 of 0 is 0. */
export function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;
}
