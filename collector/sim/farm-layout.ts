// The shape of a simulated farm: per site, license servers (some of them FlexLM triads), each
// serving a few vendor daemons' features with issued counts. Built once from the seed.
import { USER_NAMES, VENDORS } from './catalog.ts';
import type { Random } from './random.ts';

export interface Checkout {
  readonly user: string;
  readonly host: string;
  readonly count: number;
}

export interface FeatureState {
  readonly name: string;
  readonly vendor: string;
  readonly issued: number;
  /** Open checkouts; `used` is the sum of their counts. */
  readonly checkouts: Checkout[];
  used: number;
  /** The utilization (0..~1.2) people want right now; usage drifts towards it. Above 1 means denials. */
  demand: number;
}

export interface HostState {
  readonly cores: number;
  readonly memoryTotal: number;
  readonly diskTotal: number;
  cpuUsage: number;
  memoryUsed: number;
  diskUsed: number;
}

export interface ServerState {
  /** The license server's id, e.g. `flexlm-berlin-01`; also the metrics `source`. */
  readonly id: string;
  readonly site: string;
  readonly port: number;
  /** One host, or three for a triad (the first is the master while it is up). */
  readonly hosts: readonly string[];
  readonly features: FeatureState[];
  readonly host: HostState;
  up: boolean;
  /** Triad members that are down (the server stays up while two of three remain). */
  readonly downMembers: Set<string>;
}

export interface SiteState {
  readonly name: string;
  readonly servers: ServerState[];
  /** Who works at this site: `user@host` pairs that check licenses out. */
  readonly people: ReadonlyArray<{ user: string; host: string }>;
}

const GIB = 1024 ** 3;

export function buildFarm(sites: readonly string[], serversPerSite: number, random: Random): SiteState[] {
  return sites.map((site) => ({
    name: site,
    servers: Array.from({ length: serversPerSite }, (_, i) => buildServer(site, i + 1, random)),
    people: Array.from({ length: 24 }, (_, i) => ({
      user: random.pick(USER_NAMES),
      host: `ws-${site}-${String(i * 7 + random.int(1, 6)).padStart(3, '0')}`,
    })),
  }));
}

function buildServer(site: string, index: number, random: Random): ServerState {
  const id = `flexlm-${site}-${String(index).padStart(2, '0')}`;
  // Every third server is a triad, as large sites run their busiest license files redundantly.
  const triad = index % 3 === 2;
  const hosts = triad ? ['a', 'b', 'c'].map((m) => `lic-${site}-${String(index).padStart(2, '0')}${m}`) : [`lic-${site}-${String(index).padStart(2, '0')}`];
  const vendors = pickDistinct(VENDORS, 2, random);
  const features = vendors.flatMap((vendor) =>
    pickDistinct(vendor.features, random.int(1, 3), random).map((name) => ({
      name,
      vendor: vendor.daemon,
      issued: random.pick([4, 5, 8, 10, 12, 16, 20, 25, 30, 40, 50]),
      checkouts: [],
      used: 0,
      demand: random.float(0.3, 0.95),
    })),
  );
  const cores = random.pick([4, 8, 16]);
  const memoryTotal = random.pick([8, 16, 32]) * GIB;
  const diskTotal = random.pick([100, 250, 500]) * GIB;
  return {
    id,
    site,
    port: 27000 + index,
    hosts,
    features,
    host: { cores, memoryTotal, diskTotal, cpuUsage: random.float(5, 40), memoryUsed: memoryTotal * random.float(0.3, 0.6), diskUsed: diskTotal * random.float(0.2, 0.7) },
    up: true,
    downMembers: new Set(),
  };
}

function pickDistinct<T>(items: readonly T[], count: number, random: Random): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0) picked.push(pool.splice(random.int(0, pool.length - 1), 1)[0]!);
  return picked;
}
