// The AlertState contract, run against both implementations (memory, and Redis shared by
// collectors): a condition fires once and resolves once however many evaluations race on it,
// scopes are apart, and poll failures count up and reset.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MemoryAlertState, type AlertSpec, type AlertState } from '../../collector/alerts/alert-state.ts';
import { RedisAlertState } from '../../collector/alerts/alert-state-redis.ts';
import { CollectorKeys } from '../../collector/collector-keys.ts';
import { randomPrefix } from '../support/processes.ts';

const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.disconnect());

const spec = (key: string): AlertSpec => ({
  timestamp: '2024-01-15T10:30:00.000Z',
  level: 'critical',
  message: 'License server flexlm-01 is down',
  source: 'license-server',
  site: 'berlin',
  rule: 'server_down',
  key,
  metadata: { server: 'flexlm-01' },
});

const implementations: Array<[string, () => AlertState]> = [
  ['memory', () => new MemoryAlertState()],
  ['redis', () => new RedisAlertState(redis, new CollectorKeys(randomPrefix()))],
];

describe.each(implementations)('AlertState (%s)', (_name, make) => {
  it('fires once and resolves once, even when evaluations race', async () => {
    const state = make();
    const fired = await Promise.all(Array.from({ length: 20 }, () => state.fire('flexlm-01', spec('server_down:berlin:flexlm-01'))));
    expect(fired.filter(Boolean)).toHaveLength(1);
    expect(await state.firing('flexlm-01')).toEqual(new Set(['server_down:berlin:flexlm-01']));
    const resolved = await Promise.all(Array.from({ length: 20 }, () => state.resolve('flexlm-01', 'server_down:berlin:flexlm-01')));
    expect(resolved.filter(Boolean)).toEqual([spec('server_down:berlin:flexlm-01')]);
    expect(await state.firing('flexlm-01')).toEqual(new Set());
    expect(await state.resolve('flexlm-01', 'server_down:berlin:flexlm-01')).toBeUndefined();
  });

  it('keeps scopes apart', async () => {
    const state = make();
    await state.fire('a', spec('k1'));
    await state.fire('b', spec('k2'));
    expect(await state.firing('a')).toEqual(new Set(['k1']));
    expect(await state.resolve('a', 'k2')).toBeUndefined();
    expect(await state.firing('b')).toEqual(new Set(['k2']));
  });

  it('counts consecutive poll failures per server and starts again after a success', async () => {
    const state = make();
    expect([await state.countFailure('s1'), await state.countFailure('s1'), await state.countFailure('s2')]).toEqual([1, 2, 1]);
    await state.clearFailures('s1');
    expect(await state.countFailure('s1')).toBe(1);
  });
});
