// What collectors add to the spec's metrics message: per-server status, triad hosts and vendor
// daemons, per-feature counts, per-site and farm roll-ups, host identities. The shapes are the
// wire protocol's (shared/protocol/license-detail.ts), imported as types only so the bundle
// carries no schema library; the client does not validate what it receives, so values are read
// defensively — a field of another shape (a publisher that ignores the protocol) reads as absent.
import type { FeatureDetail, MetricsMessage, ServerCounts, ServerHost as WireServerHost, VendorDaemon as WireVendorDaemon } from '@licmon/client';

export type Feature = Pick<FeatureDetail, 'name' | 'vendor' | 'issued' | 'used' | 'queued' | 'expiry'>;
export type ServerHost = Pick<WireServerHost, 'host' | 'status' | 'master' | 'error'>;
export type VendorDaemon = Pick<WireVendorDaemon, 'name' | 'status' | 'version' | 'error'>;
export type { ServerCounts };

/** Which part of the farm a snapshot describes. */
export type Scope =
  | { kind: 'server'; id: string; site: string | undefined }
  | { kind: 'site'; site: string }
  | { kind: 'farm' }
  | { kind: 'host'; host: string; site: string | undefined }
  | { kind: 'other' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function scopeOf(m: MetricsMessage): Scope {
  if (m.scope === 'farm') return { kind: 'farm' };
  const site = str(m.site);
  if (m.scope === 'site' && site !== undefined) return { kind: 'site', site };
  const server = str(m.server);
  if (server !== undefined && (m.status === 'up' || m.status === 'down')) return { kind: 'server', id: server, site };
  const host = str(m.host);
  if (host !== undefined && m.system !== undefined) return { kind: 'host', host, site };
  return { kind: 'other' };
}

export function featuresOf(m: MetricsMessage): Feature[] {
  if (!Array.isArray(m.features)) return [];
  const features: Feature[] = [];
  for (const f of m.features as unknown[]) {
    if (!isObject(f) || typeof f.name !== 'string') continue;
    const issued = num(f.issued) ?? null;
    const expiry = f.expiry === null ? null : str(f.expiry);
    features.push({ name: f.name, vendor: str(f.vendor) ?? null, issued, used: num(f.used) ?? 0, queued: num(f.queued) ?? 0, ...(expiry !== undefined && { expiry }) });
  }
  return foldUnknownVendors(features);
}

/**
 * lmstat names a feature's vendor only in its checkout lines, so where nobody uses a feature its
 * vendor is null — and a roll-up then lists it apart from the same feature (vendor known) on
 * other servers. Fold such an entry into the named one when the name is unambiguous.
 */
function foldUnknownVendors(features: Feature[]): Feature[] {
  const named = new Map<string, Feature[]>();
  for (const f of features) if (f.vendor !== null) named.set(f.name, [...(named.get(f.name) ?? []), f]);
  const folded = new Map<Feature, Feature>();
  const out: Feature[] = [];
  for (const f of features) {
    const into = f.vendor === null ? named.get(f.name) : undefined;
    if (into?.length !== 1) {
      out.push(f);
      continue;
    }
    const target = into[0]!;
    const sum = folded.get(target) ?? target;
    folded.set(target, { ...sum, issued: sum.issued === null || f.issued === null ? null : sum.issued + f.issued, used: sum.used + f.used, queued: sum.queued + f.queued });
  }
  return out.map((f) => folded.get(f) ?? f);
}

export function hostsOf(m: MetricsMessage): ServerHost[] {
  if (!Array.isArray(m.hosts)) return [];
  return (m.hosts as unknown[]).filter(isObject).flatMap((h) => {
    const host = str(h.host);
    if (host === undefined) return [];
    const error = str(h.error);
    return [{ host, status: h.status === 'up' ? 'up' : 'down', master: h.master === true, ...(error !== undefined && { error }) } satisfies ServerHost];
  });
}

export function vendorsOf(m: MetricsMessage): VendorDaemon[] {
  if (!Array.isArray(m.vendors)) return [];
  return (m.vendors as unknown[]).filter(isObject).flatMap((v) => {
    const name = str(v.name);
    if (name === undefined) return [];
    const error = str(v.error);
    return [{ name, status: v.status === 'up' ? 'up' : 'down', version: str(v.version) ?? null, ...(error !== undefined && { error }) } satisfies VendorDaemon];
  });
}

export function serverCountsOf(m: MetricsMessage): ServerCounts | undefined {
  const s = m.servers;
  if (!isObject(s)) return undefined;
  const [total, up, down, stale] = [num(s.total), num(s.up), num(s.down), num(s.stale)];
  return total === undefined || up === undefined || down === undefined ? undefined : { total, up, down, stale: stale ?? 0 };
}

/** The license servers a host runs (host metrics name them). */
export function hostServersOf(m: MetricsMessage): string[] {
  return Array.isArray(m.servers) ? (m.servers as unknown[]).filter((s): s is string => typeof s === 'string') : [];
}
