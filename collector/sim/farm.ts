// A simulated license farm: users check licenses out and in, demand drifts so utilization
// swings, full features deny, servers (and triad members) go down and come back. Each call
// to step() is one happening, returned as the messages a collector would publish; snapshot()
// is one metrics poll of every server. Time comes from `clock`, randomness from the seed, so a
// run is reproducible.
import type { MetricsMessage, StreamMessage } from '../../shared/protocol/index.ts';
import { AlertTracker, thresholdTransition } from '../alerts/alert-tracker.ts';
import { DENIAL_REASONS } from './catalog.ts';
import { buildFarm, type FeatureState, type ServerState, type SiteState } from './farm-layout.ts';
import { licenseAlert, licenseLog, metricsSnapshot, utilizationOf } from './farm-messages.ts';
import { Random } from './random.ts';

export interface FarmOptions {
  readonly sites: readonly string[];
  readonly serversPerSite: number;
  readonly seed?: number | undefined;
  readonly clock?: () => number;
}

/** Fire at 90% utilization, resolve below 80%: a feature hovering at 90% does not flap. */
export const UTILIZATION_THRESHOLD = { fireAt: 90, clearBelow: 80 };
/** On average one outage (a server or a triad member) per this many ms across the farm. */
const MEAN_MS_BETWEEN_OUTAGES = 90_000;
/** On average one feature's demand changes per this many ms: utilization swings. */
const MEAN_MS_BETWEEN_DEMAND_SHIFTS = 2_000;
const OUTAGE_MS = { min: 10_000, max: 60_000 };

export class SimulatedFarm {
  readonly sites: SiteState[];
  readonly servers: ServerState[];
  readonly seed: number;
  private readonly events: Random;
  private readonly hosts: Random;
  private readonly clock: () => number;
  private readonly alerts = new AlertTracker();
  /** Down hosts of each server, with when they come back. */
  private readonly outages = new Map<ServerState, Map<string, number>>();
  private lastStepAt: number;

  constructor(options: FarmOptions) {
    const root = new Random(options.seed);
    this.seed = root.seed;
    this.clock = options.clock ?? Date.now;
    const layout = root.fork();
    this.events = root.fork();
    this.hosts = root.fork();
    this.sites = buildFarm(options.sites, options.serversPerSite, layout);
    this.servers = this.sites.flatMap((site) => site.servers);
    for (const site of this.sites) for (const server of site.servers) warmUp(server, site, layout);
    this.lastStepAt = this.clock();
  }

  /** One happening on the farm, as the messages it produces (usually one log). */
  step(): StreamMessage[] {
    const now = this.clock();
    const elapsed = Math.min(Math.max(now - this.lastStepAt, 0), 10_000);
    this.lastStepAt = now;
    const ts = new Date(now).toISOString();
    const out: StreamMessage[] = [];
    this.recover(now, ts, out);
    if (this.events.chance(elapsed / MEAN_MS_BETWEEN_OUTAGES)) this.outage(now, ts, out);
    if (this.events.chance(elapsed / MEAN_MS_BETWEEN_DEMAND_SHIFTS)) this.shiftDemand();
    this.licenseActivity(ts, out);
    return out;
  }

  /** One metrics poll: a snapshot per license server, host figures drifting a little each time. */
  snapshot(): MetricsMessage[] {
    const ts = new Date(this.clock()).toISOString();
    return this.servers.map((server) => {
      const { host } = server;
      host.cpuUsage = clamp(host.cpuUsage + this.hosts.float(-6, 6), 2, 98);
      host.memoryUsed = clamp(host.memoryUsed + host.memoryTotal * this.hosts.float(-0.02, 0.02), host.memoryTotal * 0.2, host.memoryTotal * 0.95);
      host.diskUsed = clamp(host.diskUsed + host.diskTotal * this.hosts.float(-0.001, 0.0015), host.diskTotal * 0.1, host.diskTotal * 0.98);
      return metricsSnapshot(server, ts);
    });
  }

  private licenseActivity(ts: string, out: StreamMessage[]): void {
    const site = this.events.pick(this.sites);
    const up = site.servers.filter((s) => s.up);
    if (up.length === 0) return;
    const server = this.events.pick(up);
    const feature = this.events.pick(server.features);
    const base = { feature: feature.name, vendor: feature.vendor, issued: feature.issued };
    if (this.events.chance(0.03)) {
      out.push(licenseLog(server, ts, 'debug', `(${feature.vendor}) TIMESTAMP ${usDate(ts)}`, { vendor: feature.vendor }));
      return;
    }
    const wantsMore = feature.used / feature.issued < feature.demand;
    if (feature.checkouts.length > 0 && !this.events.chance(wantsMore ? 0.75 : 0.3)) {
      const [gone] = feature.checkouts.splice(this.events.int(0, feature.checkouts.length - 1), 1);
      feature.used -= gone!.count;
      const meta = { ...base, user: gone!.user, host: gone!.host, count: gone!.count, used: feature.used, utilization: utilizationOf(feature) };
      out.push(licenseLog(server, ts, 'info', `(${feature.vendor}) IN: "${feature.name}" ${gone!.user}@${gone!.host}`, meta));
    } else {
      const person = this.events.pick(site.people);
      const count = this.events.chance(0.85) ? 1 : this.events.int(2, 4);
      const meta = { ...base, user: person.user, host: person.host, count };
      if (feature.used + count > feature.issued) {
        const reason = DENIAL_REASONS.full;
        const message = `(${feature.vendor}) DENIED: "${feature.name}" ${person.user}@${person.host}  (${reason})`;
        out.push(licenseLog(server, ts, 'warn', message, { ...meta, reason, used: feature.used, utilization: utilizationOf(feature) }));
        return;
      }
      feature.checkouts.push({ ...person, count });
      feature.used += count;
      const message = `(${feature.vendor}) OUT: "${feature.name}" ${person.user}@${person.host}${count > 1 ? ` (${count} licenses)` : ''}`;
      out.push(licenseLog(server, ts, 'info', message, { ...meta, used: feature.used, utilization: utilizationOf(feature) }));
    }
    this.checkUtilization(server, feature, ts, out);
  }

  private checkUtilization(server: ServerState, feature: FeatureState, ts: string, out: StreamMessage[]): void {
    const key = `feature_utilization:${server.site}:${server.id}:${feature.name}`;
    const utilization = utilizationOf(feature);
    const meta = { feature: feature.name, vendor: feature.vendor, issued: feature.issued, used: feature.used, utilization };
    const transition = thresholdTransition(utilization, this.alerts.isFiring(key), UTILIZATION_THRESHOLD);
    if (transition === 'fire') {
      const message = `License utilization at ${Math.round(utilization)}% for ${feature.name} on ${server.id}`;
      out.push(licenseLog(server, ts, 'warn', message, meta));
      out.push(this.alerts.fire(licenseAlert(server, ts, { rule: 'feature_utilization', key, level: 'warn', message, metadata: { ...meta, threshold: UTILIZATION_THRESHOLD.fireAt } }))!);
    } else if (transition === 'resolve') {
      out.push(this.alerts.resolve(key, { timestamp: ts, message: `License utilization back to ${Math.round(utilization)}% for ${feature.name} on ${server.id}`, metadata: meta })!);
    }
  }

  private shiftDemand(): void {
    const feature = this.events.pick(this.events.pick(this.servers).features);
    feature.demand = this.events.float(0.1, 1.2);
  }

  private outage(now: number, ts: string, out: StreamMessage[]): void {
    const server = this.events.pick(this.servers);
    const down = this.outages.get(server) ?? new Map<string, number>();
    const candidates = server.hosts.filter((h) => !down.has(h));
    if (!server.up || candidates.length === 0) return;
    const host = this.events.pick(candidates);
    down.set(host, now + this.events.float(OUTAGE_MS.min, OUTAGE_MS.max));
    this.outages.set(server, down);
    if (server.hosts.length > 1) {
      const message = `(lmgrd) Lost connection to triad member ${host} of ${server.id}: ${server.hosts.length - down.size} of ${server.hosts.length} remain`;
      out.push(licenseLog(server, ts, 'warn', message, { host, daemon: 'lmgrd' }));
      const spec = { rule: 'triad_member_down', key: `triad_member_down:${server.site}:${server.id}:${host}`, level: 'warn' as const, message, metadata: { host } };
      out.push(this.alerts.fire(licenseAlert(server, ts, spec))!);
    }
    if (server.hosts.length - down.size < quorum(server)) this.serverDown(server, ts, out);
  }

  private recover(now: number, ts: string, out: StreamMessage[]): void {
    for (const [server, down] of this.outages) {
      for (const [host, until] of down) {
        if (until > now) continue;
        down.delete(host);
        const key = `triad_member_down:${server.site}:${server.id}:${host}`;
        const resolved = this.alerts.resolve(key, { timestamp: ts, message: `(lmgrd) Triad member ${host} of ${server.id} is back` });
        if (resolved) out.push(resolved);
      }
      if (!server.up && server.hosts.length - down.size >= quorum(server)) this.serverUp(server, ts, out);
      if (down.size === 0) this.outages.delete(server);
    }
  }

  private serverDown(server: ServerState, ts: string, out: StreamMessage[]): void {
    server.up = false;
    const lost = server.hosts.length > 1 ? 'Lost quorum' : 'Lost connection to license server';
    const message = `(lmgrd) ${lost}: ${server.id} (${server.port}@${server.hosts.join(',')}) is DOWN: ${DENIAL_REASONS.serverDown}`;
    out.push(licenseLog(server, ts, 'error', message, { port: server.port, hosts: server.hosts, daemon: 'lmgrd' }));
    const key = `server_down:${server.site}:${server.id}`;
    out.push(this.alerts.fire(licenseAlert(server, ts, { rule: 'server_down', key, level: 'critical', message: `License server ${server.id} is down`, metadata: { port: server.port, hosts: server.hosts } }))!);
    // Clients lose their licenses with the server; utilization alerts no longer hold.
    for (const feature of server.features) {
      feature.checkouts.length = 0;
      feature.used = 0;
      const resolved = this.alerts.resolve(`feature_utilization:${server.site}:${server.id}:${feature.name}`, {
        timestamp: ts,
        message: `License utilization alert for ${feature.name} on ${server.id} cleared: server down`,
        metadata: { used: 0, utilization: 0 },
      });
      if (resolved) out.push(resolved);
    }
  }

  private serverUp(server: ServerState, ts: string, out: StreamMessage[]): void {
    server.up = true;
    const vendors = [...new Set(server.features.map((f) => f.vendor))];
    out.push(licenseLog(server, ts, 'info', `(lmgrd) License server ${server.id} is UP; vendor daemons started: ${vendors.join(', ')}`, { port: server.port, vendors, daemon: 'lmgrd' }));
    const resolved = this.alerts.resolve(`server_down:${server.site}:${server.id}`, { timestamp: ts, message: `License server ${server.id} is back up` });
    if (resolved) out.push(resolved);
  }
}

/** Servers a triad needs up to serve licenses: two of three (FlexLM's quorum); one alone otherwise. */
function quorum(server: ServerState): number {
  return server.hosts.length === 3 ? 2 : 1;
}

/** Start with licenses already in use (a little below each feature's demand), as a real farm would. */
function warmUp(server: ServerState, site: SiteState, random: Random): void {
  for (const feature of server.features) {
    const target = Math.min(feature.issued, Math.floor(feature.issued * Math.min(feature.demand, 0.85)));
    while (feature.used < target) {
      feature.checkouts.push({ ...random.pick(site.people), count: 1 });
      feature.used += 1;
    }
  }
}

/** FlexLM's TIMESTAMP date: M/D/YYYY. */
function usDate(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
