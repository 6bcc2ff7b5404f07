import { describe, expect, it } from 'vitest';
import { compileFilter, LEVEL_INDEX, matchesEvent, matchesMetrics } from '../../gateway/filter/filter.ts';

const event = (f: ReturnType<typeof compileFilter>, level: keyof typeof LEVEL_INDEX, source: string, site: string | undefined, message: string) =>
  matchesEvent(f, LEVEL_INDEX[level], source, site, message);

describe('compileFilter', () => {
  it('matches everything when null', () => {
    const f = compileFilter(null);
    expect(event(f, 'debug', 'x', undefined, '')).toBe(true);
    expect(event(f, 'critical', 'y', 'berlin', 'z')).toBe(true);
    expect(matchesMetrics(f, undefined, undefined)).toBe(true);
  });

  it('treats level as a set and accepts a single level', () => {
    const set = compileFilter({ level: ['error', 'warn'] });
    expect(event(set, 'warn', 's', undefined, '')).toBe(true);
    expect(event(set, 'error', 's', undefined, '')).toBe(true);
    expect(event(set, 'info', 's', undefined, '')).toBe(false);
    const single = compileFilter({ level: 'critical' });
    expect(event(single, 'critical', 's', undefined, '')).toBe(true);
    expect(event(single, 'error', 's', undefined, '')).toBe(false);
  });

  it('matches source exactly and pattern case-insensitively', () => {
    const f = compileFilter({ source: 'license-server', pattern: 'UTILIZATION' });
    expect(event(f, 'info', 'license-server', undefined, 'License utilization at 90%')).toBe(true);
    expect(event(f, 'info', 'license-server-2', undefined, 'License utilization at 90%')).toBe(false);
    expect(event(f, 'info', 'license-server', undefined, 'checkout')).toBe(false);
  });

  it('filters sites; a message without a site fails a site filter', () => {
    const f = compileFilter({ site: ['berlin', 'pune'] });
    expect(event(f, 'info', 's', 'berlin', '')).toBe(true);
    expect(event(f, 'info', 's', 'austin', '')).toBe(false);
    expect(event(f, 'info', 's', undefined, '')).toBe(false);
    expect(matchesMetrics(f, 'srv', 'pune')).toBe(true);
    expect(matchesMetrics(f, 'srv', undefined)).toBe(false);
  });

  it('narrows to the key scope whatever the filter asks for', () => {
    const scope = new Set(['berlin']);
    const open = compileFilter(null, scope);
    expect(event(open, 'info', 's', 'berlin', '')).toBe(true);
    expect(event(open, 'info', 's', 'austin', '')).toBe(false);
    expect(event(open, 'info', 's', undefined, '')).toBe(false);
    const outside = compileFilter({ site: 'austin' }, scope);
    expect(event(outside, 'info', 's', 'austin', '')).toBe(false);
    expect(event(outside, 'info', 's', 'berlin', '')).toBe(false);
  });

  it('applies only site and source to metrics', () => {
    const f = compileFilter({ level: 'error', pattern: 'nothing-matches', source: ['a', 'b'] });
    expect(matchesMetrics(f, 'a', undefined)).toBe(true);
    expect(matchesMetrics(f, 'c', undefined)).toBe(false);
    expect(matchesMetrics(f, undefined, undefined)).toBe(false);
  });

  it('gives equal filters equal keys, whatever the order or form', () => {
    expect(compileFilter({ level: ['warn', 'error'], source: ['b', 'a'] }).key).toBe(compileFilter({ source: ['a', 'b', 'a'], level: ['error', 'warn'] }).key);
    expect(compileFilter({ level: 'warn' }).key).toBe(compileFilter({ level: ['warn'] }).key);
    expect(compileFilter({ level: 'warn' }).key).not.toBe(compileFilter({ level: 'error' }).key);
    expect(compileFilter(null).key).not.toBe(compileFilter(null, new Set(['x'])).key);
  });
});
