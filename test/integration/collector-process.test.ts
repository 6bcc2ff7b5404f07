// `npm run collector` as deployed: collector/main.ts as its own process on a real Redis, seen by a
// RedisBus subscriber the way a gateway sees it.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RedisBus, type Delivery } from '../../shared/bus/index.ts';
import { StreamMessageSchema, type StreamMessage } from '../../shared/protocol/index.ts';
import { randomPrefix, startProcess, type RunningProcess } from '../support/processes.ts';
import { waitUntil } from '../support/wait-until.ts';

const redisUrl = inject('redisUrl');
let collector: RunningProcess | undefined;
let bus: RedisBus | undefined;

afterAll(async () => {
  await collector?.kill();
  await bus?.close();
});

describe('collector process', () => {
  it('publishes logs, metrics and alerts to Redis, and exits 0 on SIGTERM', async () => {
    const prefix = randomPrefix();
    bus = await new RedisBus({ url: redisUrl, prefix }).connect();
    const received: Array<{ delivery: Delivery; message: StreamMessage }> = [];
    await bus.subscribe((delivery) => received.push({ delivery, message: StreamMessageSchema.parse(JSON.parse(delivery.json)) }));

    collector = startProcess('collector/main.ts', {
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      SIM_RATE: '400',
      SIM_METRICS_INTERVAL_MS: '300',
      SIM_SEED: '5',
      SIM_SITES: 'berlin,austin',
    });
    const started = await collector.waitForLog((l) => l.msg === 'collector started');
    expect(started).toMatchObject({ prefix, name: 'collector' });

    const of = (type: StreamMessage['type']) => received.filter((r) => r.message.type === type);
    const SERVER = /^flexlm-(berlin|austin)-0[123]$/;
    const alertStatuses = () => new Set(of('alert').map((r) => (r.message.type === 'alert' ? r.message.status : '')));
    const servers = () => new Set(of('metrics').map((r) => r.message.source).filter((s) => SERVER.test(s ?? '')));
    await waitUntil(
      () => of('log').length >= 200 && servers().size === 6 && alertStatuses().size === 2,
      () => `logs, metrics of 6 servers and firing+resolved alerts; got ${of('log').length} logs, ${of('metrics').length} metrics, alerts ${[...alertStatuses()]}`,
      30_000,
    );

    for (const { delivery, message } of received) {
      // Only the whole farm (its roll-up, its utilization alert) belongs to no site.
      const farmWide = message.source === 'farm' || (message.type === 'alert' && message.rule === 'farm_utilization');
      if (farmWide) expect(message.site).toBeUndefined();
      else expect(['berlin', 'austin']).toContain(message.site);
      expect(delivery.stream).toBe(message.site ?? '_');
      if (message.type === 'metrics') {
        expect(delivery.kind).toBe('metrics');
        expect(message.source).toMatch(/^(flexlm-(berlin|austin)-0[123]|host:lic-(berlin|austin)-0[123]a?|site:(berlin|austin)|farm)$/);
        expect(message).not.toHaveProperty('connections');
      } else {
        expect(delivery.kind).toBe('events');
        expect(message.id).toMatch(new RegExp(`^${message.site ?? '_'}:`));
        expect(message.source).toBe(message.type === 'alert' && farmWide ? 'license-farm' : 'license-server');
      }
    }
    // The latest snapshot of every source (6 servers, 6 hosts, 2 sites, the farm) is kept for gateways to hand to new clients.
    await waitUntil(() => received.some((r) => r.message.source === 'farm'), 'the farm roll-up', 30_000);
    expect((await bus.latestMetrics()).length).toBe(15);

    collector.signal('SIGTERM');
    expect(await collector.exited).toBe(0);
    expect(collector.output.some((line) => line.includes('"msg":"collector stopped"'))).toBe(true);
  });
});
