import { describe, expect, it } from 'vitest';
import { AlertTracker, thresholdTransition, type AlertSpec } from '../../collector/alerts/alert-tracker.ts';

const spec = (key: string, extra: Partial<AlertSpec> = {}): AlertSpec => ({
  timestamp: '2024-01-15T10:30:45.123Z',
  level: 'warn',
  message: 'License utilization at 92%',
  source: 'license-server',
  site: 'berlin',
  rule: 'feature_utilization',
  key,
  metadata: { server: 'flexlm-berlin-01', feature: 'Maya_Complete', utilization: 92 },
  ...extra,
});

describe('AlertTracker', () => {
  it('fires once per condition, however often the rule sees it hold', () => {
    const tracker = new AlertTracker();
    expect(tracker.fire(spec('k1'))).toMatchObject({ type: 'alert', status: 'firing', key: 'k1', level: 'warn', site: 'berlin' });
    expect(tracker.fire(spec('k1', { message: 'again' }))).toBeUndefined();
    expect(tracker.isFiring('k1')).toBe(true);
    expect(tracker.fire(spec('k2'))).toBeDefined();
  });

  it('resolves with the same key, rule, site and source, merging metadata; only when firing', () => {
    const tracker = new AlertTracker();
    expect(tracker.resolve('k1', { timestamp: '2024-01-15T10:31:00.000Z', message: 'back' })).toBeUndefined();
    tracker.fire(spec('k1'));
    const resolved = tracker.resolve('k1', { timestamp: '2024-01-15T10:31:00.000Z', message: 'back to 70%', metadata: { utilization: 70 } });
    expect(resolved).toEqual({
      type: 'alert',
      status: 'resolved',
      timestamp: '2024-01-15T10:31:00.000Z',
      level: 'info',
      message: 'back to 70%',
      source: 'license-server',
      site: 'berlin',
      rule: 'feature_utilization',
      key: 'k1',
      metadata: { server: 'flexlm-berlin-01', feature: 'Maya_Complete', utilization: 70 },
    });
    expect(tracker.isFiring('k1')).toBe(false);
    expect(tracker.resolve('k1', { timestamp: '2024-01-15T10:32:00.000Z', message: 'twice' })).toBeUndefined();
  });

  it('lists firing keys by prefix', () => {
    const tracker = new AlertTracker();
    tracker.fire(spec('server_down:berlin:a'));
    tracker.fire(spec('server_down:pune:b'));
    tracker.fire(spec('feature_utilization:berlin:a:X'));
    expect(tracker.firingKeys('server_down:')).toEqual(['server_down:berlin:a', 'server_down:pune:b']);
  });
});

describe('thresholdTransition (hysteresis)', () => {
  const threshold = { fireAt: 90, clearBelow: 80 };

  it('fires at the threshold and clears only below the lower bound', () => {
    const values = [85, 90, 89, 95, 81, 80, 79.9, 85, 89.9, 90];
    let firing = false;
    const transitions = values.map((value) => {
      const t = thresholdTransition(value, firing, threshold);
      if (t) firing = t === 'fire';
      return t ?? '-';
    });
    expect(transitions).toEqual(['-', 'fire', '-', '-', '-', '-', 'resolve', '-', '-', 'fire']);
  });
});
