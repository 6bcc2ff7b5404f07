// Reconnect delays: exponential ceilings with the spec's defaults, full jitter within them.
import { describe, expect, it } from 'vitest';
import { RECONNECT_DEFAULTS, backoffCeiling, backoffDelay } from '../../client/backoff.ts';

const spec = { baseDelay: RECONNECT_DEFAULTS.baseDelay, maxDelay: RECONNECT_DEFAULTS.maxDelay };

describe('client backoff', () => {
  it('has the spec\'s defaults: 10 retries, 1 s base, 30 s cap', () => {
    expect(RECONNECT_DEFAULTS).toEqual({ maxRetries: 10, baseDelay: 1000, maxDelay: 30_000 });
  });

  it('doubles the ceiling per attempt up to maxDelay, and never overflows', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 9].map((attempt) => backoffCeiling(attempt, spec))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoffCeiling(5000, spec)).toBe(30_000);
    expect(backoffCeiling(-1, spec)).toBe(1000);
  });

  it('draws each delay uniformly from 0 to the ceiling (full jitter), both ends reachable', () => {
    expect(backoffDelay(3, spec, () => 0)).toBe(0);
    expect(backoffDelay(3, spec, () => 0.999_999_999)).toBe(8000);
    expect(backoffDelay(3, spec, () => 0.5)).toBe(4000);
    expect(backoffDelay(20, spec, () => 0.999_999_999)).toBe(30_000);
  });

  it('with Math.random: every delay within bounds, and spread over the range rather than clustered', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = backoffCeiling(attempt, spec);
      const delays = Array.from({ length: 2000 }, () => backoffDelay(attempt, spec));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...delays)).toBeLessThanOrEqual(ceiling);
      expect(delays.every(Number.isInteger)).toBe(true);
      // 2000 uniform draws: each quarter of the range gets roughly 500; far below 300 means no jitter.
      const quarters = [0, 1, 2, 3].map((q) => delays.filter((d) => d >= (q * ceiling) / 4 && d < ((q + 1) * ceiling) / 4).length);
      for (const count of quarters) expect(count).toBeGreaterThan(300);
    }
  });
});
