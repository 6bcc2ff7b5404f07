import { describe, expect, it } from 'vitest';
import { SimulatedFarm, UTILIZATION_THRESHOLD } from '../../collector/sim/farm.ts';
import { StreamMessageSchema, type AlertMessage, type Level, type StreamMessage } from '../../shared/protocol/index.ts';

const SITES = ['berlin', 'austin', 'pune'];
const START = Date.parse('2024-01-15T10:00:00Z');

/** Every kind of log line the farm writes, and the level it must have. */
const LOG_KINDS: ReadonlyArray<[RegExp, string, Level]> = [
  [/^\(\w+\) OUT: "/, 'checkout', 'info'],
  [/^\(\w+\) IN: "/, 'checkin', 'info'],
  [/^\(\w+\) DENIED: "/, 'denial', 'warn'],
  [/^\(\w+\) TIMESTAMP \d+\/\d+\/\d{4}$/, 'timestamp', 'debug'],
  [/^License utilization at \d+% for /, 'utilization', 'warn'],
  [/^\(lmgrd\) Lost (connection to license server|quorum): .* is DOWN/, 'server down', 'error'],
  [/^\(lmgrd\) License server \S+ is UP/, 'server up', 'info'],
  [/^\(lmgrd\) Lost connection to triad member /, 'triad member down', 'warn'],
];

/** Run a seeded farm on a fake clock: `steps` events, 250 ms apart. */
function run(seed: number, steps: number): { farm: SimulatedFarm; messages: StreamMessage[] } {
  let now = START;
  const farm = new SimulatedFarm({ sites: SITES, serversPerSite: 3, seed, clock: () => now });
  const messages: StreamMessage[] = [];
  for (let i = 0; i < steps; i++) {
    now += 250;
    messages.push(...farm.step());
  }
  return { farm, messages };
}

describe('simulated farm', () => {
  it('replays exactly with the same seed, and differs with another', () => {
    const a = run(7, 2000).messages;
    const b = run(7, 2000).messages;
    const c = run(8, 2000).messages;
    expect(a.length).toBeGreaterThan(1500);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it('lays out sites, servers and triads with FlexLM-like names', () => {
    const { farm } = run(1, 0);
    expect(farm.servers.map((s) => s.id)).toEqual(SITES.flatMap((site) => [1, 2, 3].map((i) => `flexlm-${site}-0${i}`)));
    const triad = farm.servers.find((s) => s.id === 'flexlm-berlin-02')!;
    expect(triad.hosts).toEqual(['lic-berlin-02a', 'lic-berlin-02b', 'lic-berlin-02c']);
    for (const server of farm.servers) expect(server.features.length).toBeGreaterThanOrEqual(2);
  });

  it('produces only valid messages, each with its site and server, at sensible levels', () => {
    const { messages } = run(42, 20_000);
    const kinds = new Set<string>();
    for (const message of messages) {
      expect(StreamMessageSchema.safeParse(message).success, JSON.stringify(message)).toBe(true);
      if (message.type === 'metrics') throw new Error('step() must not produce metrics');
      expect(SITES).toContain(message.site);
      expect(message.source).toBe('license-server');
      expect(message.metadata?.server).toMatch(new RegExp(`^flexlm-${message.site}-\\d\\d$`));
      if (message.type === 'alert') continue;
      const known = LOG_KINDS.find(([re]) => re.test(message.message));
      expect(known, message.message).toBeDefined();
      const [, kind, level] = known!;
      kinds.add(kind);
      expect(message.level, message.message).toBe(level);
      if (kind === 'checkout' || kind === 'checkin' || kind === 'denial') {
        expect(message.metadata).toMatchObject({ feature: expect.any(String), user: expect.any(String), host: expect.any(String), vendor: expect.any(String), utilization: expect.any(Number) });
      }
    }
    expect([...kinds].sort()).toEqual(LOG_KINDS.map(([, kind]) => kind).sort());
  });

  it('fires and resolves alerts with stable keys: firing, resolved, firing… per key', () => {
    const { messages } = run(42, 20_000);
    const alerts = messages.filter((m): m is AlertMessage => m.type === 'alert');
    const byKey = new Map<string, AlertMessage[]>();
    for (const alert of alerts) byKey.set(alert.key, [...(byKey.get(alert.key) ?? []), alert]);
    expect(new Set(alerts.map((a) => a.rule))).toEqual(new Set(['feature_utilization', 'server_down', 'triad_member_down']));
    for (const [key, history] of byKey) {
      const [rule, site, server, detail] = key.split(':');
      expect(history.every((a) => a.rule === rule && a.site === site && a.metadata?.server === server)).toBe(true);
      if (rule === 'feature_utilization') expect(history.every((a) => a.metadata?.feature === detail)).toBe(true);
      history.forEach((alert, i) => expect(alert.status, `${key} #${i}`).toBe(i % 2 === 0 ? 'firing' : 'resolved'));
      for (const alert of history) expect(alert.level).toBe(alert.status === 'resolved' ? 'info' : rule === 'server_down' ? 'critical' : 'warn');
    }
    const utilization = alerts.filter((a) => a.rule === 'feature_utilization');
    for (const alert of utilization.filter((a) => a.status === 'firing')) expect(alert.metadata?.utilization).toBeGreaterThanOrEqual(UTILIZATION_THRESHOLD.fireAt);
    for (const alert of utilization.filter((a) => a.status === 'resolved')) expect(alert.metadata?.utilization).toBeLessThan(UTILIZATION_THRESHOLD.clearBelow);
  });

  it('snapshots one metrics message per license server, in the spec shape, without connections', () => {
    const { farm } = run(3, 500);
    const snapshot = farm.snapshot();
    expect(snapshot.map((m) => m.source)).toEqual(farm.servers.map((s) => s.id));
    for (const metrics of snapshot) {
      expect(StreamMessageSchema.safeParse(metrics).success).toBe(true);
      expect(metrics).not.toHaveProperty('connections');
      expect(metrics.server).toBe(metrics.source);
      expect(metrics.system?.cpu.cores).toBeGreaterThan(0);
      expect(metrics.system!.memory.used + metrics.system!.memory.available).toBe(metrics.system!.memory.total);
      const server = farm.servers.find((s) => s.id === metrics.source)!;
      if (!server.up) continue;
      const { licenses } = metrics;
      expect(licenses!.total).toBe(server.features.reduce((n, f) => n + f.issued, 0));
      expect(licenses!.used).toBeLessThanOrEqual(licenses!.total);
      expect(licenses!.available).toBe(licenses!.total - licenses!.used);
      expect(licenses!.utilization).toBeCloseTo((licenses!.used / licenses!.total) * 100, 0);
    }
  });
});
