// Per-site and whole-farm roll-ups of the license servers' latest snapshots: how many servers
// answer, the spec's `licenses` block summed, and each feature summed over the servers that
// serve it. Published as metrics with source `site:<name>` (and that site) and `farm` (no site).
// A stale snapshot (its server not polled successfully lately) is counted as stale, not summed.
import type { FeatureDetail, MetricsMessage, ServerCounts } from '../../shared/protocol/index.ts';
import { soonestExpiry } from '../parsers/expiry.ts';
import { percent, totals, type LicenseTotals } from './server-metrics.ts';

/** What a roll-up reads of a server's snapshot. */
export interface ServerSnapshot {
  readonly site: string;
  readonly server: string;
  readonly status: 'up' | 'down';
  readonly features: readonly FeatureDetail[];
}

/** A feature summed over servers: no version (theirs may differ), and how many serve it. */
type RolledUpFeature = Pick<FeatureDetail, 'name' | 'vendor' | 'issued' | 'used' | 'queued' | 'reserved' | 'available' | 'utilization' | 'expiry'> & { servers: number };

/** Who a roll-up describes. */
type RollupIdentity = Pick<MetricsMessage, 'site' | 'source' | 'scope' | 'sites'>;

export interface Rollup {
  readonly sites: MetricsMessage[];
  readonly farm: MetricsMessage;
  readonly licenses: LicenseTotals;
}

/**
 * `servers` lists every configured server with its fresh snapshot, or undefined when it has none.
 */
export function rollUp(sites: readonly string[], servers: ReadonlyArray<{ site: string; snapshot: ServerSnapshot | undefined }>, timestamp: string): Rollup {
  const siteMessages = sites.map((site) => {
    const own = servers.filter((s) => s.site === site);
    return block(own.map((s) => s.snapshot), timestamp, { site, source: `site:${site}`, scope: 'site' });
  });
  const farm = block(servers.map((s) => s.snapshot), timestamp, { source: 'farm', scope: 'farm', sites: sites.length });
  return { sites: siteMessages, farm, licenses: farm.licenses as LicenseTotals };
}

function block(snapshots: ReadonlyArray<ServerSnapshot | undefined>, timestamp: string, identity: RollupIdentity): MetricsMessage {
  const counts: ServerCounts = { total: snapshots.length, up: 0, down: 0, stale: 0 };
  const features = new Map<string, RolledUpFeature & { expiries: (string | null)[] }>();
  for (const snapshot of snapshots) {
    if (!snapshot) counts.stale++;
    else if (snapshot.status === 'down') counts.down++;
    else {
      counts.up++;
      for (const f of snapshot.features) addFeature(features, f);
    }
  }
  const rolled = [...features.values()].map(({ expiries, ...f }): RolledUpFeature => {
    const expiry = expiries.length > 0 ? soonestExpiry(expiries) : undefined;
    const available = f.issued === null ? null : f.issued - f.used;
    return { ...f, available, utilization: f.issued === null ? null : percent(f.used, f.issued), ...(expiry !== undefined && { expiry }) };
  });
  return { type: 'metrics', timestamp, ...identity, servers: counts, licenses: totals(rolled), features: rolled };
}

function addFeature(features: Map<string, RolledUpFeature & { expiries: (string | null)[] }>, f: FeatureDetail): void {
  const id = `${f.name}\n${f.vendor ?? ''}`;
  const sum = features.get(id);
  if (!sum) {
    features.set(id, { name: f.name, vendor: f.vendor, issued: f.issued, used: f.used, queued: f.queued, reserved: f.reserved, available: null, utilization: null, servers: 1, expiries: f.expiry === undefined ? [] : [f.expiry] });
    return;
  }
  sum.issued = sum.issued === null || f.issued === null ? null : sum.issued + f.issued;
  sum.used += f.used;
  sum.queued += f.queued;
  sum.reserved += f.reserved;
  sum.servers++;
  if (f.expiry !== undefined) sum.expiries.push(f.expiry);
}
