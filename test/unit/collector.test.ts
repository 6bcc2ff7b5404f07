// The collector as the all-in-one runs it: simulated farm → publisher → MemoryBus, on real timers.
import { describe, expect, it } from 'vitest';
import { startCollector } from '../../collector/index.ts';
import { MemoryBus, type Delivery } from '../../shared/bus/index.ts';
import { CollectorConfigSchema, loadConfig } from '../../shared/config.ts';
import { createLogger } from '../../shared/logger.ts';
import { StreamMessageSchema, type MetricsMessage } from '../../shared/protocol/index.ts';

const logger = createLogger('test', 'silent');

function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error('condition not met in time'));
      else return;
      clearInterval(timer);
    }, 20);
  });
}

describe('collector on the memory bus', () => {
  it('publishes valid events at the configured rate and one snapshot per server per interval', async () => {
    const config = loadConfig(CollectorConfigSchema, { SIM_RATE: '200', SIM_METRICS_INTERVAL_MS: '250', SIM_SEED: '11', SIM_SITES: 'berlin,pune', SIM_SERVERS_PER_SITE: '2' });
    const bus = new MemoryBus();
    const received: Delivery[] = [];
    await bus.subscribe((delivery) => received.push(delivery));
    const startedAt = Date.now();
    const collector = await startCollector({ config, bus, logger });

    const snapshots = () => received.filter((d) => d.kind === 'metrics').map((d) => JSON.parse(d.json) as MetricsMessage);
    await until(() => snapshots().length >= 4 * 4);
    await collector.stop();
    const elapsedMs = Date.now() - startedAt;

    const parsed = received.map((d) => StreamMessageSchema.parse(JSON.parse(d.json)));
    expect(collector.publisher.stats).toMatchObject({ invalid: 0, failed: 0, dropped: 0, published: received.length });
    // Events: about SIM_RATE per second (each event is one log, sometimes with an alert).
    const logs = parsed.filter((m) => m.type === 'log').length;
    expect(logs).toBeGreaterThan((elapsedMs / 1000) * 200 * 0.5);
    expect(logs).toBeLessThan((elapsedMs / 1000) * 200 * 1.6 + 50);
    for (const delivery of received.filter((d) => d.kind === 'events')) expect(JSON.parse(delivery.json).id).toMatch(/^(berlin|pune):\d+-\d+$/);

    // Metrics: polls are whole rounds (one timestamp, every server once), about 250 ms apart.
    const rounds = new Map<string, string[]>();
    for (const m of snapshots()) rounds.set(m.timestamp, [...(rounds.get(m.timestamp) ?? []), m.source!]);
    const servers = ['flexlm-berlin-01', 'flexlm-berlin-02', 'flexlm-pune-01', 'flexlm-pune-02'];
    for (const sources of rounds.values()) expect(sources).toEqual(servers);
    const times = [...rounds.keys()].map(Date.parse);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(200);
    expect(snapshots().every((m) => m.site === m.source!.split('-')[1])).toBe(true);
  });

  it('stops cleanly: nothing is published after stop() resolves', async () => {
    const config = loadConfig(CollectorConfigSchema, { SIM_RATE: '500', SIM_METRICS_INTERVAL_MS: '100' });
    const bus = new MemoryBus();
    let count = 0;
    await bus.subscribe(() => count++);
    const collector = await startCollector({ config, bus, logger });
    await until(() => count > 50);
    await collector.stop();
    const atStop = count;
    // A deliberate observation window: at 500 events/s a leftover timer would publish ~150 here.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(count).toBe(atStop);
    expect(collector.publisher.stats.failed).toBe(0);
  });
});
