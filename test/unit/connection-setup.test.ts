import { afterEach, describe, expect, it } from 'vitest';
import { handleClientFrame } from '../../gateway/actions.ts';
import type { Principal } from '../../gateway/auth/authenticator.ts';
import { setUpConnection, type ConnectionRequest, type SetupContext } from '../../gateway/connection-setup.ts';
import { ENDPOINTS } from '../../gateway/endpoints.ts';
import { compileFilter } from '../../gateway/filter/filter.ts';
import { Hub } from '../../gateway/hub.ts';
import { Intake } from '../../gateway/intake.ts';
import { MetricsClock } from '../../gateway/metrics-clock.ts';
import { Session } from '../../gateway/session.ts';
import { GatewayStats } from '../../gateway/stats.ts';
import { MemoryBus } from '../../shared/bus/bus-memory.ts';
import { createLogger } from '../../shared/logger.ts';
import { CloseCode, ErrorCode, type StreamMessage } from '../../shared/protocol/index.ts';
import { FakeSocket } from '../support/fake-socket.ts';
import { waitUntil } from '../support/wait-until.ts';

const everyone: Principal = { name: 'test', sites: null, endpoints: null };
const endpoint = (name: string) => ENDPOINTS.find((e) => e.name === name)!;
const log = (message: string, level = 'info'): StreamMessage => ({ type: 'log', timestamp: new Date().toISOString(), level, message, source: 'license-server' }) as StreamMessage;

const intakes: Intake[] = [];
afterEach(() => intakes.splice(0).forEach((i) => i.stop()));

async function setup(firstActionHoldMs = 60_000) {
  const bus = new MemoryBus();
  const stats = new GatewayStats();
  const hub = new Hub();
  const clock = new MetricsClock();
  const intake = new Intake({ bus, hub, clock, counters: stats, logger: createLogger('test', 'silent') });
  intakes.push(intake);
  await intake.start();
  const ctx: SetupContext = { hub, intake, bus, clock, minInterval: 100, maxInterval: 60_000, countError: stats.countError, filterLimits: { maxPatternLength: 100, maxSources: 5, maxSites: 5 }, firstActionHoldMs, timeReplay: () => () => undefined };
  let id = 0;
  const open = (name: string, request: Partial<ConnectionRequest> = {}) => {
    const socket = new FakeSocket();
    const session = new Session(++id, socket, endpoint(name), everyone, compileFilter(null), name === 'logs' ? 0 : 1000, stats);
    const started = setUpConnection(session, { since: undefined, urlOptions: undefined, ...request }, ctx);
    const messages = () => socket.json();
    return { socket, session, started, messages };
  };
  return { bus, hub, ctx, open };
}

describe('setting up a connection', () => {
  it('applies the filter and interval on the URL before joining, so the first frame is already filtered', async () => {
    const { bus, hub, ctx, open } = await setup();
    const c = open('combined', { urlOptions: { level: 'error', interval: '2000' } });
    expect(c.started).toBe(true);
    expect(c.session.interval).toBe(2000);
    expect(hub.groupCount).toBe(1);
    await bus.publish(log('quiet'));
    await bus.publish(log('loud', 'error'));
    handleClientFrame(c.session, '{"action":"ping"}', ctx); // the first action ends the hold at open
    hub.flush();
    expect(c.messages().filter((m) => m.type === 'log').map((m) => m.message)).toEqual(['loud']);
  });

  it('answers invalid URL options with their error code and closes 4400, without ever joining', async () => {
    const { hub, open } = await setup();
    const bad = open('logs', { urlOptions: { level: 'loud' } });
    expect(bad.started).toBe(false);
    expect(bad.messages()[0]).toMatchObject({ type: 'error', code: ErrorCode.INVALID_FILTER });
    expect(bad.socket.closedWith?.code).toBe(CloseCode.INVALID_REQUEST);
    const badInterval = open('metrics', { urlOptions: { interval: '5' } });
    expect(badInterval.messages()[0]).toMatchObject({ type: 'error', code: ErrorCode.INVALID_INTERVAL });
    expect(hub.groupCount).toBe(0);
  });

  it('starts the metrics clock on endpoints that carry metrics: the latest snapshots at once', async () => {
    const { bus, ctx, open } = await setup();
    await bus.publish({ type: 'metrics', timestamp: new Date().toISOString(), source: 'lm1', licenses: { total: 1, used: 0, available: 1, utilization: 0 } } as StreamMessage);
    // The intake hands the snapshot to the clock; a new metrics connection gets it at once.
    const metrics = open('metrics');
    expect(metrics.messages().map((m) => m.type)).toEqual(['metrics']);
    const logs = open('logs');
    expect(logs.messages()).toEqual([]);
    expect(ctx.clock.snapshotCount).toBe(1);
  });

  it('without since, holds the first live frames until the first action, which then applies to them', async () => {
    const { bus, hub, ctx, open } = await setup();
    const c = open('logs');
    await bus.publish(log('info before subscribe'));
    await bus.publish(log('error before subscribe', 'error'));
    hub.flush();
    expect(c.messages()).toEqual([]); // held
    handleClientFrame(c.session, '{"action":"subscribe","filter":{"level":"error"}}', ctx);
    expect(c.messages().map((m) => m.message)).toEqual(['error before subscribe']);
  });

  it('without since and without any action, releases the hold after firstActionHoldMs', async () => {
    const { bus, hub, open } = await setup(30);
    const c = open('logs');
    await bus.publish(log('waited'));
    hub.flush();
    await waitUntil(() => c.messages().length === 1, 'the hold at open to end by itself');
    expect(c.messages()[0]!.message).toBe('waited');
  });

  it('with since, replays history after it, then goes live with no gap', async () => {
    const { bus, hub, open } = await setup();
    const first = await bus.publish(log('seen'));
    await bus.publish(log('missed 1'));
    await bus.publish(log('missed 2'));
    const c = open('logs', { since: first.id });
    await bus.publish(log('live'));
    hub.flush();
    await waitUntil(() => c.messages().length === 3, 'the replay and the live frame');
    expect(c.messages().map((m) => m.message)).toEqual(['missed 1', 'missed 2', 'live']);
  });

  it('answers a malformed since with INVALID_SINCE and stays open', async () => {
    const { open } = await setup();
    const c = open('logs', { since: 'nonsense' });
    expect(c.started).toBe(true);
    expect(c.messages()[0]).toMatchObject({ type: 'error', code: ErrorCode.INVALID_SINCE });
    expect(c.socket.closedWith).toBeUndefined();
  });
});
