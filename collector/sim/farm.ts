// A simulated license farm: users check licenses out and in, demand drifts so utilization
// swings, full features deny (and some users queue), servers and triad members go down and come
// back. step() is one happening, answered as the debug-log lines the license servers write;
// lmstat()/lmstatI() are what `lmutil lmstat` would print now. The collector reads both through
// the real parsers, exactly as it reads a real farm. Time comes from `clock`, randomness from
// the seed, so a run is reproducible.
import { DENIAL_REASONS } from './catalog.ts';
import { buildFarm, type FeatureState, type Person, type ServerState, type SiteState } from './farm-layout.ts';
import { debugLine, hasQuorum, lmstatA, lmstatI, usDate } from './flexlm-text.ts';
import { Random } from './random.ts';

export interface FarmOptions {
  readonly sites: readonly string[];
  readonly serversPerSite: number;
  readonly seed?: number | undefined;
  readonly clock?: () => number;
}

/** A debug-log line and the server whose log it is in. */
export interface SimLine {
  readonly server: string;
  readonly line: string;
}

/** On average one outage (a server or a triad member) per this many ms across the farm. */
const MEAN_MS_BETWEEN_OUTAGES = 90_000;
/** On average one feature's demand changes per this many ms: utilization swings. */
const MEAN_MS_BETWEEN_DEMAND_SHIFTS = 2_000;
const OUTAGE_MS = { min: 10_000, max: 60_000 };
/** lmgrd writes a TIMESTAMP line now and then; the parser dates lines from it. */
const TIMESTAMP_CHANCE = 0.03;
const MAX_QUEUE = 3;

export class SimulatedFarm {
  readonly sites: SiteState[];
  readonly servers: ServerState[];
  readonly seed: number;
  private readonly events: Random;
  private readonly hosts: Random;
  private readonly clock: () => number;
  /** Down hosts of each server, with when they come back. */
  private readonly outages = new Map<ServerState, Map<string, number>>();
  /** Servers whose log has its first line (a TIMESTAMP) written. */
  private readonly dated = new Set<ServerState>();
  private lastStepAt: number;
  private nextHandle = 100;

  constructor(options: FarmOptions) {
    const root = new Random(options.seed);
    this.seed = root.seed;
    this.clock = options.clock ?? Date.now;
    const layout = root.fork();
    this.events = root.fork();
    this.hosts = root.fork();
    this.sites = buildFarm(options.sites, options.serversPerSite, layout, this.clock());
    this.servers = this.sites.flatMap((site) => site.servers);
    for (const site of this.sites) for (const server of site.servers) this.warmUp(server, site, layout);
    this.lastStepAt = this.clock();
  }

  server(id: string): ServerState | undefined {
    return this.servers.find((s) => s.id === id);
  }

  /** What `lmutil lmstat -a -c <address>` prints now. */
  lmstat(server: ServerState): string {
    return lmstatA(server, this.clock());
  }

  /** What `lmutil lmstat -i -c <address>` prints (the license file's feature table). */
  lmstatI(server: ServerState): string {
    return lmstatI(server, this.clock());
  }

  /** One happening on the farm, as the debug-log lines it writes (usually one). */
  step(): SimLine[] {
    const now = this.clock();
    const elapsed = Math.min(Math.max(now - this.lastStepAt, 0), 10_000);
    this.lastStepAt = now;
    const out: SimLine[] = [];
    this.recover(now, out);
    if (this.events.chance(elapsed / MEAN_MS_BETWEEN_OUTAGES)) this.outage(now, out);
    if (this.events.chance(elapsed / MEAN_MS_BETWEEN_DEMAND_SHIFTS)) this.shiftDemand();
    this.licenseActivity(now, out);
    return out;
  }

  /** Host figures drift a little on every call: one look at every server's machine. */
  sampleHosts(): ServerState[] {
    for (const { host } of this.servers) {
      host.cpuUsage = clamp(host.cpuUsage + this.hosts.float(-6, 6), 2, 98);
      host.memoryUsed = clamp(host.memoryUsed + host.memoryTotal * this.hosts.float(-0.02, 0.02), host.memoryTotal * 0.2, host.memoryTotal * 0.95);
      host.diskUsed = clamp(host.diskUsed + host.diskTotal * this.hosts.float(-0.001, 0.0015), host.diskTotal * 0.1, host.diskTotal * 0.98);
    }
    return this.servers;
  }

  private write(out: SimLine[], server: ServerState, now: number, daemon: string, text: string): void {
    if (!this.dated.has(server) || this.events.chance(TIMESTAMP_CHANCE)) {
      this.dated.add(server);
      out.push({ server: server.id, line: debugLine(now, 'lmgrd', `TIMESTAMP ${usDate(now)}`) });
    }
    out.push({ server: server.id, line: debugLine(now, daemon, text) });
  }

  private licenseActivity(now: number, out: SimLine[]): void {
    const site = this.events.pick(this.sites);
    const serving = site.servers.filter(hasQuorum);
    if (serving.length === 0) return;
    const server = this.events.pick(serving);
    const feature = this.events.pick(server.features);
    const wantsMore = feature.used / feature.issued < feature.demand;
    if (feature.checkouts.length > 0 && !this.events.chance(wantsMore ? 0.75 : 0.3)) {
      const [gone] = feature.checkouts.splice(this.events.int(0, feature.checkouts.length - 1), 1);
      feature.used -= gone!.count;
      this.write(out, server, now, feature.vendor, `IN: "${feature.name}" ${gone!.user}@${gone!.host}  ${licenses(gone!.count)}`);
      const next = feature.queue.shift();
      if (next && feature.used < feature.issued) {
        this.write(out, server, now, feature.vendor, `DEQUEUED: "${feature.name}" ${next.user}@${next.host}  `);
        this.checkOut(server, feature, next, 1, now, out);
      }
      return;
    }
    const person = this.events.pick(site.people);
    const count = this.events.chance(0.85) ? 1 : this.events.int(2, 4);
    if (feature.used + count <= feature.issued) return this.checkOut(server, feature, person, count, now, out);
    this.write(out, server, now, feature.vendor, `DENIED: "${feature.name}" ${person.user}@${person.host}  ${licenses(count)}(${DENIAL_REASONS.full})`);
    if (count === 1 && feature.queue.length < MAX_QUEUE && this.events.chance(0.3) && !feature.queue.some((q) => q.user === person.user)) {
      feature.queue.push(person);
      this.write(out, server, now, feature.vendor, `QUEUED: "${feature.name}" ${person.user}@${person.host}  `);
    }
  }

  private checkOut(server: ServerState, feature: FeatureState, person: Person, count: number, now: number, out: SimLine[]): void {
    feature.checkouts.push({ ...person, count, since: now, handle: this.nextHandle++ });
    feature.used += count;
    this.write(out, server, now, feature.vendor, `OUT: "${feature.name}" ${person.user}@${person.host}  ${licenses(count)}`);
  }

  private shiftDemand(): void {
    const feature = this.events.pick(this.events.pick(this.servers).features);
    feature.demand = this.events.float(0.1, 1.2);
  }

  private outage(now: number, out: SimLine[]): void {
    // Trouble clusters (a rack, a network segment): half the time it strikes a triad already missing a member.
    const degraded = this.servers.filter((s) => s.downHosts.size > 0 && hasQuorum(s));
    const server = degraded.length > 0 && this.events.chance(0.5) ? this.events.pick(degraded) : this.events.pick(this.servers);
    const down = this.outages.get(server) ?? new Map<string, number>();
    const candidates = server.hosts.filter((h) => !down.has(h));
    if (!hasQuorum(server) || candidates.length === 0) return;
    const host = this.events.pick(candidates);
    down.set(host, now + this.events.float(OUTAGE_MS.min, OUTAGE_MS.max));
    this.outages.set(server, down);
    server.downHosts.add(host);
    if (server.hosts.length > 1) this.write(out, server, now, 'lmgrd', `Lost connection to ${host}`);
    if (hasQuorum(server)) return;
    if (server.hosts.length > 1) this.write(out, server, now, 'lmgrd', 'Lost quorum');
    for (const vendor of server.vendors) {
      this.write(out, server, now, vendor, 'Lost connection to lmgrd, heartbeat timeout expired, exiting.');
      this.write(out, server, now, vendor, 'EXITING DUE TO SIGNAL 37 Exit reason 5');
    }
    // Clients lose their licenses with the vendor daemons.
    for (const feature of server.features) {
      feature.checkouts.length = 0;
      feature.queue.length = 0;
      feature.used = 0;
    }
  }

  private recover(now: number, out: SimLine[]): void {
    for (const [server, down] of this.outages) {
      const hadQuorum = hasQuorum(server);
      for (const [host, until] of down) {
        if (until > now) continue;
        down.delete(host);
        server.downHosts.delete(host);
      }
      if (!hadQuorum && hasQuorum(server)) {
        const master = server.hosts.find((h) => !server.downHosts.has(h))!;
        this.write(out, server, now, 'lmgrd', `FlexNet Licensing (v11.16.2.0 build 242433 x64_lsb) started on ${master} (IBM PC) (${usDate(now)})`);
        for (const vendor of server.vendors) {
          const served = server.features.filter((f) => f.vendor === vendor).map((f) => f.name);
          this.write(out, server, now, vendor, `Server started on ${master} for:\t${served.join('\t')}`);
        }
      }
      if (down.size === 0) this.outages.delete(server);
    }
  }

  /** Start with licenses already in use (a little below each feature's demand), as a real farm would. */
  private warmUp(server: ServerState, site: SiteState, random: Random): void {
    const now = this.clock();
    for (const feature of server.features) {
      const target = Math.min(feature.issued, Math.floor(feature.issued * Math.min(feature.demand, 0.85)));
      while (feature.used < target) {
        feature.checkouts.push({ ...random.pick(site.people), count: 1, since: now - random.int(60_000, 8 * 3600_000), handle: this.nextHandle++ });
        feature.used += 1;
      }
    }
  }
}

/** The `(N licenses)` of a usage line, only when more than one. */
function licenses(count: number): string {
  return count > 1 ? `(${count} licenses) ` : '';
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
