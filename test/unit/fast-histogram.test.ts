// FastHistogram renders exactly what prom-client's own Histogram renders for the same
// observations, so Prometheus and the dashboard cannot tell them apart.
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastHistogram } from '../../shared/metrics/fast-histogram.ts';

describe('FastHistogram', () => {
  it('exposes the same text as prom-client\'s Histogram, and resets', async () => {
    const buckets = [0.001, 0.01, 0.1, 1];
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new FastHistogram('delay_seconds', 'A delay.', buckets, ours);
    const reference = new Histogram({ name: 'delay_seconds', help: 'A delay.', buckets, registers: [theirs] });
    // Below, on, between and above the bounds.
    for (const v of [0, 0.001, 0.0011, 0.05, 0.1, 0.7, 1, 3, 250]) {
      fast.observe(v);
      reference.observe(v);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('delay_seconds_bucket{le="+Inf"} 9');
    fast.reset();
    expect(await ours.metrics()).toContain('delay_seconds_count 0');
  });
});
