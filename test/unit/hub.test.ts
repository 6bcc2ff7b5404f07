import { describe, expect, it, vi } from 'vitest';
import type { Principal } from '../../gateway/auth/authenticator.ts';
import { ENDPOINTS } from '../../gateway/endpoints.ts';
import { compileFilter } from '../../gateway/filter/filter.ts';
import { eventFields } from '../../gateway/event-fields.ts';
import { Hub } from '../../gateway/hub.ts';
import { Session } from '../../gateway/session.ts';
import { GatewayStats } from '../../gateway/stats.ts';
import { FakeSocket } from '../support/fake-socket.ts';

const everyone: Principal = { name: 'test', sites: null, endpoints: null };
const endpoint = (name: string) => ENDPOINTS.find((e) => e.name === name)!;

function setup() {
  const stats = new GatewayStats();
  const hub = new Hub();
  /** What the intake hands the hub: a parsed, valid log or alert (these carry no id). */
  const publish = (json: string) => hub.publish(eventFields(JSON.parse(json))!, json, undefined);
  let id = 0;
  const connect = (name = 'logs', filter: Parameters<typeof compileFilter>[0] = null) => {
    const socket = new FakeSocket();
    const session = new Session(++id, socket, endpoint(name), everyone, compileFilter(filter), 1000, stats);
    hub.join(session, session.filter);
    return { socket, session };
  };
  const event = (type: string, level: string, message: string, extra: Record<string, unknown> = {}) =>
    publish(JSON.stringify({ type, timestamp: new Date().toISOString(), level, message, source: 'license-server', ...extra }));
  return { hub, stats, connect, event, publish };
}

describe('Hub', () => {
  it('flushes everything that arrived in one turn as one corked batch per connection', () => {
    const { hub, connect, event } = setup();
    const a = connect();
    const b = connect();
    for (let i = 0; i < 5; i++) event('log', 'info', `m${i}`);
    expect(a.socket.sent).toHaveLength(0); // nothing written before the flush
    hub.flush();
    expect(a.socket.corks).toBe(1);
    expect(b.socket.corks).toBe(1);
    expect(a.socket.json().map((m) => m.message)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('encodes a message once: the same bytes, the bus text exactly, to every connection', () => {
    const { hub, connect, publish } = setup();
    const a = connect();
    const b = connect('combined');
    const json = JSON.stringify({ type: 'log', timestamp: new Date().toISOString(), level: 'warn', message: 'shared ünïcode', source: 'license-server' });
    publish(json);
    hub.flush();
    expect(a.socket.frames[0]).toBeInstanceOf(Uint8Array);
    expect(a.socket.frames[0]).toBe(b.socket.frames[0]);
    expect(a.socket.sent[0]).toBe(json);
  });

  it('shares one group between equal filters and indexes groups by level', () => {
    const { hub, connect, event } = setup();
    connect('logs', { level: ['error', 'warn'] });
    connect('logs', { level: ['warn', 'error'] });
    connect('logs', { level: 'debug' });
    connect('combined', { level: ['error', 'warn'] }); // other endpoint: its own group
    expect(hub.groupCount).toBe(3);
    const debugOnly = connect('logs', { level: 'debug' });
    event('log', 'error', 'e');
    hub.flush();
    expect(debugOnly.socket.sent).toHaveLength(0);
  });

  it('indexes groups by source: a message reaches groups naming its source and groups naming none', () => {
    const { hub, connect, publish } = setup();
    const a = connect('logs', { source: 'a' });
    const ab = connect('logs', { source: ['a', 'b'], level: 'error' });
    const any = connect('logs');
    const send = (source: string, level: string) => publish(JSON.stringify({ type: 'log', timestamp: new Date().toISOString(), level, message: `${source}/${level}`, source }));
    send('a', 'info');
    send('b', 'error');
    send('c', 'error');
    hub.flush();
    expect(a.socket.json().map((m) => m.message)).toEqual(['a/info']);
    expect(ab.socket.json().map((m) => m.message)).toEqual(['b/error']);
    expect(any.socket.json().map((m) => m.message)).toEqual(['a/info', 'b/error', 'c/error']);
  });

  it('updates the index in place: groups sharing a source list come and go in any order, and each message still reaches exactly its groups', () => {
    const { hub, connect, publish } = setup();
    const send = (source: string, level: string) => publish(JSON.stringify({ type: 'log', timestamp: new Date().toISOString(), level, message: `${source}/${level}`, source }));
    // Five groups listed under source "x" (and two under "y"), differing by level or pattern.
    const xInfo = connect('logs', { source: 'x', level: 'info' });
    const xAll = connect('logs', { source: 'x' });
    const xyError = connect('logs', { source: ['x', 'y'], level: 'error' });
    const xDenied = connect('logs', { source: 'x', pattern: 'nothing-matches-this' });
    const yAll = connect('logs', { source: 'y' });
    hub.leave(xAll.session); // from the middle of x's lists: the last entry moves into its place
    hub.leave(xInfo.session); // the first
    send('x', 'info');
    send('x', 'error');
    send('y', 'error');
    hub.flush();
    expect(xyError.socket.json().map((m) => m.message)).toEqual(['x/error', 'y/error']);
    expect(yAll.socket.json().map((m) => m.message)).toEqual(['y/error']);
    expect(xDenied.socket.sent).toHaveLength(0);
    expect(xAll.socket.sent).toHaveLength(0);
    hub.leave(xyError.session);
    hub.leave(xDenied.session);
    hub.leave(yAll.session);
    expect(hub.groupCount).toBe(0);
    expect(hub.indexedSources).toBe(0); // a source's list is dropped once empty: churn leaves nothing behind
  });

  it('keeps thousands of distinct filters apart through churn, and forgets every one of them', () => {
    const { hub, connect, publish } = setup();
    const conns = Array.from({ length: 5000 }, (_, i) => connect('logs', { source: `s${i}` }));
    for (let i = 0; i < conns.length; i += 2) hub.leave(conns[i]!.session); // every even one leaves
    expect(hub.groupCount).toBe(2500);
    for (const i of [1, 2, 777, 4999]) publish(JSON.stringify({ type: 'log', timestamp: new Date().toISOString(), level: 'info', message: `to s${i}`, source: `s${i}` }));
    hub.flush();
    const reached = conns.flatMap((c, i) => (c.socket.sent.length > 0 ? [i] : []));
    expect(reached).toEqual([1, 777, 4999]);
    expect(conns[777]!.socket.json().map((m) => m.message)).toEqual(['to s777']);
    for (let i = 1; i < conns.length; i += 2) hub.leave(conns[i]!.session);
    expect(hub.groupCount).toBe(0);
    expect(hub.indexedSources).toBe(0);
  });

  it('keeps alerts and metrics off /ws/logs and alerts on /ws/combined', () => {
    const { hub, connect, event } = setup();
    const logs = connect('logs');
    const combined = connect('combined');
    event('alert', 'error', 'down', { rule: 'server_down', key: 'k', status: 'firing' });
    event('log', 'info', 'hello');
    hub.flush();
    expect(logs.socket.json().map((m) => m.type)).toEqual(['log']);
    expect(combined.socket.json().map((m) => m.type)).toEqual(['alert', 'log']);
  });

  it('moves a connection between groups on refilter and forgets empty groups', () => {
    const { hub, connect, event } = setup();
    const a = connect('logs', { level: 'error' });
    expect(hub.groupCount).toBe(1);
    hub.join(a.session, compileFilter({ level: 'info' }));
    expect(hub.groupCount).toBe(1);
    event('log', 'error', 'e');
    event('log', 'info', 'i');
    hub.flush();
    expect(a.socket.json().map((m) => m.message)).toEqual(['i']);
    hub.leave(a.session);
    expect(hub.groupCount).toBe(0);
  });

  it('disconnects a slow consumer with 4001 instead of buffering without bound, and others keep receiving', () => {
    const { hub, stats, connect, event } = setup();
    const slow = connect('logs', null);
    const fast = connect('logs', null);
    slow.socket.buffered = 5000;
    slow.socket.sendResult = 2; // as uWS answers past its maxBackpressure (MAX_BACKPRESSURE_BYTES)
    event('log', 'info', 'x');
    hub.flush();
    expect(slow.socket.closedWith?.code).toBe(4001);
    expect(slow.socket.sent).toHaveLength(1); // the one frame uWS refused
    expect(fast.socket.sent).toHaveLength(1);
    expect(stats.slowConsumerDrops).toBe(1);
  });

  it('disconnects a connection whose frame uWS dropped over its backpressure limit', () => {
    const { hub, connect, event } = setup();
    const a = connect();
    a.socket.sendResult = 2;
    event('log', 'info', 'x');
    event('log', 'info', 'y');
    hub.flush();
    expect(a.socket.closedWith?.code).toBe(4001);
  });

  describe('a pass over many connections, in slices', () => {
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const messages = (c: { socket: FakeSocket }) => c.socket.json().map((m) => m.message);

    it('gives a message that arrives mid-pass to the connections not reached yet in this pass, and to the others in the next', async () => {
      const { connect, event } = setup();
      const all = Array.from({ length: 1000 }, () => connect());
      event('log', 'info', 'm1');
      await turn(); // the first slice of the pass has run
      const reached = all.filter((c) => c.socket.sent.length > 0);
      expect(reached.length).toBeGreaterThan(0);
      expect(reached.length).toBeLessThan(all.length);
      event('log', 'info', 'm2');
      await vi.waitUntil(() => all.every((c) => c.socket.sent.length === 2), { timeout: 5000, interval: 5 });
      for (const c of all) expect(messages(c)).toEqual(['m1', 'm2']);
      // Those not reached before m2 arrived got both in one write.
      const late = all.filter((c) => !reached.includes(c));
      expect(late.every((c) => c.socket.corks === 1)).toBe(true);
      expect(reached.every((c) => c.socket.corks === 2)).toBe(true);
      await turn();
      expect(all.every((c) => c.socket.sent.length === 2)).toBe(true); // nothing twice
    });

    it('copes with connections leaving and joining mid-pass: each gets what came after it joined, once, in order', async () => {
      const { hub, connect, event } = setup();
      const all = Array.from({ length: 1000 }, () => connect());
      event('log', 'info', 'm1');
      await turn();
      const left = all.filter((c, i) => i % 3 === 0);
      for (const c of left) hub.leave(c.session);
      const joined = Array.from({ length: 300 }, () => connect());
      event('log', 'info', 'm2');
      hub.flush(); // what a replay does: everything pending is written now
      const stayed = all.filter((c) => !left.includes(c));
      for (const c of stayed) expect(messages(c)).toEqual(['m1', 'm2']);
      for (const c of joined) expect(messages(c)).toEqual(['m2']);
      for (const c of left) expect(messages(c).every((m) => m === 'm1')).toBe(true);
      await turn();
      for (const c of stayed) expect(c.socket.sent).toHaveLength(2);
      expect(hub.groupCount).toBe(1);
    });
  });
});
