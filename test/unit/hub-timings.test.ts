// The hub reports each pass to its HubTimings (the gateway's histograms): how long the pass took,
// and the bus times of the messages it finished writing everywhere. Messages no connection takes
// are not reported (they were sent nowhere), nor are messages without an id.
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../gateway/auth/authenticator.ts';
import { ENDPOINTS } from '../../gateway/endpoints.ts';
import { compileFilter } from '../../gateway/filter/filter.ts';
import { Hub, type HubTimings } from '../../gateway/hub.ts';
import { Intake } from '../../gateway/intake.ts';
import { MetricsClock } from '../../gateway/metrics-clock.ts';
import { Session } from '../../gateway/session.ts';
import { GatewayStats } from '../../gateway/stats.ts';
import { MemoryBus } from '../../shared/bus/bus-memory.ts';
import { createLogger } from '../../shared/logger.ts';
import { FakeSocket } from '../support/fake-socket.ts';

const everyone: Principal = { name: 'test', sites: null, endpoints: null };

describe('Hub timings', () => {
  it('reports every pass with the publish times of the messages it delivered', () => {
    const passes: Array<{ passMs: number; published: number[] }> = [];
    const timings: HubTimings = { passed: (passMs, published) => passes.push({ passMs, published: [...published] }) };
    const stats = new GatewayStats();
    const hub = new Hub(timings);
    const intake = new Intake({ bus: new MemoryBus(), hub, clock: new MetricsClock(), counters: stats, logger: createLogger('test', 'silent') });
    const socket = new FakeSocket();
    const session = new Session(1, socket, ENDPOINTS.find((e) => e.name === 'logs')!, everyone, compileFilter({ level: ['error'] }), 1000, stats);
    hub.join(session, session.filter);
    const log = (ms: number, level: string, id = true) =>
      intake.deliver({ kind: 'events', stream: 'berlin', json: `{${id ? `"id":"berlin:ep1:${ms}-0",` : ''}"type":"log","timestamp":"2026-01-01T00:00:00.000Z","level":"${level}","message":"m","source":"s"}` });

    log(1000, 'error');
    log(1001, 'info'); // filtered out: no connection takes it
    log(1002, 'error');
    log(1003, 'error', false); // no id: no publish time
    hub.flush();
    expect(socket.sent).toHaveLength(3);
    expect(passes).toHaveLength(1);
    expect(passes[0]!.published).toEqual([1000, 1002]);
    expect(passes[0]!.passMs).toBeGreaterThanOrEqual(0);

    log(1004, 'error');
    hub.flush();
    expect(passes.map((p) => p.published)).toEqual([[1000, 1002], [1004]]);
  });
});
