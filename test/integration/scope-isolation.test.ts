// Site scopes, end to end: a key scoped to one site receives that site's logs, alerts and metrics
// and nothing else — not another site's, not site-less ones — under every filter combination, on
// every endpoint; an unscoped key with the same filters gets exactly what the filter selects.
// Every connection's stream is compared with a reference model of the filter semantics.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KeyStore } from '../../shared/auth/key-store.ts';
import { RedisBus } from '../../shared/bus/index.ts';
import { LEVELS, type Filter, type Level, type StreamMessage } from '../../shared/protocol/index.ts';
import { randomPrefix, startGateway, type RunningGateway } from '../support/processes.ts';
import { TestClient } from '../support/ws-client.ts';

const redisUrl = inject('redisUrl');
const prefix = randomPrefix();
const SCOPE = 'berlin';
const SITES = [SCOPE, 'austin', undefined] as const;
const SOURCES = ['srv-1', 'srv-2', 'srv-3'];
const ENDPOINTS = ['logs', 'metrics', 'combined'] as const;
type EndpointName = (typeof ENDPOINTS)[number];

// Every combination of level × source × pattern × site, and no filter at all.
const FILTERS: Array<Filter | null> = [null];
for (const level of [undefined, ['error', 'warn'] as Level[], 'info' as const]) {
  for (const source of [undefined, 'srv-1', ['srv-1', 'srv-2']]) {
    for (const pattern of [undefined, 'LIC']) {
      for (const site of [undefined, SCOPE, 'austin', [SCOPE, 'austin']]) {
        const filter: Filter = {};
        if (level) filter.level = level;
        if (source) filter.source = source;
        if (pattern) filter.pattern = pattern;
        if (site) filter.site = site;
        FILTERS.push(filter);
      }
    }
  }
}

interface Subscriber {
  readonly client: TestClient;
  readonly endpoint: EndpointName;
  readonly scoped: boolean;
  readonly filter: Filter | null;
}

const list = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/** The reference model: what a connection must receive, from the spec's filter semantics. */
function admits(s: Subscriber, m: StreamMessage): boolean {
  const kinds: Record<EndpointName, string[]> = { logs: ['log'], metrics: ['metrics'], combined: ['log', 'alert', 'metrics'] };
  if (!kinds[s.endpoint].includes(m.type)) return false;
  if (s.scoped && m.site !== SCOPE) return false;
  const f = s.filter;
  if (list(f?.site) && (m.site === undefined || !list(f?.site)!.includes(m.site))) return false;
  if (list(f?.source) && (m.source === undefined || !list(f?.source)!.includes(m.source))) return false;
  if (m.type === 'metrics') return true;
  if (list(f?.level) && !list(f?.level)!.includes(m.level)) return false;
  return !f?.pattern || m.message.toLowerCase().includes(f.pattern.toLowerCase());
}

const label = (m: { type?: unknown; site?: unknown; source?: unknown; message?: unknown }) =>
  m.type === 'metrics' ? `metrics ${String(m.site ?? '-')} ${String(m.source)}` : `${String(m.type)} ${String(m.message)}`;

function messages(): StreamMessage[] {
  const timestamp = new Date().toISOString();
  const out: StreamMessage[] = [];
  for (const site of SITES) {
    const at = site ? { site } : {};
    for (const level of LEVELS) {
      for (const source of SOURCES) {
        for (const text of ['license checkout', 'server heartbeat']) {
          out.push({ type: 'log', timestamp, level, source, message: `${site ?? '-'} ${level} ${source} ${text}`, ...at });
        }
      }
    }
    for (const level of ['warn', 'critical'] as const) {
      for (const source of SOURCES.slice(0, 2)) {
        out.push({ type: 'alert', timestamp, level, source, message: `${site ?? '-'} ${level} ${source} license alert`, rule: 'scope_test', key: `${site}:${source}:${level}`, status: 'firing', ...at });
      }
    }
  }
  return out;
}

function snapshots(): StreamMessage[] {
  const timestamp = new Date().toISOString();
  return SITES.flatMap((site) =>
    SOURCES.map((source): StreamMessage => ({ type: 'metrics', timestamp, source, licenses: { total: 10, used: 4, available: 6, utilization: 40 }, ...(site ? { site } : {}) })));
}

let gateway: RunningGateway;
let bus: RedisBus;
let store: KeyStore;
const subscribers: Subscriber[] = [];

beforeAll(async () => {
  const env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, METRICS_MIN_INTERVAL_MS: '100' };
  [gateway, bus, store] = await Promise.all([
    startGateway(env),
    new RedisBus({ url: redisUrl, prefix }).connect(),
    new KeyStore({ url: redisUrl, prefix }).connect(),
  ]);
  const scopedKey = (await store.create({ name: 'berlin-only', sites: [SCOPE] })).key;
  const everyKey = (await store.create({ name: 'every-site' })).key;
  for (const scoped of [true, false]) {
    for (const endpoint of ENDPOINTS) {
      for (const filter of FILTERS) {
        const client = await TestClient.connect(`${gateway.wsUrl}/ws/${endpoint}?api_key=${scoped ? scopedKey : everyKey}`);
        if (filter) client.send({ action: 'subscribe', filter });
        if (endpoint !== 'logs') client.send({ action: 'configure', interval: 100 });
        client.send({ action: 'ping' });
        subscribers.push({ client, endpoint, scoped, filter });
      }
    }
  }
  // Every filter applied (actions are handled in order: the pong comes after them).
  await Promise.all(subscribers.map((s) => s.client.next((m) => m.type === 'pong')));
  for (const s of subscribers) expect(s.client.ofType('error')).toEqual([]);
});

afterAll(async () => {
  for (const s of subscribers) s.client.close();
  await gateway?.kill();
  await Promise.all([bus?.close(), store?.close()]);
});

describe('site scope isolation', () => {
  it(`delivers exactly what scope and filter allow: ${FILTERS.length} filters × 3 endpoints × scoped/unscoped keys, logs, alerts and metrics`, async () => {
    const events = messages();
    const metrics = snapshots();
    for (const m of [...events, ...metrics]) await bus.publish(m);

    const expectedEvents = (s: Subscriber) => events.filter((m) => admits(s, m)).map(label);
    const expectedMetrics = (s: Subscriber) => new Set(metrics.filter((m) => admits(s, m)).map(label));
    const received = (s: Subscriber, kind: 'events' | 'metrics') =>
      s.client.messages.filter((m) => (kind === 'metrics' ? m.type === 'metrics' : m.type === 'log' || m.type === 'alert')).map(label);

    // Every event a connection may see arrives, in publish order…
    await Promise.all(subscribers.map((s) => s.client.waitUntil(() => received(s, 'events').length >= expectedEvents(s).length, 20_000, 'its events')));
    // …and two metrics rounds later every snapshot it may see has come (conflated: each round carries all).
    await Promise.all(subscribers.map(async (s) => {
      const want = expectedMetrics(s);
      await s.client.waitUntil(() => want.size === 0 || received(s, 'metrics').filter((l) => want.has(l)).length >= want.size * 2, 20_000, 'two rounds of metrics');
    }));
    // A ping answered after all that is a fence: anything else the gateway would send is ahead of the pong.
    await Promise.all(subscribers.map((s) => s.client.settle()));

    let checked = 0;
    for (const s of subscribers) {
      const what = `${s.scoped ? 'scoped' : 'unscoped'} /ws/${s.endpoint} ${JSON.stringify(s.filter)}`;
      expect(received(s, 'events'), what).toEqual(expectedEvents(s));
      expect(new Set(received(s, 'metrics')), what).toEqual(expectedMetrics(s));
      if (s.scoped) {
        for (const m of s.client.messages) if (m.type !== 'pong') expect(m.site, what).toBe(SCOPE);
      }
      checked += s.client.messages.length;
    }
    // The model is not vacuous: scoped keys saw Berlin, unscoped keys saw the rest too.
    expect(subscribers.filter((s) => s.scoped).some((s) => received(s, 'events').length > 0)).toBe(true);
    expect(subscribers.find((s) => !s.scoped && s.endpoint === 'combined' && s.filter === null)!.client.messages.some((m) => m.type === 'log' && m.site === undefined)).toBe(true);
    expect(checked).toBeGreaterThan(5000);
  });
});
