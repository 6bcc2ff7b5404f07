import { describe, expect, it } from 'vitest';
import { parseRlmstat } from '../../collector/parsers/rlmstat.ts';
import type { FeatureUsage, LicenseServerStatus } from '../../collector/parsers/types.ts';
import { readFixture } from '../fixtures/fixtures.ts';

const LOS_ANGELES = { now: new Date('2024-01-15T18:30:00Z'), timeZone: 'America/Los_Angeles' };
const BERLIN = { now: new Date('2024-01-15T15:30:00Z'), timeZone: 'Europe/Berlin' };

function pool(status: LicenseServerStatus, name: string, version: string): FeatureUsage {
  const found = status.features.find((f) => f.name === name && f.version === version);
  if (!found) throw new Error(`no pool ${name} v${version}`);
  return found;
}

describe('parseRlmstat: a healthy Linux server', () => {
  const status = parseRlmstat(readFixture('rlmstat/healthy.txt'), LOS_ANGELES);

  it('reads the rlm server and the ISV server with its counters', () => {
    expect(status.tool).toBe('rlmstat');
    expect(status.reachable).toBe(true);
    expect(status.error).toBeNull();
    expect(status.servers).toEqual([{ host: 'rlm-01', port: 5053, status: 'up', master: false, version: '15.2', error: null }]);
    expect(status.vendors).toEqual([
      {
        name: 'foundry',
        status: 'up',
        version: '15.2',
        error: null,
        port: 43219,
        restarts: 0,
        counters: {
          checkouts: { recent: 6, today: 118, total: 4051 },
          denials: { recent: 1, today: 7, total: 212 },
          removals: { recent: 0, today: 0, total: 3 },
        },
      },
    ]);
    expect(status.unparsed).toEqual([]);
  });

  it('reads every pool as a feature with count, inuse, reservations and expiry', () => {
    expect(status.features.map((f) => [f.name, f.version, f.pool, f.issued, f.used, f.reserved, f.expiry, f.obsolete, f.totalCheckouts])).toEqual([
      ['nuke_i', '2024.0331', 1, 10, 4, 0, '2025-12-31', 0, 2321],
      ['nukex_i', '2024.0331', 2, 4, 2, 1, null, 0, 346],
      ['nuke_r', '2024.0331', 3, 16, 0, 0, '2024-03-31', 0, 22159],
      ['mari_i', '6.0', 4, 2, 2, 0, null, 1, 97],
    ]);
    expect(status.features.every((f) => f.vendor === 'foundry')).toBe(true);
  });

  it('reads usage lines as checkouts, with counts and year-less dates', () => {
    expect(pool(status, 'nuke_i', '2024.0331').checkouts).toEqual([
      { user: 'jsmith', host: 'ws-042', display: '', version: '2024.0331', server: 'rlm-01', port: 43219, handle: '41', start: '2024-01-15T17:30:00.000Z', count: 1 },
      { user: 'adoe', host: 'ws-077', display: '', version: '2024.0331', server: 'rlm-01', port: 43219, handle: '4a', start: '2024-01-15T18:02:00.000Z', count: 2 },
      { user: 'user1.lastname', host: 'mocked-computer-01', display: '', version: '2024.0331', server: 'rlm-01', port: 43219, handle: '36a5', start: '2024-01-13T02:44:00.000Z', count: 1 },
    ]);
    // 12/28 lies ahead of 1/15: last year.
    expect(pool(status, 'mari_i', '6.0').checkouts.map((c) => c.start)).toEqual(['2023-12-28T16:15:00.000Z', '2024-01-15T15:03:00.000Z']);
  });
});

describe('parseRlmstat: Windows, two ISV servers, one not running', () => {
  const text = readFixture('rlmstat/windows-two-isv.txt');
  const status = parseRlmstat(text, BERLIN);

  it('is read despite CRLF and C:\\ paths', () => {
    expect(text).toContain('\r\n');
    expect(text).toContain('C:\\ProgramData');
    expect(status.unparsed).toEqual([]);
    expect(status.servers).toEqual([{ host: 'RLM-WIN01', port: 5053, status: 'up', master: false, version: '15.1', error: null }]);
  });

  it('reports the ISV server that is not running, with its restarts', () => {
    expect(status.vendors.map((v) => [v.name, v.status, v.port, v.restarts, v.error])).toEqual([
      ['foundry', 'up', 49679, 0, null],
      ['sesinetd', 'down', 49680, 3, 'ISV server not running'],
    ]);
    expect(status.vendors[0]?.counters?.denials).toEqual({ recent: 0, today: 0, total: 1230 });
  });

  it('keeps two pools of one product apart by version', () => {
    expect(pool(status, 'nuke_r', '2024.0701')).toMatchObject({ issued: 16, used: 0, expiry: null, checkouts: [] });
    expect(pool(status, 'nuke_r', '2025.0118')).toMatchObject({ issued: 5, used: 1, expiry: '2025-01-20' });
    expect(pool(status, 'nuke_r', '2025.0118').checkouts).toMatchObject([{ user: 'render', host: 'RN-WIN-08', start: '2024-01-15T15:02:00.000Z' }]);
    expect(pool(status, 'nuke_i', '2024.0701').checkouts.map((c) => c.user)).toEqual(['Anna.Berg', 'm.weber', 'render']);
  });
});

describe('parseRlmstat: unreachable', () => {
  it('says so with the error text and its details', () => {
    expect(parseRlmstat(readFixture('rlmstat/unreachable.txt'), LOS_ANGELES)).toEqual({
      tool: 'rlmstat',
      reachable: false,
      error: 'Error connecting to "rlm" server: Communications error with license server (-17); Connection refused at server (-111)',
      servers: [],
      vendors: [],
      features: [],
      unparsed: [],
    });
  });
});

describe('parseRlmstat: edge cases', () => {
  it('counts usage of a product missing from the pool listing, and collects garbage', () => {
    const text = [
      'rlm status on rlm-09 (port 5053), up 0d 00:10:00',
      'foundry license usage status on rlm-09 (port 5054)',
      'katana v6.0: ana@ws-1 1/0 at 01/15 09:30  (handle: 1f)',
      'katana v6.0: ana@ws-1 1/0 at 13/45 09:30  (handle: 20)',
      '@@@',
    ].join('\n');
    const status = parseRlmstat(text, LOS_ANGELES);
    expect(status.features).toMatchObject([{ name: 'katana', version: '6.0', vendor: 'foundry', issued: 0, checkouts: [{ user: 'ana', handle: '1f' }] }]);
    expect(status.unparsed).toEqual([
      { line: 4, text: 'katana v6.0: ana@ws-1 1/0 at 13/45 09:30  (handle: 20)' },
      { line: 5, text: '@@@' },
    ]);
  });

  it('reads an uncounted pool and reports an unreadable expiry', () => {
    const text = [
      'rlm status on rlm-09 (port 5053)',
      'demo license pool status on rlm-09 (port 5054)',
      'viewer v1.0, pool: 7',
      '	count: uncounted, # reservations: 0, inuse: 0, exp: 1-jan-0',
      'editor v1.0, pool: 8',
      '	count: 3, # reservations: 0, inuse: 1, exp: someday',
    ].join('\n');
    const status = parseRlmstat(text, LOS_ANGELES);
    expect(status.features.map((f) => [f.name, f.issued, f.uncounted, f.expiry])).toEqual([
      ['viewer', null, true, null],
      ['editor', 3, false, undefined],
    ]);
    expect(status.unparsed).toEqual([{ line: 6, text: '	count: 3, # reservations: 0, inuse: 1, exp: someday' }]);
  });

  it('never throws, whatever it is given', () => {
    for (const input of ['', '\u0000', 'rlm status on', 'count: 1, inuse: x', '------------------------\n\tfoo v1: @ 1/0 at']) {
      const status = parseRlmstat(input, LOS_ANGELES);
      expect(status.reachable, JSON.stringify(input)).toBe(false);
      expect(status.error).not.toBeNull();
    }
  });
});
