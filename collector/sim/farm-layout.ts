// The shape of a simulated farm: per site, license servers (some of them FlexLM triads), each
// serving a few vendor daemons' features with issued counts and expiry dates. Built once from
// the seed; farm.ts then changes the state (checkouts, queues, outages) as time passes.
import { USER_NAMES, VENDORS } from './catalog.ts';
import type { Random } from './random.ts';

export interface Person {
  readonly user: string;
  readonly host: string;
}

export interface Checkout extends Person {
  readonly count: number;
  /** When it was checked out (ms since the epoch). */
  readonly since: number;
  /** lmgrd's handle number, shown by lmstat. */
  readonly handle: number;
}

export interface FeatureState {
  readonly name: string;
  readonly vendor: string;
  readonly version: string;
  readonly issued: number;
  /** ISO date, or null for a permanent license. */
  readonly expiry: string | null;
  /** Open checkouts; `used` is the sum of their counts. */
  readonly checkouts: Checkout[];
  used: number;
  /** People waiting for a license (FlexLM's QUEUED). */
  readonly queue: Person[];
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
  /** The license server's id, e.g. `flexlm-berlin-01`; also its metrics `source`. */
  readonly id: string;
  readonly site: string;
  readonly port: number;
  /** One host, or three for a triad (the first one up is the master). */
  readonly hosts: readonly string[];
  readonly vendors: readonly string[];
  readonly features: FeatureState[];
  readonly host: HostState;
  /** Hosts that are down; the server serves while a quorum (all of one, two of three) is up. */
  readonly downHosts: Set<string>;
}

export interface SiteState {
  readonly name: string;
  readonly servers: ServerState[];
  /** Who works at this site and checks licenses out. */
  readonly people: readonly Person[];
}

const GIB = 1024 ** 3;
const DAY_MS = 86_400_000;

export function buildFarm(sites: readonly string[], serversPerSite: number, random: Random, now: number): SiteState[] {
  return sites.map((site) => ({
    name: site,
    servers: Array.from({ length: serversPerSite }, (_, i) => buildServer(site, i + 1, random, now)),
    people: Array.from({ length: 24 }, (_, i) => ({
      user: random.pick(USER_NAMES),
      host: `ws-${site}-${String(i * 7 + random.int(1, 6)).padStart(3, '0')}`,
    })),
  }));
}

function buildServer(site: string, index: number, random: Random, now: number): ServerState {
  const number = String(index).padStart(2, '0');
  // Every third server is a triad, as large sites run their busiest license files redundantly.
  const triad = index % 3 === 2;
  const hosts = triad ? ['a', 'b', 'c'].map((m) => `lic-${site}-${number}${m}`) : [`lic-${site}-${number}`];
  const vendors = pickDistinct(VENDORS, 2, random);
  const features = vendors.flatMap((vendor) =>
    pickDistinct(vendor.features, random.int(1, 3), random).map((name) => ({
      name,
      vendor: vendor.daemon,
      version: random.pick(['2024.000', '23.1', '11.0', '2023.100']),
      issued: random.pick([4, 5, 8, 10, 12, 16, 20, 25, 30, 40, 50]),
      expiry: expiryFrom(now, random),
      checkouts: [],
      used: 0,
      queue: [],
      demand: random.float(0.3, 0.95),
    })),
  );
  const cores = random.pick([4, 8, 16]);
  const memoryTotal = random.pick([8, 16, 32]) * GIB;
  const diskTotal = random.pick([100, 250, 500]) * GIB;
  return {
    id: `flexlm-${site}-${number}`,
    site,
    port: 27000 + index,
    hosts,
    vendors: vendors.map((v) => v.daemon),
    features,
    host: { cores, memoryTotal, diskTotal, cpuUsage: random.float(5, 40), memoryUsed: memoryTotal * random.float(0.3, 0.6), diskUsed: diskTotal * random.float(0.2, 0.7) },
    downHosts: new Set(),
  };
}

/** Mostly permanent or far off; now and then within the 90/30/7-day windows license admins watch. */
function expiryFrom(now: number, random: Random): string | null {
  const roll = random.next();
  if (roll < 0.5) return null;
  const days = roll < 0.9 ? random.int(120, 900) : random.int(3, 85);
  return new Date(now + days * DAY_MS).toISOString().slice(0, 10);
}

function pickDistinct<T>(items: readonly T[], count: number, random: Random): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0) picked.push(pool.splice(random.int(0, pool.length - 1), 1)[0]!);
  return picked;
}
