// The client SDK against a real gateway process on real Redis: connect, filter, receive in order;
// a refused key; the gateway killed and restarted under it — reconnect, state transitions, no id
// delivered twice, and (with the gateway's resume) nothing published meanwhile lost.
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { LicmonClient, type LicmonClientOptions, type LogMessage, type StateChange, type WebSocketConstructor } from '../../client/index.ts';
import { RedisBus } from '../../shared/bus/index.ts';
import type { Level } from '../../shared/protocol/index.ts';
import { LineWatcher } from '../support/line-watcher.ts';
import { type RunningGateway, randomPrefix, startGateway } from '../support/processes.ts';
import { freePort } from '../support/redis-server.ts';

const API_KEY = `sdk-${randomPrefix()}`;

/**
 * A WebSocket whose frames to the gateway arrive 400 ms late, like a distant client's on a bad
 * link: live logs then reach a new connection before its `subscribe` (with the filter and `since`)
 * does — longer than the gateway holds a new connection's live frames for its first action.
 */
class SlowLink extends WebSocket {
  override send(data: string): void {
    setTimeout(() => {
      if (this.readyState === WebSocket.OPEN) super.send(data);
    }, 400);
  }
}
const SITE = 'berlin';

/** A client and everything it reported, with a way to wait for what it has not reported yet. */
function record(options: Partial<LicmonClientOptions> & { url: string }) {
  const client = new LicmonClient({ apiKey: API_KEY, WebSocket, baseDelay: 200, maxDelay: 1000, maxRetries: 30, ...options });
  const watcher = new LineWatcher();
  const logs: LogMessage[] = [];
  const states: StateChange[] = [];
  client.on('log', (log) => {
    logs.push(log);
    watcher.push(`log ${log.id} ${log.message}`);
  });
  client.on('state', (change) => {
    states.push(change);
    watcher.push(`state ${change.state}`);
  });
  client.on('error', (error) => watcher.push(`error ${error.code} ${error.message}`));
  const waitFor = async (done: () => boolean, what: string, timeoutMs = 20_000) => {
    if (!(await watcher.waitFor(done, timeoutMs))) throw new Error(`timed out waiting for ${what}; the client reported:\n${watcher.tail(15)}`);
  };
  return { client, logs, states, watcher, waitFor, texts: () => logs.map((l) => l.message) };
}

describe('client SDK against a gateway', () => {
  const redisUrl = inject('redisUrl');
  const prefix = randomPrefix();
  let env: Record<string, string>;
  let gateway: RunningGateway;
  let bus: RedisBus;
  const clients: LicmonClient[] = [];

  const publish = (message: string, level: Level = 'error', source = 'license-server') =>
    bus.publish({ type: 'log', timestamp: new Date().toISOString(), level, message, source, site: SITE });

  beforeAll(async () => {
    // A chosen port, so the restarted gateway comes back where the clients reconnect to.
    env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, API_KEYS: API_KEY, DRAIN_DELAY_MS: '0', PORT: String(await freePort()) };
    gateway = await startGateway(env);
    bus = await new RedisBus({ url: redisUrl, prefix }).connect();
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await bus?.close();
    await gateway?.kill();
  });

  function connect(options: Partial<LicmonClientOptions> = {}) {
    const recorded = record({ url: gateway.wsUrl, ...options });
    clients.push(recorded.client);
    recorded.client.connect();
    return recorded;
  }

  it('subscribes with its filter and receives exactly the matching logs, in order, with ids', async () => {
    const { states, waitFor, texts, logs } = connect({ endpoint: 'logs', filter: { level: ['error', 'warn'], source: 'license-server' } });
    await waitFor(() => states.some((s) => s.state === 'live'), 'live');
    const expected: string[] = [];
    for (let i = 0; i < 30; i++) {
      const level = (['error', 'info', 'warn', 'debug'] as const)[i % 4];
      const source = i % 5 === 0 ? 'other-source' : 'license-server';
      await publish(`filtered ${i}`, level, source);
      if ((level === 'error' || level === 'warn') && source === 'license-server') expected.push(`filtered ${i}`);
    }
    await waitFor(() => texts().includes(expected.at(-1)!), 'the last matching log');
    expect(texts()).toEqual(expected);
    expect(logs.every((l) => typeof l.id === 'string' && l.id.startsWith(`${SITE}:`))).toBe(true);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'live']);
  });

  it('a wrong key is refused (401) and the client stops instead of retrying', async () => {
    for (const auth of ['sub-protocol', 'query'] as const) {
      const { states, waitFor } = connect({ apiKey: 'not-a-key', auth });
      await waitFor(() => states.some((s) => s.state === 'closed'), 'closed');
      expect(states.map((s) => s.state), auth).toEqual(['connecting', 'closed']);
      expect(states.at(-1), auth).toMatchObject({ because: 'unauthorized', httpStatus: 401 });
    }
  });

  /**
   * Publish numbered logs (every third one `info`, the rest `error`) every few ms until stopped;
   * the gateway is restarted meanwhile. Answers the messages each client should have got.
   */
  function steadyPublisher(tag: string) {
    const published: Array<{ message: string; level: Level }> = [];
    let running = true;
    const done = (async () => {
      for (let n = 0; running; n++) {
        const level: Level = n % 3 === 2 ? 'info' : 'error';
        const message = `${tag} ${n}`;
        await publish(message, level);
        published.push({ message, level });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    return { published, stop: async () => ((running = false), await done) };
  }

  async function restartMidStream(how: 'SIGKILL' | 'SIGTERM', link: WebSocketConstructor = WebSocket) {
    const tag = `${how}-${randomPrefix()}`;
    const filtered = connect({ filter: { level: 'error' }, WebSocket: link });
    const unfiltered = connect({ endpoint: 'logs', WebSocket: link });
    const both = [filtered, unfiltered];
    for (const c of both) await c.waitFor(() => c.states.some((s) => s.state === 'live'), 'live');
    const publisher = steadyPublisher(tag);
    const mine = (c: typeof filtered) => c.texts().filter((t) => t.startsWith(`${tag} `));
    for (const c of both) await c.waitFor(() => mine(c).length >= 10, 'logs before the restart');

    if (how === 'SIGKILL') await gateway.kill();
    else {
      gateway.signal('SIGTERM');
      expect(await gateway.exited).toBe(0);
    }
    for (const c of both) await c.waitFor(() => c.states.some((s) => s.state === 'reconnecting'), 'reconnecting');
    const whileDown = publisher.published.length;
    gateway = await startGateway(env);
    for (const c of both) await c.waitFor(() => c.states.some((s) => s.state === 'resumed'), 'resumed');
    // Go on until the reconnected clients have had a stretch of live traffic.
    const target = publisher.published.length + 30;
    await unfiltered.waitFor(() => mine(unfiltered).length >= target, 'live logs after the restart', 30_000);
    await publisher.stop();
    const last = publisher.published.at(-1)!.message;
    const lastError = publisher.published.filter((p) => p.level === 'error').at(-1)!.message;
    await unfiltered.waitFor(() => mine(unfiltered).includes(last), 'the last log');
    await filtered.waitFor(() => mine(filtered).includes(lastError), 'the last error log');

    const expectedCode = how === 'SIGKILL' ? 1006 : 1012;
    for (const c of both) {
      expect(c.states.map((s) => s.state).slice(0, 3)).toEqual(['connecting', 'live', 'reconnecting']);
      expect(c.states.find((s) => s.state === 'reconnecting')).toMatchObject({ code: expectedCode });
      expect(c.states.at(-1)!.state).toBe('resumed');
      const ids = c.logs.map((l) => l.id);
      expect(new Set(ids).size, 'an id was delivered twice').toBe(ids.length);
    }
    expect(whileDown, 'nothing was published while the gateway was down').toBeGreaterThan(0);
    expect(mine(unfiltered), 'the unfiltered client (since on the URL)').toEqual(publisher.published.map((p) => p.message));
    expect(mine(filtered), 'the filtered client (since in subscribe)').toEqual(publisher.published.filter((p) => p.level === 'error').map((p) => p.message));
  }

  it('asks for the current state on every connection: the last lines and the active alerts, each delivered once across a gateway restart', async () => {
    const site = `cs-${randomPrefix()}`;
    const alert = (key: string, status: 'firing' | 'resolved' = 'firing') =>
      bus.publish({ type: 'alert', timestamp: new Date().toISOString(), level: 'error', message: `${key} ${status}`, source: 'rules', site, rule: 'server_down', key, status });
    await alert('down:a'); // before the lines: it comes as an active alert
    for (let n = 1; n <= 5; n++) await bus.publish({ type: 'log', timestamp: new Date().toISOString(), level: 'info', message: `line ${n}`, source: 'license-server', site });
    const alerts: Array<{ key: string; active: boolean; status: string }> = [];
    const c = connect({ filter: { site }, lines: 3, activeAlerts: true });
    c.client.on('alert', (a) => {
      alerts.push({ key: a.key, active: a.active === true, status: a.status });
      c.watcher.push(`alert ${a.id} ${a.key}${a.active ? ' (active)' : ''}`);
    });
    await c.waitFor(() => c.texts().length >= 3 && alerts.length >= 1, 'the lines and the active alert');
    expect(c.texts()).toEqual(['line 3', 'line 4', 'line 5']);
    expect(alerts).toEqual([{ key: 'down:a', active: true, status: 'firing' }]);

    gateway.signal('SIGTERM');
    expect(await gateway.exited).toBe(0);
    await c.waitFor(() => c.states.some((s) => s.state === 'reconnecting'), 'reconnecting');
    await alert('down:b');
    gateway = await startGateway(env);
    await c.waitFor(() => c.states.some((s) => s.state === 'resumed'), 'resumed');
    await c.waitFor(() => alerts.length >= 2, 'the alert that fired meanwhile');
    await bus.publish({ type: 'log', timestamp: new Date().toISOString(), level: 'info', message: 'line 6', source: 'license-server', site });
    await c.waitFor(() => c.texts().includes('line 6'), 'a live line after the restart');
    expect(c.texts()).toEqual(['line 3', 'line 4', 'line 5', 'line 6']);
    expect(alerts.map((a) => a.key)).toEqual(['down:a', 'down:b']); // down:a not again, down:b once
  });

  it('gateway killed (kill -9) mid-stream and restarted: reconnect, resume; every log exactly once, in order', async () => {
    await restartMidStream('SIGKILL');
  });

  it('gateway restarted (SIGTERM, 1012) mid-stream: reconnect, resume; every log exactly once, in order', async () => {
    await restartMidStream('SIGTERM');
  });

  it('the same over a slow link (client frames take 400 ms): live logs reach the new connection before its subscribe', async () => {
    await restartMidStream('SIGKILL', SlowLink);
  });
});
