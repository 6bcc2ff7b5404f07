// The simulator writes what real license servers write — debug-log lines and lmstat output —
// and the collector reads it with the real parsers and alert rules.
import { describe, expect, it } from 'vitest';
import { AlertEngine } from '../../collector/alerts/alert-engine.ts';
import { MemoryAlertState } from '../../collector/alerts/alert-state.ts';
import { pollRules } from '../../collector/alerts/rules/poll-rules.ts';
import { AlertRulesSchema } from '../../collector/farm/alert-rules-config.ts';
import { StatusReader } from '../../collector/license/status-reader.ts';
import { DebugLogParser, type DebugLogEvent } from '../../collector/parsers/debuglog.ts';
import { parseLmstat } from '../../collector/parsers/lmstat.ts';
import { parseLmstatI } from '../../collector/parsers/lmstat-i.ts';
import { SimulatedFarm, type SimLine } from '../../collector/sim/farm.ts';
import { hasQuorum } from '../../collector/sim/flexlm-text.ts';
import { simulatedTools } from '../../collector/sim/simulated-tools.ts';
import { simulatedFarm } from '../../collector/sources/simulated-farm.ts';
import type { AlertMessage } from '../../shared/protocol/index.ts';

const SITES = ['berlin', 'austin', 'pune'];
const START = Date.parse('2024-01-15T10:00:00Z');

/** A seeded farm on a fake clock; `every(step)` runs after each of `steps` happenings, 250 ms apart. */
function run(seed: number, steps: number, every: (farm: SimulatedFarm, lines: SimLine[], now: number) => void = () => undefined): { farm: SimulatedFarm; lines: SimLine[] } {
  let now = START;
  const farm = new SimulatedFarm({ sites: SITES, serversPerSite: 3, seed, clock: () => now });
  const lines: SimLine[] = [];
  for (let i = 0; i < steps; i++) {
    now += 250;
    const step = farm.step();
    lines.push(...step);
    every(farm, step, now);
  }
  return { farm, lines };
}

describe('simulated farm', () => {
  it('replays exactly with the same seed, and differs with another', () => {
    const a = run(7, 2000).lines;
    expect(a.length).toBeGreaterThan(1500);
    expect(JSON.stringify(run(7, 2000).lines)).toBe(JSON.stringify(a));
    expect(JSON.stringify(run(8, 2000).lines)).not.toBe(JSON.stringify(a));
  });

  it('lays out sites, servers and triads with FlexLM-like names', () => {
    const { farm } = run(1, 0);
    expect(farm.servers.map((s) => s.id)).toEqual(SITES.flatMap((site) => [1, 2, 3].map((i) => `flexlm-${site}-0${i}`)));
    expect(farm.server('flexlm-berlin-02')!.hosts).toEqual(['lic-berlin-02a', 'lic-berlin-02b', 'lic-berlin-02c']);
    for (const server of farm.servers) expect(server.features.length).toBeGreaterThanOrEqual(2);
  });

  it('writes debug-log lines the real parser reads completely, with every kind of event, at the time they happened', () => {
    let now = START;
    const parsers = new Map<string, DebugLogParser>();
    const events: DebugLogEvent[] = [];
    const late: string[] = [];
    run(42, 20_000, (_farm, step, at) => {
      now = at;
      for (const { server, line } of step) {
        const parser = parsers.get(server) ?? new DebugLogParser({ timeZone: 'UTC', now: () => new Date(now) });
        parsers.set(server, parser);
        const chunk = parser.push(line);
        expect(chunk.unparsed, line).toEqual([]);
        for (const event of chunk.events) {
          events.push(event);
          if (Math.abs(Date.parse(event.timestamp) - at) >= 1000) late.push(`${event.timestamp} ${line}`);
        }
      }
    });
    expect(late).toEqual([]);
    const kinds = new Set(events.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['denied', 'dequeued', 'exiting', 'in', 'lost-connection', 'lost-quorum', 'out', 'queued', 'started']);
    for (const e of events.filter((e) => e.kind === 'denied')) expect(e).toMatchObject({ level: 'warn', feature: expect.any(String), user: expect.any(String), reason: expect.stringContaining('Licensed number of users') });
  });

  it('prints lmstat -a and -i output that parses back to the farm\'s state', () => {
    const checked = { down: 0, degraded: 0, queued: 0 };
    run(42, 20_000, (farm, _step, now) => {
      if ((now - START) % 25_000 !== 0) return;
      for (const server of farm.servers) {
        const status = parseLmstat(farm.lmstat(server), { now: new Date(now), timeZone: 'UTC' });
        expect(status.unparsed).toEqual([]);
        expect(status.reachable).toBe(server.downHosts.size < server.hosts.length);
        if (!status.reachable) checked.down++;
        if (!hasQuorum(server)) {
          expect(status.vendors.every((v) => v.status === 'down')).toBe(true);
          continue;
        }
        if (server.downHosts.size > 0) checked.degraded++;
        expect(status.servers.map((s) => [s.host, s.status])).toEqual(server.hosts.map((h) => [h, server.downHosts.has(h) ? 'down' : 'up']));
        expect(status.features.map((f) => [f.name, f.issued, f.used, f.queued])).toEqual(server.features.map((f) => [f.name, f.issued, f.used, f.queue.length]));
        checked.queued += server.features.reduce((n, f) => n + f.queue.length, 0);
        for (const f of status.features) expect(f.checkouts.reduce((n, c) => n + c.count, 0)).toBe(f.used);
        const table = parseLmstatI(farm.lmstatI(server));
        expect(table.unparsed).toEqual([]);
        expect(table.expiries).toEqual(Object.fromEntries(server.features.map((f) => [f.name, f.expiry])));
      }
    });
    expect(checked.down).toBeGreaterThan(0);
    expect(checked.degraded).toBeGreaterThan(0);
    expect(checked.queued).toBeGreaterThan(0);
  });

  it('drives the real alert rules: every key alternates firing and resolved, at the rules\' levels', async () => {
    let now = START;
    const farm = new SimulatedFarm({ sites: SITES, serversPerSite: 3, seed: 42, clock: () => now });
    const { config } = simulatedFarm({ SIM_SITES: SITES, SIM_SERVERS_PER_SITE: 3, SIM_RATE: 0, SIM_METRICS_INTERVAL_MS: 1000, SIM_SEED: 42 });
    const reader = new StatusReader(simulatedTools(farm), () => now);
    const engine = new AlertEngine(new MemoryAlertState());
    const rules = AlertRulesSchema.parse({});
    const alerts: AlertMessage[] = [];
    const signal = new AbortController().signal;
    for (let i = 0; i < 20_000; i++) {
      now += 250;
      farm.step();
      if (i % 40 !== 0) continue;
      for (const server of config.servers) {
        const status = await reader.read(server, signal);
        alerts.push(...(await engine.evaluate(server.id, pollRules(server, status, rules, new Date(now)))));
      }
    }
    expect(new Set(alerts.map((a) => a.rule))).toEqual(new Set(['feature_utilization', 'feature_saturated', 'license_expiry', 'server_down', 'triad_member_down', 'quorum_lost', 'vendor_down']));
    const byKey = new Map<string, AlertMessage[]>();
    for (const alert of alerts) byKey.set(alert.key, [...(byKey.get(alert.key) ?? []), alert]);
    for (const [key, history] of byKey) {
      history.forEach((alert, i) => expect(alert.status, `${key} #${i}`).toBe(i % 2 === 0 ? 'firing' : 'resolved'));
      for (const alert of history) {
        expect(alert.site).toBe(key.split(':')[1]);
        expect(alert.metadata?.server).toBe(key.split(':')[2]);
        if (alert.status === 'resolved') expect(alert.level).toBe('info');
      }
    }
    const levels = Object.fromEntries(alerts.filter((a) => a.status === 'firing').map((a) => [a.rule, a.level]));
    expect(levels).toMatchObject({ server_down: 'critical', quorum_lost: 'critical', triad_member_down: 'warn', feature_utilization: 'warn', vendor_down: 'error' });
  });
});
