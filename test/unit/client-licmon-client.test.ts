// LicmonClient's protocol logic with a scripted WebSocket class and fake timers: the connection
// handshake, the subscription barrier, de-duplication, resume on reconnect, when it gives up, and
// keep-alive. The same client against a real gateway: test/integration/client-sdk.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LicmonClient, type LicmonClientOptions, type StateChange } from '../../client/index.ts';
import type { WebSocketLike } from '../../client/socket.ts';
import { CLOSE_CODES } from '../../shared/protocol/close-codes.ts';

/** A WebSocket whose server side the test plays: it records what the client sends. */
class ScriptedSocket implements WebSocketLike {
  static all: ScriptedSocket[] = [];
  readyState = 0;
  readonly sent: Array<Record<string, unknown>> = [];
  closedWith: { code?: number; reason?: string } | undefined;
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;

  constructor(readonly url: string, readonly protocols?: string | string[]) {
    ScriptedSocket.all.push(this);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }

  // The server's side.
  open(): void {
    this.readyState = 1;
    (this.onopen as ((e: object) => void) | null)?.({});
  }
  deliver(message: Record<string, unknown>): void {
    this.deliverRaw(JSON.stringify(message));
  }
  deliverRaw(data: unknown): void {
    (this.onmessage as ((e: { data: unknown }) => void) | null)?.({ data });
  }
  pong(): void {
    this.deliver({ type: 'pong', timestamp: new Date().toISOString() });
  }
  refuse(status: number): void {
    (this.onerror as ((e: { message: string }) => void) | null)?.({ message: `Unexpected server response: ${status}` });
    this.drop(1006, '');
  }
  drop(code: number, reason = ''): void {
    this.readyState = 3;
    (this.onclose as ((e: { code: number; reason: string }) => void) | null)?.({ code, reason });
  }
}

const log = (id: string, message = id) => ({ type: 'log', id, timestamp: '2024-01-15T10:30:45.123Z', level: 'error', message, source: 'license-server' });
const latest = () => ScriptedSocket.all.at(-1)!;

function start(options: Partial<LicmonClientOptions> = {}) {
  const client = new LicmonClient({ url: 'ws://gw.test:8080', apiKey: 'k3y', WebSocket: ScriptedSocket, baseDelay: 100, maxDelay: 1000, ...options });
  const states: StateChange[] = [];
  const logs: string[] = [];
  const raws: string[] = [];
  client.on('state', (change) => states.push(change));
  client.on('log', (message, raw) => {
    logs.push(message.id ?? message.message);
    raws.push(raw);
  });
  client.connect();
  return { client, states, logs, raws, stateNames: () => states.map((s) => s.state) };
}

beforeEach(() => {
  ScriptedSocket.all = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LicmonClient', () => {
  it('connects with the key as sub-protocol and the filter and interval on the URL, then pings', () => {
    start({ endpoint: 'logs', filter: { level: ['error', 'warn'], source: 'license-server', pattern: 'denied.*Maya' }, interval: 2000 });
    const socket = latest();
    const url = new URL(socket.url);
    expect(url.pathname).toBe('/ws/logs');
    expect(Object.fromEntries(url.searchParams)).toEqual({ level: 'error,warn', source: 'license-server', pattern: 'denied.*Maya', interval: '2000' });
    expect(socket.protocols).toEqual(['api_key', 'k3y']);
    socket.open();
    expect(socket.sent).toEqual([{ action: 'ping' }]);
  });

  it('falls back to a subscribe for a filter the URL cannot carry (a source with a comma)', () => {
    const { logs, stateNames } = start({ filter: { source: 'a,b' } });
    const socket = latest();
    expect(new URL(socket.url).search).toBe('');
    socket.open();
    expect(socket.sent).toEqual([{ action: 'subscribe', filter: { source: 'a,b' } }, { action: 'ping' }]);
    socket.deliver(log('berlin:1-0')); // sent before the gateway applied the filter
    socket.pong();
    socket.deliver(log('berlin:2-0'));
    expect(logs).toEqual(['berlin:2-0']);
    expect(stateNames()).toEqual(['connecting', 'live']);
  });

  it('puts the key in the query when asked, or when it is not a valid sub-protocol token', () => {
    start({ auth: 'query' });
    expect(latest().url).toBe('ws://gw.test:8080/ws/combined?api_key=k3y');
    expect(latest().protocols).toBeUndefined();
    start({ apiKey: 'has space,comma', url: 'https://gw.test/prefix/' });
    expect(latest().url).toBe('wss://gw.test/prefix/ws/combined?api_key=has+space%2Ccomma');
    start({ url: 'ws://gw.test:8080/ws/metrics' });
    expect(latest().url).toBe('ws://gw.test:8080/ws/metrics');
    expect(() => start({ url: 'ws://gw.test:8080/ws/metrics', endpoint: 'logs' })).toThrow(/names \/ws\/metrics/);
  });

  it('with the filter on the URL, delivers from the first frame, each id once; live at the pong', () => {
    const { logs, raws, stateNames } = start({ filter: { level: 'error' } });
    const socket = latest();
    socket.open();
    socket.deliver(log('berlin:1-0')); // the URL's filter applies from the first frame
    expect(stateNames()).toEqual(['connecting']);
    socket.pong();
    expect(stateNames()).toEqual(['connecting', 'live']);
    socket.deliver(log('berlin:2-0'));
    socket.deliver(log('berlin:2-0'));
    socket.deliver(log('austin:1-0'));
    socket.deliver(log('berlin:1-5'));
    expect(logs).toEqual(['berlin:1-0', 'berlin:2-0', 'austin:1-0']);
    expect(JSON.parse(raws[0]!)).toEqual(log('berlin:1-0'));
  });

  it('without a filter: sends no subscribe, and delivers from the first frame', () => {
    const { logs, stateNames } = start();
    latest().open();
    expect(latest().sent).toEqual([{ action: 'ping' }]);
    latest().deliver(log('berlin:1-0'));
    latest().pong();
    expect(logs).toEqual(['berlin:1-0']);
    expect(stateNames()).toEqual(['connecting', 'live']);
  });

  it('resuming without a filter: since goes on the URL (replay starts at open), and every frame is delivered', () => {
    const { logs, stateNames } = start();
    latest().open();
    latest().pong();
    latest().deliver(log('berlin:1-0'));
    latest().deliver(log('_:7-0'));
    latest().drop(4001, 'slow consumer');
    vi.advanceTimersByTime(100);
    expect(latest().url).toBe(`ws://gw.test:8080/ws/combined?since=${encodeURIComponent('berlin:1-0,_:7-0')}`);
    latest().open();
    expect(latest().sent).toEqual([{ action: 'ping' }]);
    latest().deliver(log('berlin:1-0'));
    latest().deliver(log('berlin:2-0')); // replayed before the pong: wanted
    latest().pong();
    latest().deliver(log('berlin:3-0'));
    expect(logs).toEqual(['berlin:1-0', '_:7-0', 'berlin:2-0', 'berlin:3-0']);
    expect(stateNames()).toEqual(['connecting', 'live', 'reconnecting', 'resumed']);
  });

  it('passes metrics snapshots from the first frame when the filter is on the URL, else only after the pong when it selects by source', () => {
    const seen: string[] = [];
    const first = start({ filter: { source: 'flexlm-01' } });
    first.client.on('metrics', (m) => seen.push(`a:${m.source}`));
    latest().open();
    latest().deliver({ type: 'metrics', timestamp: '2024-01-15T10:30:45.123Z', source: 'flexlm-01' });
    const second = start({ filter: { source: ['flexlm-02', 'x,y'] } });
    second.client.on('metrics', (m) => seen.push(`b:${m.source}`));
    latest().open();
    latest().deliver({ type: 'metrics', timestamp: '2024-01-15T10:30:45.123Z', source: 'flexlm-01' });
    latest().pong();
    latest().deliver({ type: 'metrics', timestamp: '2024-01-15T10:30:45.123Z', source: 'flexlm-02' });
    expect(seen).toEqual(['a:flexlm-01', 'b:flexlm-02']);
  });

  it('after a drop: reconnects with jittered backoff, with filter, interval and since on the URL, and says "resumed"', () => {
    const { client, logs, states, stateNames } = start({ filter: { level: 'error' }, interval: 1000 });
    latest().open();
    latest().pong();
    latest().deliver(log('berlin:1-0'));
    latest().deliver(log('austin:5-0'));
    client.setFilter({ level: ['error', 'critical'] });
    latest().drop(1012, 'service restart');
    const reconnecting = states.at(-1)!;
    expect(reconnecting).toMatchObject({ state: 'reconnecting', code: 1012, reason: 'service restart', attempt: 1 });
    expect(reconnecting.delay).toBeGreaterThanOrEqual(0);
    expect(reconnecting.delay).toBeLessThanOrEqual(100);
    expect(ScriptedSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(ScriptedSocket.all).toHaveLength(2);
    expect(Object.fromEntries(new URL(latest().url).searchParams)).toEqual({ level: 'error,critical', interval: '1000', since: 'berlin:1-0,austin:5-0' });
    latest().open();
    expect(latest().sent).toEqual([{ action: 'ping' }]);
    latest().deliver(log('berlin:1-0')); // a repeat is never delivered twice
    latest().deliver(log('berlin:2-0')); // replayed at open
    latest().pong();
    latest().deliver(log('berlin:2-0'));
    latest().deliver(log('berlin:3-0'));
    expect(stateNames()).toEqual(['connecting', 'live', 'reconnecting', 'resumed']);
    expect(logs).toEqual(['berlin:1-0', 'austin:5-0', 'berlin:2-0', 'berlin:3-0']);
    expect(client.since).toBe('berlin:3-0,austin:5-0');
  });

  it('activeAlerts and lines: asked on the URL (or in subscribe); an active alert is delivered once per firing and is never a resume position', () => {
    const { client } = start({ filter: { site: 'berlin' }, activeAlerts: true, lines: 50 });
    const alerts: string[] = [];
    client.on('alert', (a) => alerts.push(`${a.key} ${a.status}${a.active ? ' active' : ''}`));
    const alert = (id: string, key: string, status: 'firing' | 'resolved', active?: true) =>
      ({ type: 'alert', id, timestamp: '2024-01-15T10:30:45.123Z', level: 'error', message: key, source: 'rules', site: 'berlin', rule: 'r', key, status, ...(active && { active }) });
    expect(Object.fromEntries(new URL(latest().url).searchParams)).toEqual({ site: 'berlin', lines: '50', active_alerts: '1' });
    latest().open();
    latest().deliver(alert('berlin:e:5-0', 'down', 'firing', true));
    expect(client.since).toBeUndefined(); // current state, not a place in the stream
    latest().deliver(log('berlin:e:9-0'));
    latest().pong();
    expect(client.since).toBe('berlin:e:9-0');
    latest().drop(1012);
    vi.advanceTimersByTime(100);
    latest().open();
    latest().deliver(alert('berlin:e:5-0', 'down', 'firing', true)); // asked again: already delivered
    latest().deliver(alert('berlin:e:10-0', 'down', 'resolved'));
    latest().deliver(alert('berlin:e:11-0', 'down', 'firing'));
    latest().deliver(alert('berlin:e:11-0', 'down', 'firing', true)); // the same firing, as current state
    expect(alerts).toEqual(['down firing active', 'down resolved', 'down firing']);

    start({ filter: { source: 'a,b' }, activeAlerts: true, lines: 5 });
    latest().open();
    expect(latest().sent[0]).toEqual({ action: 'subscribe', filter: { source: 'a,b' }, lines: 5, activeAlerts: true });
  });

  it('HISTORY_TRUNCATED: passes the error on and takes what the gateway still holds as the new start', () => {
    const { client, logs } = start({ since: 'berlin:e1:9000-0' });
    const errors: string[] = [];
    client.on('error', (e) => errors.push(`${e.code}:${String(e.stream)}`));
    expect(latest().url).toBe('ws://gw.test:8080/ws/combined?since=berlin%3Ae1%3A9000-0');
    latest().open();
    latest().pong();
    latest().deliver({ type: 'error', code: 'HISTORY_TRUNCATED', stream: 'berlin', message: 'history lost', timestamp: '2024-01-15T10:30:45.123Z' });
    latest().deliver(log('berlin:e1:100-0'));
    latest().deliver(log('berlin:e1:100-0'));
    expect(errors).toEqual(['HISTORY_TRUNCATED:berlin']);
    expect(logs).toEqual(['berlin:e1:100-0']);
  });

  it.each([
    [1000, 'server'],
    [4400, 'invalid-options'],
    [4401, 'unauthorized'],
  ])('does not reconnect after close code %i', (code, because) => {
    const { states } = start();
    latest().open();
    latest().drop(code, 'bye');
    vi.advanceTimersByTime(60_000);
    expect(ScriptedSocket.all).toHaveLength(1);
    expect(states.at(-1)).toMatchObject({ state: 'closed', code, because });
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each<[number, boolean]>([
    ...CLOSE_CODES.map((entry): [number, boolean] => [entry.code, entry.reconnect]),
    [1001, true], [4399, true], [4450, false], // not in the table: the range rule
  ])('after close code %i, reconnects: %s (the close-code table decides)', (code, reconnect) => {
    const { states } = start();
    latest().open();
    latest().drop(code, 'bye');
    expect(states.at(-1)!.state).toBe(reconnect ? 'reconnecting' : 'closed');
    vi.advanceTimersByTime(60_000);
    expect(ScriptedSocket.all).toHaveLength(reconnect ? 2 : 1);
  });

  it('does not reconnect when the upgrade is refused with 401 or 403; does after 503', () => {
    start();
    latest().refuse(401);
    start();
    latest().refuse(403);
    const third = start();
    latest().refuse(503);
    expect(third.states.at(-1)).toMatchObject({ state: 'reconnecting', httpStatus: 503 });
    vi.advanceTimersByTime(60_000);
    expect(ScriptedSocket.all).toHaveLength(4);
    expect(ScriptedSocket.all.slice(0, 2).map((s) => s.url)).toEqual(['ws://gw.test:8080/ws/combined', 'ws://gw.test:8080/ws/combined']);
  });

  it('gives up after maxRetries failed attempts in a row; an open connection resets the count', () => {
    const { states } = start({ maxRetries: 3 });
    latest().drop(1006);
    vi.advanceTimersByTime(10_000);
    latest().open(); // resets
    latest().drop(1006);
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(10_000);
      latest().drop(1006);
    }
    expect(states.filter((s) => s.state === 'reconnecting').map((s) => s.attempt)).toEqual([1, 1, 2, 3]);
    expect(states.at(-1)).toMatchObject({ state: 'closed', because: 'retries-exhausted', code: 1006 });
    vi.advanceTimersByTime(60_000);
    expect(ScriptedSocket.all).toHaveLength(5);
  });

  it('pings every pingInterval and replaces a connection that stops answering', () => {
    const { states } = start({ pingInterval: 30_000, pongTimeout: 10_000 });
    const socket = latest();
    socket.open();
    socket.pong();
    vi.advanceTimersByTime(30_000);
    expect(socket.sent.filter((a) => a.action === 'ping')).toHaveLength(2);
    socket.pong();
    vi.advanceTimersByTime(30_000);
    expect(socket.sent.filter((a) => a.action === 'ping')).toHaveLength(3);
    vi.advanceTimersByTime(10_000); // silence after the third ping
    expect(socket.closedWith?.code).toBe(4100);
    expect(states.at(-1)).toMatchObject({ state: 'reconnecting', code: 4100 });
    vi.advanceTimersByTime(1000);
    expect(ScriptedSocket.all).toHaveLength(2);
  });

  it('close() closes with 1000, stops every timer, and ignores the socket afterwards', () => {
    const { client, stateNames, logs } = start();
    const socket = latest();
    socket.open();
    socket.pong();
    client.close();
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'client closed' });
    expect(stateNames()).toEqual(['connecting', 'live', 'closed']);
    socket.deliver(log('berlin:1-0'));
    socket.drop(1006);
    expect(logs).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    expect(client.state).toBe('closed');
  });

  it('ignores frames that are not JSON objects of a known type', () => {
    const { logs } = start();
    latest().open();
    latest().pong();
    for (const junk of ['not json', 'null', '5', '[]', '{"type":"novel"}', new Uint8Array([1, 2])]) latest().deliverRaw(junk);
    latest().deliver(log('berlin:1-0'));
    expect(logs).toEqual(['berlin:1-0']);
  });

  it('a throwing listener does not stop delivery to the others', () => {
    const { client, logs } = start();
    client.on('log', () => {
      throw new Error('listener bug');
    });
    latest().open();
    latest().pong();
    latest().deliver(log('berlin:1-0'));
    latest().deliver(log('berlin:2-0'));
    expect(logs).toEqual(['berlin:1-0', 'berlin:2-0']);
    expect(() => vi.runOnlyPendingTimers()).toThrow('listener bug');
  });
});
