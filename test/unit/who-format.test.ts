// How `licmon who` prints a feature's holders: aligned rows sorted by how long they have held it,
// marks for linger and borrow, hidden users, the cut the bound made, reservations and the queue;
// and the usage it refuses before connecting anywhere.
import { describe, expect, it } from 'vitest';
import { whoCommand } from '../../cli/commands/who.ts';
import { formatWho, heldFor } from '../../cli/who-format.ts';
import type { FeatureDetail, Holder } from '../../shared/protocol/index.ts';

const NOW = Date.parse('2024-01-15T10:30:00Z');
const holder = (user: string | null, since: string | null, extra: Partial<Holder> = {}): Holder => ({ user, host: 'ws-1', display: ':0', version: '1.0', count: 1, since, linger: null, borrowed: false, ...extra });
const feature = (extra: Partial<FeatureDetail>): FeatureDetail => ({ name: 'CATIA', vendor: 'dassault', issued: 5, used: 3, queued: 1, reserved: 2, available: 2, utilization: 60, ...extra });

describe('licmon who output', () => {
  it('rows longest-held first (whatever order they came in), with how long, marks, hidden users, the cut, reservations and the queue', () => {
    const text = formatWho([{
      server: 'lic-01',
      site: 'berlin',
      timestamp: '2024-01-15T10:30:00.000Z',
      feature: feature({
        holders: [holder('u-aaaaaaaaaaaa', '2024-01-15T11:00:00+01:00', { linger: 600 }), holder(null, '2024-01-13T08:00:00+01:00', { borrowed: true, count: 2 }), holder('nostart', null)],
        holdersOmitted: 4,
        reservations: [{ kind: 'GROUP', target: 'cad', count: 2 }, { kind: 'USER', target: '', count: 1 }],
        queue: [{ user: null, host: 'ws-9', display: '', version: null, count: 1 }],
        queueOmitted: 2,
      }),
    }], NOW);
    expect(text.split('\n')).toEqual([
      'CATIA on lic-01 (berlin): 3 of 5 in use, 1 queued, 2 reserved',
      '  USER            HOST  DISPLAY  SINCE                      HELD    COUNT',
      '  (hidden)        ws-1  :0       2024-01-13 08:00:00+01:00  2d 03h  2      borrowed',
      '  u-aaaaaaaaaaaa  ws-1  :0       2024-01-15 11:00:00+01:00  30m     1      linger 600s',
      '  nostart         ws-1  :0       ?                          ?       1',
      "  … 4 more (not published: the farm's holdersPerFeature bound)",
      '  reserved: 2 for GROUP cad',
      '  reserved: 1 for USER (hidden)',
      '  queued: (hidden)@ws-9 for 1',
      '  … 2 more queued',
      '',
    ]);
  });

  it('says when nobody holds it, and when a publisher sends no holder lists', () => {
    const of = (f: FeatureDetail) => formatWho([{ server: 'lic-01', site: undefined, timestamp: '', feature: f }], NOW);
    expect(of(feature({ used: 0, holders: [] }))).toBe('CATIA on lic-01: 0 of 5 in use, 1 queued, 2 reserved\n  nobody holds it\n');
    expect(of(feature({ issued: null }))).toBe('CATIA on lic-01: uncounted, 1 queued, 2 reserved\n  (this server publishes no holder lists)\n');
  });

  it('tells how long in the largest units that matter', () => {
    expect([0, 59_000, 60_000, 3_599_000, 3_600_000, 3_660_000, 86_400_000, 90_000_000].map(heldFor)).toEqual(['0s', '59s', '1m', '59m', '1h 00m', '1h 01m', '1d 00h', '1d 01h']);
  });

  it('refuses bad usage before connecting: no feature, two features, no key, a bad retry count', async () => {
    const key = ['--api-key', 'k', '--url', 'ws://127.0.0.1:1'];
    await expect(whoCommand.run([...key])).rejects.toThrow(/name one feature/);
    await expect(whoCommand.run(['A', 'B', ...key])).rejects.toThrow(/name one feature/);
    await expect(whoCommand.run(['A', '--max-retries', 'x', ...key])).rejects.toThrow(/--max-retries must be a whole number/);
    const saved = process.env.LICMON_API_KEY;
    delete process.env.LICMON_API_KEY;
    try {
      await expect(whoCommand.run(['A'])).rejects.toThrow(/no API key/);
    } finally {
      if (saved !== undefined) process.env.LICMON_API_KEY = saved;
    }
  });
});
