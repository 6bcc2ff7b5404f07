// Who holds each feature now, from the license servers' latest snapshots (features[].holders,
// holdersOmitted and reservations: shared/protocol/license-detail.ts). Kept per server, replaced
// by each new snapshot of that server.
import type { Holder, MetricsMessage, ReservationDetail } from '@licmon/client';

export interface FeatureHolders {
  readonly server: string;
  readonly site: string | undefined;
  readonly holders: readonly Holder[];
  readonly omitted: number;
  readonly reservations: readonly ReservationDetail[];
}

export class HolderStore {
  /** server → feature name → its holders there */
  private readonly servers = new Map<string, Map<string, FeatureHolders>>();

  /** Take a license server's snapshot (other messages are ignored). */
  apply(m: MetricsMessage): void {
    if (typeof m.server !== 'string' || !Array.isArray(m.features)) return;
    const byFeature = new Map<string, FeatureHolders>();
    for (const f of m.features) {
      if (!Array.isArray(f.holders) && !Array.isArray(f.reservations)) continue;
      byFeature.set(f.name, {
        server: m.server,
        site: m.site,
        holders: Array.isArray(f.holders) ? f.holders : [],
        omitted: typeof f.holdersOmitted === 'number' ? f.holdersOmitted : 0,
        reservations: Array.isArray(f.reservations) ? f.reservations : [],
      });
    }
    this.servers.set(m.server, byFeature);
  }

  /** A feature's holders on the servers of a chart scope (`farm`, `site:<name>` or a server id). */
  of(feature: string, scope: string): FeatureHolders[] {
    const site = scope.startsWith('site:') ? scope.slice(5) : undefined;
    const found: FeatureHolders[] = [];
    for (const [server, byFeature] of this.servers) {
      const entry = byFeature.get(feature);
      if (!entry) continue;
      if (scope === 'farm' || (site !== undefined && entry.site === site) || server === scope) found.push(entry);
    }
    return found;
  }
}
