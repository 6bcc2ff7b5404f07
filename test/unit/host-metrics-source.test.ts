// This machine's cpu, memory and disk as the spec's `system` block.
import { describe, expect, it } from 'vitest';
import { hostMetricsSource } from '../../collector/sources/host-metrics-source.ts';
import { MetricsMessageSchema } from '../../shared/protocol/index.ts';

describe('host metrics source', () => {
  it('reports the spec\'s system block for this host, as source host:<name>', async () => {
    const source = hostMetricsSource('lic-berlin-01', 10_000, 'berlin');
    expect(source).toMatchObject({ kind: 'polled', name: 'host:lic-berlin-01', intervalMs: 10_000 });
    const [message] = await source.poll(new AbortController().signal);
    const metrics = MetricsMessageSchema.parse(message);
    expect(metrics).toMatchObject({ type: 'metrics', source: 'host:lic-berlin-01', site: 'berlin', host: 'lic-berlin-01' });
    const { cpu, memory, disk } = metrics.system!;
    expect(cpu.cores).toBeGreaterThan(0);
    expect(cpu.usage).toBeGreaterThanOrEqual(0);
    expect(cpu.usage).toBeLessThanOrEqual(100);
    for (const block of [memory, disk]) {
      expect(block.total).toBeGreaterThan(0);
      expect(block.used).toBeGreaterThan(0);
      expect(block.percentage).toBeGreaterThan(0);
      expect(block.percentage).toBeLessThanOrEqual(100);
    }
    expect(memory.used + memory.available).toBe(memory.total);
  });
});
