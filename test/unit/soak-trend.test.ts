import { describe, expect, it } from 'vitest';
import { leastSquaresSlope, runningMedian3, trendOf } from '../../bench/soak/trend.ts';

describe('soak trend', () => {
  it('fits the least-squares slope', () => {
    expect(leastSquaresSlope([0, 1, 2, 3], [1, 3, 5, 7])).toBeCloseTo(2);
    expect(leastSquaresSlope([0, 1, 2, 3], [5, 5, 5, 5])).toBe(0);
    // One sample, or all at one time: no slope to speak of.
    expect(leastSquaresSlope([1], [9])).toBe(0);
    expect(leastSquaresSlope([2, 2], [1, 9])).toBe(0);
  });

  it('passes a flat series with noise and fails a steady rise beyond the bound', () => {
    const minutes = Array.from({ length: 110 }, (_, i) => 10 + i);
    const flat = minutes.map((m) => 100 + (m % 2 ? 3 : -3));
    const flatTrend = trendOf(minutes, flat, { floor: 16, share: 0.1 });
    expect(flatTrend.ok).toBe(true);
    expect(Math.abs(flatTrend.rise)).toBeLessThan(1);

    // 10 MB an hour: 18 MB over the 109-minute window, past a 16 MB floor (10 % of ~110 is 11).
    const leaking = minutes.map((m) => 100 + m / 6);
    const leak = trendOf(minutes, leaking, { floor: 16, share: 0.1 });
    expect(leak.slopePerHour).toBeCloseTo(10);
    expect(leak.rise).toBeCloseTo(109 / 6);
    expect(leak.allowed).toBe(16);
    expect(leak.ok).toBe(false);
  });

  it('does not take one disturbed sample for a trend, even the last one', () => {
    expect(runningMedian3([1, 9, 1, 1, 1])).toEqual([1, 1, 1, 1, 1]);
    expect(runningMedian3([1, 1, 1, 1, 9])).toEqual([1, 1, 1, 1, 1]);
    expect(runningMedian3([9, 1, 1])).toEqual([1, 1, 1]);
    // A steady rise is kept as it is.
    expect(runningMedian3([1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
    const minutes = [1, 2, 3, 4, 5, 6];
    const spiky = trendOf(minutes, [12, 13, 12, 13, 12, 180], { floor: 100, share: 1 });
    expect(spiky.ok).toBe(true);
    expect(Math.abs(spiky.rise)).toBeLessThan(5);
    // Two disturbed samples in a row are a change, and count.
    expect(trendOf(minutes, [12, 13, 12, 13, 180, 180], { floor: 100, share: 1 }).ok).toBe(false);
  });

  it('allows a share of the mean when that is above the floor', () => {
    const minutes = [0, 1, 2, 3];
    const trend = trendOf(minutes, [1000, 1010, 1020, 1030], { floor: 5, share: 0.1 });
    expect(trend.allowed).toBeCloseTo(101.5);
    expect(trend.rise).toBeCloseTo(30);
    expect(trend.ok).toBe(true);
    // A falling series never fails.
    expect(trendOf(minutes, [50, 40, 30, 20], { floor: 0, share: 0 }).ok).toBe(true);
  });
});
