// The collector as the all-in-one runs it: simulated farm → real sources and parsers → publisher →
// MemoryBus, on real timers.
import { describe, expect, it } from 'vitest';
import { startCollector } from '../../collector/index.ts';
import { MemoryBus, type Delivery } from '../../shared/bus/index.ts';
import { CollectorConfigSchema, loadConfig } from '../../shared/config.ts';
import { createLogger } from '../../shared/logger.ts';
import { StreamMessageSchema, type MetricsMessage } from '../../shared/protocol/index.ts';
import { waitUntil } from '../support/wait-until.ts';

const logger = createLogger('test', 'silent');

describe('collector on the memory bus (simulated farm)', () => {
  it('publishes valid events at the configured rate, one snapshot per server per interval, host metrics and roll-ups', async () => {
    const config = loadConfig(CollectorConfigSchema, { SIM_RATE: '200', SIM_METRICS_INTERVAL_MS: '250', SIM_SEED: '11', SIM_SITES: 'berlin,pune', SIM_SERVERS_PER_SITE: '2' });
    const bus = new MemoryBus();
    const received: Delivery[] = [];
    await bus.subscribe((delivery) => received.push(delivery));
    const startedAt = Date.now();
    const collector = await startCollector({ config, bus, logger });

    const servers = ['flexlm-berlin-01', 'flexlm-berlin-02', 'flexlm-pune-01', 'flexlm-pune-02'];
    const metrics = () => received.filter((d) => d.kind === 'metrics').map((d) => JSON.parse(d.json) as MetricsMessage);
    const snapshotsOf = (server: string) => metrics().filter((m) => m.source === server);
    await waitUntil(() => servers.every((s) => snapshotsOf(s).length >= 5), 'five snapshots of every server', 15_000);
    await collector.stop();
    const elapsedMs = Date.now() - startedAt;

    const parsed = received.map((d) => StreamMessageSchema.parse(JSON.parse(d.json)));
    expect(collector.publisher.stats).toMatchObject({ invalid: 0, failed: 0, dropped: 0, published: received.length });
    // Events: about SIM_RATE per second, each written to a debug log and read back as one log.
    const logs = parsed.filter((m) => m.type === 'log');
    expect(logs.length).toBeGreaterThan((elapsedMs / 1000) * 200 * 0.5);
    expect(logs.length).toBeLessThan((elapsedMs / 1000) * 200 * 1.6 + 50);
    for (const log of logs) expect(log).toMatchObject({ source: 'license-server', site: expect.stringMatching(/^(berlin|pune)$/), metadata: { server: expect.stringMatching(/^flexlm-/), event: expect.any(String) } });

    // Metrics: each server polled about every 250 ms, never twice at once.
    for (const server of servers) {
      const times = snapshotsOf(server).map((m) => Date.parse(m.timestamp));
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, server).toBeGreaterThanOrEqual(200);
      for (const m of snapshotsOf(server)) expect(m).toMatchObject({ site: server.split('-')[1], server, kind: 'flexlm', status: expect.stringMatching(/^(up|down)$/) });
    }
    const sources = new Set(metrics().map((m) => m.source));
    expect(sources).toEqual(new Set([...servers, 'site:berlin', 'site:pune', 'farm', ...['lic-berlin-01', 'lic-berlin-02a', 'lic-pune-01', 'lic-pune-02a'].map((h) => `host:${h}`)]));
    for (const m of metrics().filter((m) => m.source?.startsWith('host:'))) expect(m.system?.cpu.cores).toBeGreaterThan(0);
  });

  it('stops cleanly: nothing is published after stop() resolves', async () => {
    const config = loadConfig(CollectorConfigSchema, { SIM_RATE: '500', SIM_METRICS_INTERVAL_MS: '100' });
    const bus = new MemoryBus();
    let count = 0;
    await bus.subscribe(() => count++);
    const collector = await startCollector({ config, bus, logger });
    await waitUntil(() => count > 50, 'more than 50 messages', 15_000);
    await collector.stop();
    const atStop = count;
    // A deliberate observation window: at 500 events/s a leftover timer would publish ~150 here.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(count).toBe(atStop);
    expect(collector.publisher.stats.failed).toBe(0);
  });
});
