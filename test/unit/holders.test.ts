// Who holds what, as a server's metrics publish it: holders longest-held first with `since` in the
// server's zone, the per-feature bound and what it left out, reservations and the queue, and the
// farm's privacy.users applied to every user name.
import { describe, expect, it } from 'vitest';
import { holderDetail, type HolderOptions } from '../../collector/license/holders.ts';
import { serverMetrics } from '../../collector/license/server-metrics.ts';
import { parseLmstat } from '../../collector/parsers/lmstat.ts';
import type { DebugLogEvent } from '../../collector/parsers/debuglog.ts';
import { emptyFeatureUsage, type Checkout, type FeatureUsage } from '../../collector/parsers/types.ts';
import { privateEvent } from '../../collector/privacy/private-event.ts';
import { PLAIN, publishedUser, withoutUser, type UserPrivacy } from '../../collector/privacy/user-privacy.ts';
import { MetricsMessageSchema } from '../../shared/protocol/index.ts';
import { readFixture } from '../fixtures/fixtures.ts';

const KEY = 'a-farm-secret-of-some-length';
const HASHED: UserPrivacy = { users: 'hashed', key: KEY };
const HIDDEN: UserPrivacy = { users: 'hidden' };
const BERLIN: HolderOptions = { bound: 200, privacy: PLAIN, timeZone: 'Europe/Berlin' };

function checkout(user: string, start: string | null, extra: Partial<Checkout> = {}): Checkout {
  return { user, host: `ws-${user}`, display: `ws-${user}:0`, version: '2024.0', server: 'lic-01', port: 27000, handle: '1', start, count: 1, ...extra };
}

function feature(checkouts: Checkout[], extra: Partial<FeatureUsage> = {}): FeatureUsage {
  return { ...emptyFeatureUsage('Maya', 'adskflex', '2024.000'), checkouts, used: checkouts.length, ...extra };
}

describe('holders of a feature', () => {
  it('lists holders longest-held first, since in the server zone with its offset (winter and summer), linger in seconds', () => {
    const detail = holderDetail(
      feature([
        checkout('late', '2024-07-01T08:00:00.000Z'),
        checkout('nostart', null),
        checkout('early', '2024-01-15T08:30:00.000Z', { count: 2, linger: { seconds: 900, remaining: 300 } }),
      ]),
      BERLIN,
    );
    expect(detail.holders).toEqual([
      { user: 'early', host: 'ws-early', display: 'ws-early:0', version: '2024.0', count: 2, since: '2024-01-15T09:30:00+01:00', linger: 900, borrowed: false },
      { user: 'late', host: 'ws-late', display: 'ws-late:0', version: '2024.0', count: 1, since: '2024-07-01T10:00:00+02:00', linger: null, borrowed: false },
      { user: 'nostart', host: 'ws-nostart', display: 'ws-nostart:0', version: '2024.0', count: 1, since: null, linger: null, borrowed: false },
    ]);
    expect(detail).not.toHaveProperty('holdersOmitted');
    expect(Date.parse(detail.holders[0]!.since!)).toBe(Date.parse('2024-01-15T08:30:00.000Z'));
    // Zones west of UTC, and UTC itself.
    expect(holderDetail(feature([checkout('a', '2024-01-15T08:30:00.000Z')]), { ...BERLIN, timeZone: 'America/Chicago' }).holders[0]!.since).toBe('2024-01-15T02:30:00-06:00');
    expect(holderDetail(feature([checkout('a', '2024-01-15T08:30:00.000Z')]), { ...BERLIN, timeZone: 'UTC' }).holders[0]!.since).toBe('2024-01-15T08:30:00+00:00');
  });

  it('keeps the longest-held within the bound and counts the rest; the queue likewise, in server order', () => {
    const checkouts = Array.from({ length: 7 }, (_, i) => checkout(`u${i}`, `2024-01-15T0${9 - i}:00:00.000Z`));
    const queue = Array.from({ length: 4 }, (_, i) => ({ user: `q${i}`, host: `h${i}`, display: '', version: null, server: null, port: null, handle: null, count: i + 1 }));
    const detail = holderDetail(feature(checkouts, { queue, queued: 4 }), { ...BERLIN, bound: 3 });
    expect(detail.holders.map((h) => h.user)).toEqual(['u6', 'u5', 'u4']);
    expect(detail.holdersOmitted).toBe(4);
    expect(detail.queue).toEqual([
      { user: 'q0', host: 'h0', display: '', version: null, count: 1 },
      { user: 'q1', host: 'h1', display: '', version: null, count: 2 },
      { user: 'q2', host: 'h2', display: '', version: null, count: 3 },
    ]);
    expect(detail.queueOmitted).toBe(1);
    const none = holderDetail(feature(checkouts), { ...BERLIN, bound: 0 });
    expect(none).toMatchObject({ holders: [], holdersOmitted: 7, queue: [], reservations: [] });
  });

  it('applies privacy.users to holders, queued requests and USER reservations, and to nothing else', () => {
    const f = feature([checkout('jsmith', '2024-01-15T08:30:00.000Z', { host: 'ws-042', display: 'ws-042:0' })], {
      queue: [{ user: 'adoe', host: 'ws-9', display: 'ws-9:0', version: null, server: null, port: null, handle: null, count: 1 }],
      reservations: [
        { kind: 'USER', target: 'kchen', count: 1, server: null, port: null },
        { kind: 'GROUP', target: 'render', count: 2, server: null, port: null },
      ],
    });
    const hashed = holderDetail(f, { ...BERLIN, privacy: HASHED });
    expect(hashed.holders[0]).toMatchObject({ user: publishedUser('jsmith', HASHED), host: 'ws-042', display: 'ws-042:0' });
    expect(hashed.queue[0]!.user).toBe(publishedUser('adoe', HASHED));
    expect(hashed.reservations).toEqual([
      { kind: 'USER', target: publishedUser('kchen', HASHED), count: 1 },
      { kind: 'GROUP', target: 'render', count: 2 },
    ]);
    const hidden = holderDetail(f, { ...BERLIN, privacy: HIDDEN });
    expect(hidden.holders[0]!.user).toBeNull();
    expect(hidden.queue[0]!.user).toBeNull();
    expect(hidden.reservations[0]).toEqual({ kind: 'USER', target: '', count: 1 });
    for (const detail of [hashed, hidden]) expect(JSON.stringify(detail)).not.toMatch(/jsmith|adoe|kchen/);
  });

  it('takes the user out of a host or display named after them (lmstat: `aaa146615 aaa146615 (v55)`), in holders, the queue and debug-log events', () => {
    const f = feature([checkout('aaa146615', null, { host: 'aaa146615', display: 'aaa146615:0' })], {
      queue: [{ user: 'bbb1', host: 'bbb1', display: '', version: null, server: null, port: null, handle: null, count: 1 }],
    });
    const detail = holderDetail(f, { ...BERLIN, privacy: HASHED });
    const shown = publishedUser('aaa146615', HASHED)!;
    expect(detail.holders[0]).toMatchObject({ user: shown, host: shown, display: `${shown}:0` });
    expect(detail.queue[0]).toMatchObject({ user: publishedUser('bbb1', HASHED), host: publishedUser('bbb1', HASHED) });
    expect(holderDetail(f, BERLIN).holders[0]).toMatchObject({ user: 'aaa146615', host: 'aaa146615' });
    const event = privateEvent({ kind: 'out', level: 'info', message: 'aaa146615@aaa146615 checked out MATLAB', user: 'aaa146615', host: 'aaa146615', feature: 'MATLAB', timestamp: '2024-01-15T09:00:00.000Z', daemon: 'MLM', line: 1, text: '9:00:00 (MLM) OUT: "MATLAB" aaa146615@aaa146615' } satisfies DebugLogEvent, HIDDEN);
    expect(event).toMatchObject({ host: '[hidden]', message: '[hidden]@[hidden] checked out MATLAB', text: '9:00:00 (MLM) OUT: "MATLAB" [hidden]@[hidden]' });
    expect(event).not.toHaveProperty('user');
  });

  it('a server snapshot from real lmstat output carries them on every feature and stays valid wire', () => {
    const status = parseLmstat(readFixture('lmstat/single-healthy.txt'), { now: new Date('2024-01-15T10:30:00Z'), timeZone: 'Europe/Berlin' });
    const server = { id: 'flexlm-01', kind: 'flexlm' as const, address: '27000@flexlm-01', site: 'berlin', timeZone: 'Europe/Berlin', holdersPerFeature: 2, privacy: HASHED };
    const message = serverMetrics(server, status, '2024-01-15T10:30:00.000Z', { durationMs: 5 });
    expect(MetricsMessageSchema.parse(message)).toEqual(message);
    const maya = message.features!.find((f) => f.name === 'Maya_Complete')!;
    // render has held since Friday; jsmith since 9:30 today; adoe (2 licenses) since 10:02 is left out.
    expect(maya.holders!.map((h) => [h.user, h.host, h.since])).toEqual([
      [publishedUser('render', HASHED), 'rn-12', '2024-01-12T22:15:00+01:00'],
      [publishedUser('jsmith', HASHED), 'ws-042', '2024-01-15T09:30:00+01:00'],
    ]);
    expect(maya.holdersOmitted).toBe(1);
    expect(message.features!.find((f) => f.name === 'Arnold')).toMatchObject({ holders: [], queue: [], reservations: [] });
    expect(JSON.stringify(message)).not.toMatch(/jsmith|adoe|render"|kchen/);
  });
});

describe('privacy.users', () => {
  it('hashed: a stable keyed pseudonym, u- and 12 hex digits, that differs by user and by key', () => {
    const a = publishedUser('jsmith', HASHED);
    expect(a).toMatch(/^u-[0-9a-f]{12}$/);
    expect(publishedUser('jsmith', { users: 'hashed', key: KEY })).toBe(a);
    expect(publishedUser('jsmit', HASHED)).not.toBe(a);
    expect(publishedUser('jsmith', { users: 'hashed', key: `${KEY}!` })).not.toBe(a);
    expect(publishedUser('jsmith', PLAIN)).toBe('jsmith');
    expect(publishedUser('jsmith', HIDDEN)).toBeNull();
  });

  it('takes a user out of text as a whole token only', () => {
    const text = 'Maya denied to jsmith@ws-042: jsmith is excluded (jsmithers is not)';
    const pseudonym = publishedUser('jsmith', HASHED)!;
    expect(withoutUser(text, 'jsmith', HASHED)).toBe(`Maya denied to ${pseudonym}@ws-042: ${pseudonym} is excluded (jsmithers is not)`);
    expect(withoutUser(text, 'jsmith', HIDDEN)).toBe('Maya denied to [hidden]@ws-042: [hidden] is excluded (jsmithers is not)');
    expect(withoutUser(text, 'jsmith', PLAIN)).toBe(text);
    expect(withoutUser('x.y checked out', 'x.y', HIDDEN)).toBe('[hidden] checked out');
  });
});
