import { describe, expect, it } from 'vitest';
import { parseLmstat } from '../../collector/parsers/lmstat.ts';
import type { FeatureUsage, LicenseServerStatus } from '../../collector/parsers/types.ts';
import { readFixture } from '../fixtures/fixtures.ts';

// Every fixture says "status on Mon 1/15/2024 10:30" in its server's zone.
const NEW_YORK = { now: new Date('2024-01-15T15:30:00Z'), timeZone: 'America/New_York' };
const LOS_ANGELES = { now: new Date('2024-01-15T18:30:00Z'), timeZone: 'America/Los_Angeles' };
const BERLIN = { now: new Date('2024-01-15T15:30:00Z'), timeZone: 'Europe/Berlin' };

function feature(status: LicenseServerStatus, name: string): FeatureUsage {
  const found = status.features.find((f) => f.name === name);
  if (!found) throw new Error(`no feature ${name} in ${status.features.map((f) => f.name).join(', ')}`);
  return found;
}

describe('parseLmstat: a single healthy server', () => {
  const status = parseLmstat(readFixture('lmstat/single-healthy.txt'), NEW_YORK);

  it('reads the server, the vendor daemon and every feature', () => {
    expect(status.tool).toBe('lmstat');
    expect(status.reachable).toBe(true);
    expect(status.error).toBeNull();
    expect(status.servers).toEqual([
      { host: 'flexlm-01', port: 27000, status: 'up', master: true, version: '11.16.2', error: null },
    ]);
    expect(status.vendors).toEqual([{ name: 'adskflex', status: 'up', version: '11.16.2', error: null }]);
    expect(status.features.map((f) => [f.name, f.issued, f.used])).toEqual([
      ['Maya_Complete', 10, 4],
      ['MatchMover', 1, 1],
      ['Arnold', 20, 0],
      ['3dsMax', 5, 0],
    ]);
    expect(status.unparsed).toEqual([]);
  });

  it('reads checkouts with their year-less start resolved in the server zone and their counts', () => {
    const server = { server: 'flexlm-01', port: 27000, version: '2024.0' };
    expect(feature(status, 'Maya_Complete')).toEqual({
      name: 'Maya_Complete',
      vendor: 'adskflex',
      version: '2024.000',
      issued: 10,
      used: 4,
      queued: 0,
      reserved: 0,
      expiry: '2025-12-31',
      uncounted: false,
      error: null,
      checkouts: [
        { ...server, user: 'jsmith', host: 'ws-042', display: 'ws-042:0.0', handle: '1234', start: '2024-01-15T14:30:00.000Z', count: 1 },
        { ...server, user: 'adoe', host: 'ws-077', display: 'ws-077:1', handle: '1301', start: '2024-01-15T15:02:00.000Z', count: 2 },
        { ...server, user: 'render', host: 'rn-12', display: '/dev/pts/3', handle: '907', start: '2024-01-13T03:15:00.000Z', count: 1 },
      ],
      queue: [],
      reservations: [],
    });
  });

  it('reads the singular "1 license" and a permanent expiry as never', () => {
    const matchMover = feature(status, 'MatchMover');
    expect([matchMover.issued, matchMover.used, matchMover.expiry]).toEqual([1, 1, null]);
    expect(matchMover.checkouts[0]?.start).toBe('2024-01-15T04:58:00.000Z');
  });

  it('leaves the expiry out for features nobody uses (lmstat -a prints none; lmstat -i does)', () => {
    expect(feature(status, 'Arnold')).not.toHaveProperty('expiry');
    expect(feature(status, 'Arnold').vendor).toBe('adskflex');
  });
});

describe('parseLmstat: a triad with one server down', () => {
  const status = parseLmstat(readFixture('lmstat/triad-one-down.txt'), LOS_ANGELES);

  it('reads all three servers, the master and the error of the one that is down', () => {
    expect(status.reachable).toBe(true);
    expect(status.servers).toEqual([
      { host: 'cds-lic1', port: 5280, status: 'up', master: false, version: '11.16.2', error: null },
      { host: 'cds-lic2', port: 5280, status: 'up', master: true, version: '11.16.2', error: null },
      {
        host: 'cds-lic3',
        port: 5280,
        status: 'down',
        master: false,
        version: null,
        error: 'Cannot connect to license server system. (-15,570:113 "No route to host")',
      },
    ]);
    expect(status.unparsed).toEqual([]);
  });

  it('reads reservations, which count as in use', () => {
    const schematic = feature(status, 'Virtuoso_Schematic_Editor_L');
    expect([schematic.issued, schematic.used, schematic.reserved, schematic.checkouts.length]).toEqual([20, 6, 2, 4]);
    expect(schematic.reservations).toEqual([{ count: 2, kind: 'GROUP', target: 'analog', server: 'cds-lic2', port: 5280 }]);
    expect(feature(status, 'Virtuoso_Layout_Suite_XL').reservations).toEqual([
      { count: 1, kind: 'HOST', target: 'eda-22', server: 'cds-lic2', port: 5280 },
    ]);
  });

  it('reads queued requests apart from checkouts', () => {
    const spectre = feature(status, 'Spectre');
    expect([spectre.used, spectre.queued]).toEqual([4, 3]);
    expect(spectre.checkouts.map((c) => [c.user, c.count])).toEqual([
      ['mchen', 1],
      ['lsfadm', 3],
    ]);
    expect(spectre.queue).toEqual([
      { user: 'jdoe', host: 'eda-15', display: 'eda-15:0', version: '23.1', server: 'cds-lic2', port: 5280, handle: '3502', count: 1 },
      { user: 'lsfadm', host: 'lsf-n021', display: '/dev/tty', version: '23.1', server: 'cds-lic2', port: 5280, handle: '3511', count: 2 },
    ]);
  });

  it('puts a start date that would be in the future into last year', () => {
    const batch = feature(status, 'Virtuoso_Schematic_Editor_L').checkouts.find((c) => c.user === 'sim_batch');
    expect(batch?.start).toBe('2023-12-30T01:40:00.000Z'); // Fri 12/29 17:40 PST
    expect(feature(status, 'Virtuoso_Schematic_Editor_L').checkouts[1]?.version).toBe('22.1');
  });

  it('reads a far-future expiry as never', () => {
    expect(feature(status, 'Pegasus_DRC').expiry).toBeNull();
    expect(feature(status, 'Spectre').expiry).toBe('2024-06-30');
  });
});

describe('parseLmstat: Windows output', () => {
  const text = readFixture('lmstat/windows-healthy.txt');
  const status = parseLmstat(text, BERLIN);

  it('is read despite CRLF line endings and C:\\ license paths', () => {
    expect(text).toContain('\r\n');
    expect(text).toContain('C:\\Program Files\\Autodesk');
    expect(status.unparsed).toEqual([]);
    expect(status.servers).toEqual([
      { host: 'LIC-WIN01', port: 27000, status: 'up', master: true, version: '11.19.4', error: null },
    ]);
    expect(status.features).toHaveLength(5);
  });

  it('keeps a display that contains spaces and reads both linger forms', () => {
    const acad = feature(status, '87545ACD_2024_0F');
    expect(acad.checkouts.map((c) => [c.user, c.host, c.display, c.start])).toEqual([
      ['m.weber', 'CAD-PC-12', 'CAD-PC-12', '2024-01-15T07:01:00.000Z'],
      ['tkoch', 'WS-0815', 'Design Station 4', '2024-01-15T08:12:00.000Z'],
      ['1', 'GM-007028', 'GM-007028', '2024-01-04T10:44:00.000Z'],
    ]);
    expect(acad.checkouts[2]?.linger).toEqual({ seconds: 2073600, remaining: 1106040 });
    expect(acad.checkouts[0]).not.toHaveProperty('linger');
    expect(feature(status, '86984RVTLTS_2024_0F').checkouts[0]?.linger).toEqual({ seconds: 3600, remaining: null });
  });

  it('reads uncounted node-locked, unsupported features and 1-jan-0 as never', () => {
    expect(feature(status, 'AutoCAD_Viewer')).toMatchObject({ issued: null, used: 0, uncounted: true, error: null });
    expect(feature(status, '87083ACD_2021_0F')).toMatchObject({ issued: 0, used: 0, error: '5 licenses, unsupported by licensed server' });
    expect(feature(status, '86984RVTLTS_2024_0F').expiry).toBeNull();
    expect(feature(status, '87545ACD_2024_0F').expiry).toBe('2024-12-15');
    expect(feature(status, '87559ACD_2024_0F')).toMatchObject({ issued: 1, used: 0 });
  });
});

describe('parseLmstat: the whole server unreachable', () => {
  it('says so with the error text (Linux)', () => {
    const status = parseLmstat(readFixture('lmstat/unreachable-linux.txt'), NEW_YORK);
    expect(status).toEqual({
      tool: 'lmstat',
      reachable: false,
      error: 'Cannot connect to license server system. (-15,570:111 "Connection refused")',
      servers: [],
      vendors: [],
      features: [],
      unparsed: [],
    });
  });

  it('says so with the error text and marks the server down (Windows, lmgrd not running)', () => {
    const status = parseLmstat(readFixture('lmstat/unreachable-windows.txt'), BERLIN);
    const error = 'Cannot connect to license server system. (-15,10:10061 "WinSock: Connection refused")';
    expect(status.reachable).toBe(false);
    expect(status.error).toBe(error);
    expect(status.servers).toEqual([{ host: 'LIC-WIN02', port: 27000, status: 'down', master: false, version: null, error }]);
    expect(status.unparsed).toEqual([]);
  });

  it('reports a missing license file', () => {
    const status = parseLmstat(readFixture('lmstat/no-license-file.txt'), NEW_YORK);
    expect([status.reachable, status.error]).toEqual([false, 'Cannot find license file. (-1,359:2 "No such file or directory")']);
  });

  it('is reachable when one of two license files answers, and keeps the other one as down', () => {
    const status = parseLmstat(readFixture('lmstat/multi-block.txt'), NEW_YORK);
    const error = 'License server machine is down or not responding. (-96,7:110 "Connection timed out")';
    expect(status.reachable).toBe(true);
    expect(status.error).toBe(error);
    expect(status.servers.map((s) => [s.host, s.port, s.status, s.error])).toEqual([
      ['eda-lic01', 27020, 'up', null],
      ['eda-lic02', 27021, 'down', error],
    ]);
    expect(feature(status, 'VCSRuntime_Net').checkouts.map((c) => c.count)).toEqual([8, 4]);
    expect(status.unparsed).toEqual([]);
  });
});

describe('parseLmstat: a vendor daemon down', () => {
  it('reads the daemon error and the per-feature "Cannot get users" errors', () => {
    const status = parseLmstat(readFixture('lmstat/vendor-down.txt'), NEW_YORK);
    const down = 'The desired vendor daemon is down. (-97,121)';
    expect(status.reachable).toBe(true);
    expect(status.vendors).toEqual([{ name: 'MLM', status: 'down', version: null, error: down }]);
    expect(status.features.map((f) => [f.name, f.vendor, f.error])).toEqual([
      ['MATLAB', 'MLM', `Cannot get users of MATLAB: ${down}`],
      ['SIMULINK', 'MLM', `Cannot get users of SIMULINK: ${down}`],
      ['Signal_Toolbox', 'MLM', `Cannot get users of Signal_Toolbox: ${down}`],
    ]);
    expect(status.unparsed).toEqual([]);
  });
});

describe('parseLmstat: many features and users', () => {
  const status = parseLmstat(readFixture('lmstat/many-features.txt'), NEW_YORK);

  it('reads every feature and every checkout', () => {
    const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
    expect(status.features).toHaveLength(40);
    expect(sum(status.features.map((f) => f.issued ?? 0))).toBe(2083);
    expect(sum(status.features.map((f) => f.used))).toBe(227);
    expect(sum(status.features.map((f) => f.checkouts.length))).toBe(79);
    for (const f of status.features) expect(sum(f.checkouts.map((c) => c.count)), f.name).toBe(f.used);
    expect(status.unparsed).toEqual([]);
  });

  it('resolves every start to a time before the reference time', () => {
    const starts = status.features.flatMap((f) => f.checkouts.map((c) => Date.parse(c.start ?? '')));
    expect(starts.every((t) => t >= Date.parse('2024-01-12T05:00:00Z') && t <= NEW_YORK.now.getTime())).toBe(true);
  });
});

describe('parseLmstat: edge cases', () => {
  const triad = [
    'License server status: 27000@lic1,27000@lic2,27000@lic3',
    '    License file(s) on lic1: /opt/flexlm/license.dat:',
    '',
    '      lic1: license server UP (MASTER) v11.18.1',
    '      lic2: license server UP v11.18.1',
    '      lic3: license server DOWN',
    '',
    'Vendor daemon status (on lic1):',
    '',
    '   cdslmd: UP v11.18.1',
    '   snpslmd: DOWN',
    '',
  ];

  it('reads `license server DOWN` and a vendor `DOWN`', () => {
    const status = parseLmstat(triad.join('\n'), NEW_YORK);
    expect(status.servers.map((s) => [s.host, s.status, s.master])).toEqual([
      ['lic1', 'up', true],
      ['lic2', 'up', false],
      ['lic3', 'down', false],
    ]);
    expect(status.vendors).toEqual([
      { name: 'cdslmd', status: 'up', version: '11.18.1', error: null },
      { name: 'snpslmd', status: 'down', version: null, error: null },
    ]);
  });

  it('reads user lines without version or server part, and with seconds', () => {
    const text = [
      'Users of F:  (Total of 3 licenses issued;  Total of 2 licenses in use)',
      '    jdoe ws-1 :0, start Mon 1/15 9:00',
      '    asmith ws-2 ws-2:0 (v1.0) (lic1/27000 77), start Mon 1/15 9:05:30, 1 license',
    ].join('\n');
    const status = parseLmstat(text, NEW_YORK);
    expect(status.reachable).toBe(true);
    expect(status.features[0]?.checkouts).toEqual([
      { user: 'jdoe', host: 'ws-1', display: ':0', version: null, server: null, port: null, handle: null, start: '2024-01-15T14:00:00.000Z', count: 1 },
      { user: 'asmith', host: 'ws-2', display: 'ws-2:0', version: '1.0', server: 'lic1', port: 27000, handle: '77', start: '2024-01-15T14:05:30.000Z', count: 1 },
    ]);
  });

  it('collects garbled lines with their line numbers instead of failing', () => {
    const text = [
      'Users of F:  (Total of 3 licenses issued;  Total of 1 license in use)',
      '    jdoe ws-1 :0 (v1.0) (lic1/27000 7), start Mon 13/45 9:00',
      '%%% truncated %%%',
      'Users of G:  (Total of lots)',
      '  "F" v1.0, vendor: x, expiry: someday',
    ].join('\r\n');
    const status = parseLmstat(text, NEW_YORK);
    expect(status.unparsed).toEqual([
      { line: 2, text: '    jdoe ws-1 :0 (v1.0) (lic1/27000 7), start Mon 13/45 9:00' },
      { line: 3, text: '%%% truncated %%%' },
      { line: 4, text: 'Users of G:  (Total of lots)' },
      { line: 5, text: '  "F" v1.0, vendor: x, expiry: someday' },
    ]);
    expect(status.features.map((f) => f.name)).toEqual(['F', 'G']);
  });

  it('never throws, whatever it is given', () => {
    const inputs = ['', '\n\n', '\u0000\uffff', 'Users of :', '(((((', 'License server status: ,,,@'];
    for (const input of inputs) {
      const status = parseLmstat(input, NEW_YORK);
      expect(status.reachable, JSON.stringify(input)).toBe(false);
      expect(status.error).not.toBeNull();
    }
    const fixture = readFixture('lmstat/triad-one-down.txt');
    for (let cut = 0; cut < fixture.length; cut += 97) expect(() => parseLmstat(fixture.slice(cut, cut + 400), NEW_YORK)).not.toThrow();
  });
});
