import { describe, expect, it } from 'vitest';
import type { Principal } from '../../gateway/auth/authenticator.ts';
import { ENDPOINTS } from '../../gateway/endpoints.ts';
import { compileFilter } from '../../gateway/filter/filter.ts';
import { MetricsClock, TICK_MS } from '../../gateway/metrics-clock.ts';
import { Session } from '../../gateway/session.ts';
import { GatewayStats } from '../../gateway/stats.ts';
import { FakeSocket } from '../support/fake-socket.ts';

const everyone: Principal = { name: 'test', sites: null, endpoints: null };
const metricsEndpoint = ENDPOINTS.find((e) => e.name === 'metrics')!;

function session(interval: number, filter: Parameters<typeof compileFilter>[0] = null) {
  const socket = new FakeSocket();
  const s = new Session(1, socket, metricsEndpoint, everyone, compileFilter(filter), interval, new GatewayStats());
  return { socket, s };
}

const snapshot = (source: string, site?: string) => ({ type: 'metrics', timestamp: '2024-01-15T10:30:45.123Z', source, site, licenses: { total: 10, used: 1, available: 9, utilization: 10 } });

describe('MetricsClock', () => {
  it('sends the latest snapshots at once, then once per interval, conflated', () => {
    const clock = new MetricsClock();
    const t0 = 1_000_000_000;
    clock.tick(t0);
    clock.update(snapshot('a'), '_');
    const { socket, s } = session(1000);
    clock.add(s, t0);
    expect(socket.sent).toHaveLength(1);
    clock.update(snapshot('a'), '_'); // replaces, never queues
    clock.update(snapshot('b'), '_');
    clock.tick(t0 + 999);
    expect(socket.sent).toHaveLength(1);
    clock.tick(t0 + 1000);
    expect(socket.json().slice(1).map((m) => m.source)).toEqual(['a', 'b']);
    for (let t = t0 + 1000; t <= t0 + 5000; t += TICK_MS) clock.tick(t);
    expect(socket.sent).toHaveLength(1 + 2 * 5);
  });

  it('filters snapshots by source and site', () => {
    const clock = new MetricsClock();
    clock.update(snapshot('a', 'berlin'), 'berlin');
    clock.update(snapshot('b', 'berlin'), 'berlin');
    clock.update(snapshot('a', 'pune'), 'pune');
    const { socket, s } = session(1000, { source: 'a', site: 'pune' });
    clock.add(s);
    expect(socket.json()).toMatchObject([{ source: 'a', site: 'pune' }]);
  });

  it('overlays the cluster connection figures and re-serializes only when they change', () => {
    const clock = new MetricsClock();
    const t0 = 2_000_000_000;
    clock.tick(t0);
    clock.update(snapshot('a'), '_');
    clock.setConnections({ active: 3, total: 7 });
    const one = session(100);
    clock.add(one.s, t0);
    expect(one.socket.json()[0]!.connections).toEqual({ active: 3, total: 7 });
    clock.tick(t0 + 100);
    expect(one.socket.sent[1]).toBe(one.socket.sent[0]); // same cached string
    clock.setConnections({ active: 4, total: 8 });
    clock.tick(t0 + 200);
    expect(one.socket.json()[2]!.connections).toEqual({ active: 4, total: 8 });
  });

  it('reschedules on a new interval from the last delivery, and skips closed sessions', () => {
    const clock = new MetricsClock();
    const t0 = 3_000_000_000;
    clock.tick(t0);
    clock.update(snapshot('a'), '_');
    const { socket, s } = session(5000);
    clock.add(s, t0);
    clock.setInterval(s, 200, t0 + 50);
    clock.tick(t0 + 199);
    expect(socket.sent).toHaveLength(1);
    clock.tick(t0 + 200);
    expect(socket.sent).toHaveLength(2);
    s.closed = true;
    clock.tick(t0 + 1000);
    expect(socket.sent).toHaveLength(2);
  });
});
