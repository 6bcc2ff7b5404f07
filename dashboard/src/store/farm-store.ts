// The farm as its latest metrics describe it: sites → license servers (status, triad hosts,
// vendor daemons, license totals), the per-site and farm roll-ups, and each host's cpu, memory
// and disk. Latest value only: metrics are snapshots, a newer one replaces the older.
import type { MetricsMessage } from '@licmon/client';
import { hostServersOf, hostsOf, serverCountsOf, vendorsOf, type Scope, type ServerCounts, type ServerHost, type VendorDaemon } from '../metrics-fields.ts';

type Licenses = NonNullable<MetricsMessage['licenses']>;
type System = NonNullable<MetricsMessage['system']>;

export interface ServerView {
  readonly id: string;
  readonly site: string;
  readonly address: string | undefined;
  readonly status: 'up' | 'down';
  readonly error: string | undefined;
  readonly hosts: readonly ServerHost[];
  readonly vendors: readonly VendorDaemon[];
  readonly licenses: Licenses | undefined;
}

export interface SiteView {
  readonly name: string;
  counts: ServerCounts | undefined;
  licenses: Licenses | undefined;
  readonly servers: Map<string, ServerView>;
}

export interface HostView {
  readonly host: string;
  readonly site: string | undefined;
  readonly servers: readonly string[];
  readonly system: System;
}

/** Servers reported without a site (a farm configured without sites) are shown under this name. */
export const NO_SITE = '(no site)';

export class FarmStore {
  readonly sites = new Map<string, SiteView>();
  readonly hosts = new Map<string, HostView>();
  farm: { counts: ServerCounts | undefined; licenses: Licenses | undefined } = { counts: undefined, licenses: undefined };

  /** Take in one snapshot; answers which panel it changes. */
  apply(m: MetricsMessage, scope: Scope): 'farm' | 'hosts' | undefined {
    switch (scope.kind) {
      case 'farm':
        this.farm = { counts: serverCountsOf(m), licenses: m.licenses };
        return 'farm';
      case 'site': {
        const site = this.site(scope.site);
        site.counts = serverCountsOf(m);
        site.licenses = m.licenses;
        return 'farm';
      }
      case 'server': {
        const site = this.site(scope.site ?? NO_SITE);
        site.servers.set(scope.id, {
          id: scope.id,
          site: site.name,
          address: typeof m.address === 'string' ? m.address : undefined,
          status: m.status === 'up' ? 'up' : 'down',
          error: typeof m.error === 'string' ? m.error : undefined,
          hosts: hostsOf(m),
          vendors: vendorsOf(m),
          licenses: m.licenses,
        });
        return 'farm';
      }
      case 'host':
        if (!m.system) return undefined;
        this.hosts.set(scope.host, { host: scope.host, site: scope.site, servers: hostServersOf(m), system: m.system });
        return 'hosts';
      default:
        return undefined;
    }
  }

  private site(name: string): SiteView {
    let site = this.sites.get(name);
    if (!site) this.sites.set(name, (site = { name, counts: undefined, licenses: undefined, servers: new Map() }));
    return site;
  }
}
