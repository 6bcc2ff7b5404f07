// The gateway's limits as plain objects: message rate, failed-auth throttle, Origin allow-list,
// client address behind a proxy, connections per key and address, filter size.
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../gateway/auth/authenticator.ts';
import { AuthThrottle } from '../../gateway/limits/auth-throttle.ts';
import { clientAddress } from '../../gateway/limits/client-address.ts';
import { ConnectionRegistry, type TrackedConnection } from '../../gateway/limits/connection-limits.ts';
import { filterLimitViolation } from '../../gateway/limits/filter-limits.ts';
import { OriginPolicy } from '../../gateway/limits/origin.ts';
import { MessageRateLimiter, type RateVerdict } from '../../gateway/limits/rate-limiter.ts';

describe('MessageRateLimiter', () => {
  const policy = { perSecond: 10, burst: 5, maxViolations: 3 };

  it('accepts a burst, then drops with one warning per second, then closes a client that persists', () => {
    const limiter = new MessageRateLimiter(policy, 0);
    const verdicts: RateVerdict[] = [];
    for (let i = 0; i < 9; i++) verdicts.push(limiter.take(0));
    expect(verdicts).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'warn', 'drop', 'drop', 'close']);
  });

  it('refills at the sustained rate, and forgives violations once the budget is full again', () => {
    const limiter = new MessageRateLimiter(policy, 0);
    for (let i = 0; i < 5; i++) limiter.take(0);
    expect(limiter.take(0)).toBe('warn');
    expect(limiter.take(100)).toBe('ok'); // 100 ms at 10/s: one token
    expect(limiter.take(100)).toBe('drop');
    expect(limiter.take(1000)).toBe('ok'); // full again: violations forgotten
    for (let i = 0; i < 4; i++) expect(limiter.take(1000)).toBe('ok');
    expect(limiter.take(1000)).toBe('warn'); // a new episode, a new warning
    expect(limiter.take(1000)).toBe('drop');
    expect(limiter.take(1000)).toBe('drop');
    expect(limiter.take(1000)).toBe('close');
  });

  it('is off with a rate of 0', () => {
    const limiter = new MessageRateLimiter({ ...policy, perSecond: 0 }, 0);
    for (let i = 0; i < 1000; i++) expect(limiter.take(0)).toBe('ok');
  });
});

describe('AuthThrottle', () => {
  it('blocks an address after maxFailures within the window, for blockMs, and only that address', () => {
    let now = 0;
    const throttle = new AuthThrottle({ maxFailures: 3, windowMs: 1000, blockMs: 5000 }, () => now);
    throttle.recordFailure('a');
    throttle.recordFailure('a');
    expect(throttle.blockedFor('a')).toBe(0);
    throttle.recordFailure('a');
    expect(throttle.blockedFor('a')).toBe(5000);
    expect(throttle.blockedFor('b')).toBe(0);
    now = 4999;
    expect(throttle.blockedFor('a')).toBe(1);
    now = 5000;
    expect(throttle.blockedFor('a')).toBe(0);
  });

  it('forgets failures older than the window, and sweeps idle addresses', () => {
    let now = 0;
    const throttle = new AuthThrottle({ maxFailures: 2, windowMs: 1000, blockMs: 5000 }, () => now);
    throttle.recordFailure('a');
    now = 1500;
    throttle.recordFailure('a');
    expect(throttle.blockedFor('a')).toBe(0);
    now = 3000;
    throttle.sweep();
    expect(throttle.size).toBe(0);
  });

  it('is off with maxFailures 0', () => {
    const throttle = new AuthThrottle({ maxFailures: 0, windowMs: 1000, blockMs: 5000 });
    for (let i = 0; i < 100; i++) throttle.recordFailure('a');
    expect(throttle.blockedFor('a')).toBe(0);
  });
});

describe('OriginPolicy', () => {
  it('always allows clients without Origin (not browsers) and the gateway\'s own origin', () => {
    const policy = new OriginPolicy(['https://dash.example.com']);
    expect(policy.allows('', 'gw:8080')).toBe(true);
    expect(policy.allows('http://gw:8080', 'gw:8080')).toBe(true);
    expect(policy.allows('https://DASH.example.com/', 'gw:8080')).toBe(true);
    expect(policy.allows('https://evil.example.com', 'gw:8080')).toBe(false);
    expect(policy.allows('null', 'gw:8080')).toBe(false);
    expect(policy.allows('https://dash.example.com.evil.io', 'gw:8080')).toBe(false);
  });

  it('allows any Origin with *', () => {
    expect(new OriginPolicy(['*']).allows('https://anything.example', 'gw')).toBe(true);
  });
});

describe('clientAddress', () => {
  it('uses the socket address unless told to trust the proxy, then the last X-Forwarded-For entry', () => {
    expect(clientAddress('10.0.0.1', '1.2.3.4', false)).toBe('10.0.0.1');
    expect(clientAddress('10.0.0.1', 'spoofed, 1.2.3.4', true)).toBe('1.2.3.4');
    expect(clientAddress('10.0.0.1', '', true)).toBe('10.0.0.1');
  });
});

describe('ConnectionRegistry', () => {
  const principal = (name: string, keyId?: string, expiresAt?: number): Principal => ({ name, sites: null, endpoints: null, keyId, expiresAt });
  class Conn implements TrackedConnection {
    closedWith: [number, string] | undefined;
    constructor(readonly principal: Principal, private readonly registry: ConnectionRegistry<Conn>) {}
    close(code: number, reason: string) {
      this.closedWith = [code, reason];
      this.registry.remove(this); // as the gateway's close handler does
    }
  }

  it('refuses past the per-key and per-address limits and counts closes', () => {
    const registry = new ConnectionRegistry<Conn>({ perKey: 2, perAddress: 3 });
    const a = principal('a', 'digest-a');
    const c1 = new Conn(a, registry);
    registry.add(c1, 'ip1');
    registry.add(new Conn(a, registry), 'ip2');
    expect(registry.refusal(a, 'ip3')).toMatch(/too many connections for this API key/);
    const b = principal('b');
    registry.add(new Conn(b, registry), 'ip1');
    registry.add(new Conn(b, registry), 'ip1');
    expect(registry.refusal(principal('c'), 'ip1')).toMatch(/too many connections from this address/);
    registry.remove(c1);
    expect(registry.refusal(a, 'ip3')).toBeUndefined();
    expect(registry.refusal(principal('c'), 'ip1')).toBeUndefined();
  });

  it('closes every connection of a revoked key, and lists live stored keys with their expiry', () => {
    const registry = new ConnectionRegistry<Conn>({ perKey: 0, perAddress: 0 });
    const conns = [new Conn(principal('a', 'd-a', 123), registry), new Conn(principal('a', 'd-a', 123), registry), new Conn(principal('env-1'), registry)];
    conns.forEach((c) => registry.add(c, 'ip'));
    expect([...registry.liveKeys()]).toEqual([{ keyId: 'd-a', expiresAt: 123 }]);
    expect(registry.closeKey('d-a', 4401, 'revoked')).toBe(2);
    expect(conns.map((c) => c.closedWith?.[0])).toEqual([4401, 4401, undefined]);
    expect(registry.size).toBe(1);
    expect([...registry.liveKeys()]).toEqual([]);
  });
});

describe('filterLimitViolation', () => {
  const limits = { maxPatternLength: 5, maxSources: 2, maxSites: 1 };
  it('names the field over its configured limit', () => {
    expect(filterLimitViolation(null, limits)).toBeUndefined();
    expect(filterLimitViolation({ pattern: 'abcde', source: ['a', 'b'], site: 'x' }, limits)).toBeUndefined();
    expect(filterLimitViolation({ pattern: 'abcdef' }, limits)).toMatch(/^filter\.pattern/);
    expect(filterLimitViolation({ source: ['a', 'b', 'c'] }, limits)).toMatch(/^filter\.source/);
    expect(filterLimitViolation({ site: ['x', 'y'] }, limits)).toMatch(/^filter\.site/);
  });
});
