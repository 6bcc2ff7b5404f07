// The Bus contract (shared/bus/bus.ts), one table of tests run against every implementation:
// MemoryBus, RedisBus on one Redis server, RedisBus through Sentinels (a master with two replicas)
// and RedisBus on a local 3-node Redis Cluster (sharded pub/sub). Each Redis test uses its own key prefix, a publishing bus and a separate subscribing bus.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { MemoryBus, RedisBus, type Bus, type Delivery, type RedisTarget } from '../../shared/bus/index.ts';
import { comparePositions, leadingId, parseStreamId, type StreamId } from '../../shared/bus/stream-id.ts';
import type { StreamMessage } from '../../shared/protocol/index.ts';
import { randomPrefix } from '../support/processes.ts';
import { RedisCluster } from '../support/redis-cluster.ts';
import { RedisSentinelSet, SENTINEL_MASTER_NAME } from '../support/redis-sentinel.ts';
import { waitUntil } from '../support/wait-until.ts';

interface Buses {
  publisher: Bus;
  subscriber: Bus;
}

interface Mode {
  name: string;
  setup?: () => Promise<void>;
  teardown?: () => Promise<void>;
  /** A publisher and a subscriber that meet (one bus for the in-memory mode). */
  create: (historyLength?: number) => Promise<Buses>;
}

const redisMode = (name: string, target: () => RedisTarget, extra: Partial<Mode> = {}): Mode => ({
  name,
  ...extra,
  async create(historyLength) {
    const prefix = randomPrefix();
    const [publisher, subscriber] = await Promise.all([
      new RedisBus({ ...target(), prefix, historyLength }).connect(),
      new RedisBus({ ...target(), prefix, historyLength }).connect(),
    ]);
    return { publisher, subscriber };
  },
});

let cluster: RedisCluster | undefined;
let sentinels: RedisSentinelSet | undefined;
const MODES: Mode[] = [
  {
    name: 'MemoryBus',
    async create(historyLength) {
      const bus = new MemoryBus(historyLength);
      return { publisher: bus, subscriber: bus };
    },
  },
  redisMode('RedisBus on one server', () => ({ url: inject('redisUrl') })),
  redisMode('RedisBus through Sentinels (one master, two replicas, three Sentinels)', () => ({ sentinels: sentinels!.addresses, sentinelName: SENTINEL_MASTER_NAME, url: 'redis://' }), {
    setup: async () => void (sentinels = await RedisSentinelSet.start()),
    teardown: async () => sentinels?.dispose(),
  }),
  redisMode('RedisBus on a 3-node Redis Cluster', () => ({ clusterNodes: cluster!.addresses }), {
    setup: async () => void (cluster = await RedisCluster.start()),
    teardown: async () => cluster?.dispose(),
  }),
];

const log = (n: number, site?: string): StreamMessage =>
  ({ type: 'log', timestamp: new Date().toISOString(), level: 'info', message: `n=${n}`, source: 'license-server', metadata: { n }, ...(site ? { site } : {}) }) as StreamMessage;
const metrics = (site: string, source: string, used: number): StreamMessage =>
  ({ type: 'metrics', timestamp: new Date().toISOString(), site, source, licenses: { total: 100, used, available: 100 - used, utilization: used } }) as StreamMessage;
const idOf = (d: Delivery): StreamId => parseStreamId(leadingId(d.json) ?? '')!;
const numberOf = (d: Delivery): number => (JSON.parse(d.json) as { metadata: { n: number } }).metadata.n;

/** Wait until `done()` holds, polling on the event loop (deliveries arrive asynchronously). */
describe.each(MODES)('bus contract: $name', (mode) => {
  const open: Buses[] = [];
  const create = async (historyLength?: number) => {
    const buses = await mode.create(historyLength);
    open.push(buses);
    return buses;
  };

  beforeAll(async () => mode.setup?.());
  afterAll(async () => mode.teardown?.());
  afterEach(async () => {
    for (const { publisher, subscriber } of open.splice(0)) await Promise.all([...new Set([publisher, subscriber])].map((b) => b.close()));
  });

  it('delivers every message once, in publish order per stream, with the id publish returned', async () => {
    const { publisher, subscriber } = await create();
    const got: Delivery[] = [];
    await subscriber.subscribe((d) => got.push(d));
    const sites = ['berlin', 'austin', undefined];
    // Streams seen before the subscriber started, and one it learns about only now.
    await Promise.all(sites.map((site) => publisher.publish(log(0, site))));
    await waitUntil(() => got.length >= 3, 'the first message of each stream');
    const ids = new Map<string, string[]>();
    const publishes: Array<Promise<void>> = [];
    for (let n = 1; n <= 60; n++) {
      for (const site of [...sites, 'late']) {
        publishes.push(publisher.publish(log(n, site)).then(({ id }) => void ids.set(`${site}:${n}`, [id!])));
      }
    }
    await Promise.all(publishes);
    await waitUntil(() => got.length >= 3 + 4 * 60, 'every message');
    await new Promise((resolve) => setTimeout(resolve, 100)); // nothing more (no duplicates) arrives
    expect(got).toHaveLength(3 + 4 * 60);
    for (const stream of ['berlin', 'austin', '_', 'late']) {
      const ofStream = got.filter((d) => d.stream === stream && numberOf(d) > 0);
      expect(ofStream.map(numberOf), stream).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      const streamIds = ofStream.map(idOf);
      for (let i = 1; i < streamIds.length; i++) expect(comparePositions(streamIds[i]!, streamIds[i - 1]!)).toBeGreaterThan(0);
      expect(new Set(streamIds.map((id) => id.epoch)).size).toBe(1);
      const site = stream === '_' ? undefined : stream;
      expect(ofStream.map((d) => leadingId(d.json))).toEqual(ofStream.map((d) => ids.get(`${site}:${numberOf(d)}`)![0]));
      expect(ofStream.every((d) => d.kind === 'events')).toBe(true);
    }
  });

  it('reads history in pages after an id, oldest first', async () => {
    const { publisher } = await create();
    const ids: string[] = [];
    for (let n = 1; n <= 25; n++) ids.push((await publisher.publish(log(n, 'paged'))).id!);
    const first = await publisher.readHistory('paged', undefined, 10);
    expect(first.truncated).toBe(false);
    expect(first.epoch).toBe(parseStreamId(ids[0]!)!.epoch);
    expect(first.entries.map(numberOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const second = await publisher.readHistory('paged', idOf(first.entries.at(-1)!), 10);
    expect(second.entries.map(numberOf)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const last = await publisher.readHistory('paged', idOf(second.entries.at(-1)!), 10);
    expect(last.entries.map(numberOf)).toEqual([21, 22, 23, 24, 25]);
    expect(last.entries.map((d) => leadingId(d.json))).toEqual(ids.slice(20));
    expect((await publisher.readHistory('paged', parseStreamId(ids[24]!), 10)).entries).toEqual([]);
    expect(await publisher.readHistory('never-published', undefined, 10)).toEqual({ epoch: undefined, truncated: false, entries: [] });
  });

  it('says truncated when entries after the id were trimmed, or the id is from another epoch', async () => {
    const { publisher } = await create(10);
    const first = parseStreamId((await publisher.publish(log(1, 'trimmed'))).id!)!;
    for (let n = 2; n <= 400; n++) await publisher.publish(log(n, 'trimmed'));
    const page = await publisher.readHistory('trimmed', first, 1000);
    expect(page.truncated).toBe(true);
    const kept = page.entries.map(numberOf);
    expect(kept.length).toBeLessThan(399);
    expect(kept.at(-1)).toBe(400);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 401 - kept.length + i)); // the newest, contiguous
    const newest = idOf(page.entries.at(-1)!);
    expect((await publisher.readHistory('trimmed', newest, 10)).truncated).toBe(false);
    // Another epoch: the history was lost (all that is kept follows), or only its tail was (a
    // promoted replica), when the stream still holds the very entry the id names: what follows it.
    const otherEpoch = await publisher.readHistory('trimmed', { ...first, epoch: 'lost0' }, 1000);
    expect(otherEpoch.truncated).toBe(true);
    expect(otherEpoch.entries.map(numberOf)).toEqual(kept);
    const held = idOf(page.entries.at(-3)!);
    const tailLost = await publisher.readHistory('trimmed', { ...held, epoch: 'lost0' }, 1000);
    expect(tailLost.truncated).toBe(true);
    expect(tailLost.entries.map(numberOf)).toEqual([399, 400]);
    expect((await publisher.readHistory('never-published', first, 10)).truncated).toBe(true);
  });

  it('reads history backwards in pages before a position, newest first', async () => {
    const { publisher } = await create();
    const ids: string[] = [];
    for (let n = 1; n <= 12; n++) ids.push((await publisher.publish(log(n, 'back'))).id!);
    const first = await publisher.readHistoryBackwards('back', undefined, 5);
    expect(first.epoch).toBe(parseStreamId(ids[0]!)!.epoch);
    expect(first.entries.map(numberOf)).toEqual([12, 11, 10, 9, 8]);
    expect(first.entries.map((d) => leadingId(d.json))).toEqual(ids.slice(7).reverse());
    const second = await publisher.readHistoryBackwards('back', idOf(first.entries.at(-1)!), 5);
    expect(second.entries.map(numberOf)).toEqual([7, 6, 5, 4, 3]);
    const last = await publisher.readHistoryBackwards('back', idOf(second.entries.at(-1)!), 5);
    expect(last.entries.map(numberOf)).toEqual([2, 1]);
    expect(await publisher.readHistoryBackwards('never-published', undefined, 5)).toEqual({ epoch: undefined, entries: [] });
  });

  it('keeps the alerts firing now, per stream and key, with their ids: set on firing, replaced by a new firing, cleared on resolve', async () => {
    const { publisher } = await create();
    const alert = (key: string, site: string | undefined, status: 'firing' | 'resolved', n: number): StreamMessage =>
      ({ type: 'alert', timestamp: new Date().toISOString(), level: 'error', message: `${key} ${status}`, source: 'rules', rule: 'r', key, status, metadata: { n }, ...(site ? { site } : {}) }) as StreamMessage;
    await publisher.publish(alert('down', 'a1', 'firing', 1));
    const refired = await publisher.publish(alert('down', 'a1', 'firing', 2));
    const other = await publisher.publish(alert('down', 'a2', 'firing', 3));
    const noSite = await publisher.publish(alert('quiet', undefined, 'firing', 4));
    await publisher.publish(alert('gone', 'a1', 'firing', 5));
    await publisher.publish(alert('gone', 'a1', 'resolved', 6));
    await publisher.publish(log(7, 'a1'));
    const active = async () => (await publisher.activeAlerts()).map((d) => `${d.stream} ${leadingId(d.json)} ${numberOf(d)}`).sort();
    const expected = [`a1 ${refired.id} 2`, `a2 ${other.id} 3`, `_ ${noSite.id} 4`].sort();
    expect(await active()).toEqual(expected);
    await publisher.publish(alert('down', 'a2', 'resolved', 8));
    expect(await active()).toEqual(expected.filter((e) => !e.startsWith('a2')));
  });

  it('knows the head of every stream that has published', async () => {
    const { publisher } = await create();
    const last = new Map<string, string>();
    for (let n = 1; n <= 5; n++) {
      for (const site of ['h1', 'h2', undefined]) last.set(site ?? '_', (await publisher.publish(log(n, site))).id!);
    }
    const heads = await publisher.heads();
    for (const [stream, id] of last) expect(heads.get(stream), stream).toEqual(parseStreamId(id));
  });

  it('keeps the latest metrics snapshot of every (site, source) and delivers snapshots live, never an older after a newer', async () => {
    const { publisher, subscriber } = await create();
    const got: Delivery[] = [];
    await subscriber.subscribe((d) => got.push(d));
    for (const used of [10, 20, 30]) {
      await publisher.publish(metrics('m1', 'lic-a', used));
      await publisher.publish(metrics('m1', 'lic-b', used + 1));
      await publisher.publish(metrics('m2', 'lic-a', used + 2));
    }
    const summary = (deliveries: Delivery[]) => deliveries.map((d) => {
      const m = JSON.parse(d.json) as { source: string; licenses: { used: number } };
      return `${d.stream}/${m.source}=${m.licenses.used}`;
    });
    const newest = ['m1/lic-a=30', 'm1/lic-b=31', 'm2/lic-a=32'];
    // These sites are new to the subscriber: on Redis Cluster it learns them after their first
    // snapshots, which it does not hear live; it still ends up with the newest of each.
    await waitUntil(() => newest.every((s) => summary(got).includes(s)), 'the newest snapshot of each source');
    expect(got.every((d) => d.kind === 'metrics' && !d.json.startsWith('{"id"'))).toBe(true);
    for (const key of ['m1/lic-a', 'm1/lic-b', 'm2/lic-a']) {
      const values = summary(got).filter((s) => s.startsWith(`${key}=`)).map((s) => Number(s.split('=')[1]));
      expect(values, key).toEqual([...values].sort((a, b) => a - b));
      expect(new Set(values).size, key).toBe(values.length);
    }
    expect(summary(await publisher.latestMetrics()).sort()).toEqual(newest);
  });

  it('adds up connections reported by every node', async () => {
    const { publisher, subscriber } = await create();
    await publisher.reportConnections('node-a', 3, 3);
    const figures = await subscriber.reportConnections('node-b', 4, 5);
    expect(figures).toEqual({ active: 7, total: 8 });
    expect(await publisher.reportConnections('node-a', 1, 0)).toEqual({ active: 5, total: 8 });
  });

  it('publishes an event of an explicit producer sequence once, whichever bus repeats it', async () => {
    const { publisher, subscriber } = await create();
    const got: Delivery[] = [];
    await subscriber.subscribe((d) => got.push(d));
    const producer = (seq: number) => ({ id: 'debuglog:lic-a', seq });
    await publisher.publish(log(1, 'dedupe'), producer(1));
    await publisher.publish(log(2, 'dedupe'), producer(2));
    // A reader that went back to an older checkpoint publishes 1 and 2 again, then 3.
    await subscriber.publish(log(1, 'dedupe'), producer(1));
    await subscriber.publish(log(2, 'dedupe'), producer(2));
    await subscriber.publish(log(3, 'dedupe'), producer(3));
    await waitUntil(() => got.length >= 3, 'three deliveries');
    const page = await subscriber.readHistory('dedupe', undefined, 10);
    expect(page.entries.map(numberOf)).toEqual([1, 2, 3]);
    expect(got.map(numberOf)).toEqual([1, 2, 3]);
  });

  it('leases an input to one owner at a time and keeps its checkpoint and producer sequence', async () => {
    const { publisher, subscriber } = await create();
    const a = { stream: 'leased', input: 'debuglog:lic-a', owner: 'collector-a' };
    const b = { ...a, owner: 'collector-b' };
    expect(await publisher.claimInput(a, 60_000)).toEqual({ checkpoint: undefined, producerSeq: 0 });
    expect(await subscriber.claimInput(b, 60_000), 'b while a holds the lease').toBeUndefined();
    expect(await subscriber.commitCheckpoint(b, 'from b', 60_000), 'b may not store a checkpoint').toBe(false);
    await publisher.publish(log(1, 'leased'), { id: a.input, seq: 7 });
    expect(await publisher.commitCheckpoint(a, 'offset 42', 60_000)).toBe(true);
    expect(await publisher.claimInput(a, 60_000), 'a renews its lease').toEqual({ checkpoint: 'offset 42', producerSeq: 7 });
    expect(await publisher.commitCheckpoint(a, 'offset 50', 60_000, true), 'a stops: stores and releases').toBe(true);
    expect(await subscriber.claimInput(b, 60_000), 'b takes over at once').toEqual({ checkpoint: 'offset 50', producerSeq: 7 });
    expect(await publisher.commitCheckpoint(a, 'stale', 60_000), 'a no longer holds it').toBe(false);
  });

  it('lets another owner take an input whose lease expired', async () => {
    const { publisher, subscriber } = await create();
    const a = { stream: 'expiring', input: 'debuglog:lic-b', owner: 'collector-a' };
    const b = { ...a, owner: 'collector-b' };
    expect(await publisher.claimInput(a, 100)).toBeDefined();
    expect(await subscriber.claimInput(b, 60_000), 'b while the lease runs').toBeUndefined();
    const deadline = Date.now() + 10_000;
    let claim = await subscriber.claimInput(b, 60_000);
    while (!claim && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50)); // the lease's own expiry is the event awaited
      claim = await subscriber.claimInput(b, 60_000);
    }
    expect(claim).toEqual({ checkpoint: undefined, producerSeq: 0 });
  });
});
