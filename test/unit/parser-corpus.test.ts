// The parser corpus: every fixture under test/fixtures/{lmstat,lmstat-i,rlmstat,debuglog} (real
// layouts, written by hand in the tools' formats) is parsed, must leave no line not understood,
// and must give the values that matter for it. A fixture without an entry here fails the test,
// so the corpus cannot grow without saying what each layout must yield.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { featureMetrics } from '../../collector/license/server-metrics.ts';
import { parseDebugLog, type DebugLogEvent } from '../../collector/parsers/debuglog.ts';
import { parseLmstat } from '../../collector/parsers/lmstat.ts';
import { parseLmstatI } from '../../collector/parsers/lmstat-i.ts';
import { parseRlmstat } from '../../collector/parsers/rlmstat.ts';
import type { FeatureUsage, LicenseServerStatus } from '../../collector/parsers/types.ts';
import { FeatureDetailSchema } from '../../shared/protocol/index.ts';
import { FIXTURES_DIR, readFixture } from '../fixtures/fixtures.ts';

const NOW = new Date('2025-12-01T12:00:00Z');
const ZONE = 'Europe/Berlin';

function feature(status: LicenseServerStatus, name: string): FeatureUsage {
  const found = status.features.find((f) => f.name === name);
  if (!found) throw new Error(`no feature ${name}: ${status.features.map((f) => f.name).join(', ')}`);
  return found;
}

const counts = (f: FeatureUsage) => ({ issued: f.issued, used: f.used, queued: f.queued, reserved: f.reserved });

type StatusCheck = (s: LicenseServerStatus) => void;

const LMSTAT: Record<string, StatusCheck> = {
  'single-healthy.txt': (s) => expect(counts(feature(s, 'Maya_Complete'))).toEqual({ issued: 10, used: 4, queued: 0, reserved: 0 }),
  'many-features.txt': (s) => {
    expect(s.features).toHaveLength(40);
    expect(feature(s, 'anshpc').used).toBe(76);
  },
  'multi-block.txt': (s) => {
    expect(s.servers.map((x) => [x.host, x.status])).toEqual([['eda-lic01', 'up'], ['eda-lic02', 'down']]);
    expect(feature(s, 'VCSRuntime_Net').checkouts.map((c) => c.count)).toEqual([8, 4]);
  },
  'no-license-file.txt': (s) => expect(s).toMatchObject({ reachable: false, error: expect.stringContaining('Cannot find license file') }),
  'triad-one-down.txt': (s) => {
    expect(s.servers.filter((x) => x.master).map((x) => x.host)).toEqual(['cds-lic2']);
    expect(counts(feature(s, 'Spectre'))).toEqual({ issued: 4, used: 4, queued: 3, reserved: 0 });
  },
  'unreachable-linux.txt': (s) => expect(s).toMatchObject({ reachable: false, error: expect.stringContaining('Connection refused') }),
  'unreachable-windows.txt': (s) => expect(s).toMatchObject({ reachable: false, servers: [{ host: 'LIC-WIN02', status: 'down' }] }),
  'vendor-down.txt': (s) => expect(s.vendors.some((v) => v.status === 'down')).toBe(true),
  'windows-healthy.txt': (s) => expect(feature(s, '87545ACD_2024_0F').checkouts.map((c) => c.display)).toContain('Design Station 4'),
  // The Prometheus test's farm: two version blocks of MATLAB, reservations, a queued request.
  'prom-lic01.txt': (s) => {
    expect(counts(feature(s, 'MATLAB'))).toEqual({ issued: 12, used: 6, queued: 0, reserved: 3 });
    expect(feature(s, 'MATLAB').versions).toHaveLength(2);
    expect(counts(feature(s, 'Simulink'))).toEqual({ issued: 2, used: 2, queued: 1, reserved: 0 });
  },
  // FlexNet 11.19: `, PID: N` after the start time.
  'mlm-11.19-pid.txt': (s) => {
    const matlab = feature(s, 'MATLAB');
    expect(counts(matlab)).toEqual({ issued: 250, used: 4, queued: 0, reserved: 0 });
    expect(matlab.checkouts.map((c) => [c.user, c.host, c.version, c.count, c.pid])).toEqual([
      ['akoenig', 'ws-berlin-014', '50', 1, 2924522],
      ['bpetit', 'lab-paris-3', '51', 1, 11432],
      ['cnakamura', 'hpc-node-117', '52', 2, 88123],
      ['dlopez', 'WS-MADRID-8', '48', 1, 5720],
    ]);
    expect(matlab.vendor).toBe('MLM');
  },
  // Several version blocks, the first node-locked and reserved; `RESERVATIONs`, `reservations`.
  'snpslmd-versions.txt': (s) => {
    const vcs = feature(s, 'VCSRuntime_Net');
    expect(counts(vcs)).toEqual({ issued: 60, used: 27, queued: 0, reserved: 10 });
    expect(vcs.version).toBe('2025.06');
    expect(vcs.versions?.map((v) => [v.version, v.licenseType, v.used, v.reserved, v.expiry])).toEqual([
      ['2023.12', 'nodelocked', 0, 10, '2025-11-30'],
      ['2024.09', 'floating', 12, 0, '2026-03-31'],
      ['2025.06', 'floating', 5, 0, '2026-06-30'],
    ]);
    expect(vcs.reservations).toEqual([{ count: 10, kind: 'HOST', target: 'regress-gw', server: 'snps-lic01', port: 27020 }]);
    expect(FeatureDetailSchema.parse(featureMetrics(vcs, { bound: 200, privacy: { users: 'plain' }, timeZone: 'UTC' })).versions).toHaveLength(3);
    expect(feature(s, 'Verdi').reservations).toMatchObject([{ count: 4, kind: 'GROUP', target: 'verif_team' }]);
    expect(feature(s, 'DC-Expert').checkouts[0]).toMatchObject({ user: 'ywang', display: 'eda-09:0.0 lc80a28012593569_1', pid: 2593569 });
  },
  // Displays and queued lines that hold extra tokens.
  'saltd-11.19-extra-tokens.txt': (s) => {
    const sim = feature(s, 'msimhdlsim');
    expect(counts(sim)).toEqual({ issued: 12, used: 12, queued: 3, reserved: 0 });
    expect(sim.checkouts.map((c) => [c.user, c.display, c.count])).toEqual([
      ['rjain', 'sim-01:0894483_1', 1],
      ['rjain', 'sim-01:0895184_3 2029.01', 3],
      ['tmoreau', 'sim-02:02570346_1', 8],
    ]);
    expect(sim.queue.map((q) => [q.user, q.host, q.display, q.count])).toEqual([
      ['svogel', 'sim-03', 'sim-03:02594785_3 2029.01', 2],
      ['kberg', 'sim-04', 'sim-04:0771_1 2029.01 10.4.22.7', 1],
    ]);
  },
  'cdslmd-triad-11.16.txt': (s) => {
    expect(s.servers.map((x) => [x.host, x.status, x.master])).toEqual([
      ['cds-lic1', 'up', false],
      ['cds-lic2', 'up', true],
      ['cds-lic3', 'down', false],
    ]);
    expect(feature(s, 'Spectre_APS').error).toBe('4 licenses, unsupported by licensed server');
    expect(feature(s, 'Xcelium_Single_Core').expiry).toBeNull();
  },
  // Windows, CRLF, a borrowed license's linger. lmstat separates user and host by a space, so a
  // user name with a space cannot be told apart: the first word is taken as the user (the debug
  // log, which writes user@host, has the full name).
  'adskflex-windows-linger.txt': (s) => {
    const acad = feature(s, '87753ACD_2025_0F');
    expect(acad.checkouts.map((c) => [c.user, c.host, c.display])).toEqual([
      ['Lena', 'Hoffmann', 'LAPTOP-LH-22 LAPTOP-LH-22'],
      ['j.meyer', 'CAD-WS-07', 'Design Station 7'],
      ['2', 'LAPTOP-AB-03', 'LAPTOP-AB-03'],
    ]);
    expect(acad.checkouts[2]?.linger).toEqual({ seconds: 604800, remaining: null });
  },
  // An uncounted feature whose use is its checkout lines.
  'ansyslmd-uncounted.txt': (s) => {
    expect(feature(s, 'ansys_viewer')).toMatchObject({ issued: null, uncounted: true, used: 2 });
    expect(feature(s, 'anshpc').used).toBe(128);
  },
  'mgcld-11.14-errors.txt': (s) => {
    expect(counts(feature(s, 'calibreldrc'))).toEqual({ issued: 6, used: 6, queued: 2, reserved: 0 });
    expect(feature(s, 'qhsimvl').error).toBe('2 licenses, unsupported by licensed server');
    expect(feature(s, 'msimviewer').error).toContain('No such feature exists');
  },
  'comsol-11.18-reservations.txt': (s) => {
    expect(feature(s, 'COMSOL').reservations.map((r) => [r.count, r.kind, r.target])).toEqual([
      [2, 'HOST_GROUP', 'teaching_lab'],
      [4, 'GROUP', 'acoustics'],
    ]);
    expect(counts(feature(s, 'ACDC'))).toEqual({ issued: 2, used: 1, queued: 0, reserved: 1 });
    expect(s.vendors).toMatchObject([{ name: 'LMCOMSOL', status: 'up' }]);
  },
};

const RLMSTAT: Record<string, StatusCheck> = {
  'healthy.txt': (s) => expect(counts(feature(s, 'nuke_i'))).toMatchObject({ issued: 10, used: 4 }),
  'unreachable.txt': (s) => expect(s).toMatchObject({ reachable: false, error: expect.stringContaining('Connection refused at server') }),
  'windows-two-isv.txt': (s) => expect(s.vendors.map((v) => v.name)).toHaveLength(2),
  'error-no-host.txt': (s) => expect(s).toMatchObject({ reachable: false, servers: [], error: 'Error connecting to "rlm" server; tried no host on port 5053' }),
  'error-refused.txt': (s) => {
    expect(s).toMatchObject({ reachable: false, servers: [{ host: 'rlm-03', port: 5053, status: 'down' }] });
    expect(s.error).toContain('rlm-03');
  },
  'several-isv-pools.txt': (s) => {
    expect(s.vendors.map((v) => [v.name, v.status, v.restarts])).toEqual([
      ['foundry', 'up', 0],
      ['sidefx', 'up', 1],
      ['maxon', 'down', 3],
    ]);
    expect(feature(s, 'nuke_r')).toMatchObject({ issued: null, uncounted: true, used: 1, expiry: null });
    expect(feature(s, 'houdini')).toMatchObject({ vendor: 'sidefx', pool: 3, issued: 5, used: 2, reserved: 1 });
    expect(feature(s, 'houdini').checkouts).toMatchObject([{ user: 'fx_artist', host: 'fx-ws-3', count: 2 }]);
  },
};

const NEW_YORK = 'America/New_York';
const byLine = (events: DebugLogEvent[], line: number) => events.find((e) => e.line === line);

const DEBUGLOG: Record<string, { timeZone: string; check: (events: DebugLogEvent[]) => void; meaningless?: number[] }> = {
  'lmgrd-startup.log': { timeZone: NEW_YORK, check: (e) => expect(e.filter((x) => x.kind === 'denied')).toHaveLength(3) },
  'triad-failover.log': { timeZone: NEW_YORK, check: (e) => expect(e.some((x) => x.kind === 'lost-quorum')).toBe(true) },
  // Written with a garbage line and an impossible time on purpose: both must show, not vanish.
  'windows.log': { timeZone: ZONE, check: (e) => expect(byLine(e, 24)).toMatchObject({ user: 'Anna Berg', host: 'WS-ANNA' }), meaningless: [22, 23] },
  'telelogic-annotations.log': {
    timeZone: ZONE,
    check: (e) => {
      expect(byLine(e, 2)).toMatchObject({ kind: 'out', user: 'apatel', host: 'rm-ws-031', annotation: 'telelogic' });
      expect(byLine(e, 3)).toMatchObject({ user: 'Maria Rossi', host: 'RM-WS-044' });
      expect(byLine(e, 4)).toMatchObject({ kind: 'denied', host: 'rm-ws-052', reason: 'Licensed number of users already reached. (-4,342)' });
      expect(byLine(e, 6)).toMatchObject({ kind: 'unsupported', user: 'apatel', host: 'rm-ws-031', licenseSource: 'PORT_AT_HOST_PLUS', reason: 'License server system does not support this feature. (-18,327:10054 "")' });
      expect(byLine(e, 8)).toMatchObject({ kind: 'out', user: 'lmartin', pid: 40771, count: 1 });
      expect(byLine(e, 8)).not.toHaveProperty('reason');
    },
  },
  'wrapped-counts.log': {
    timeZone: ZONE,
    check: (e) => {
      expect(e.map((x) => [x.line, x.kind, x.count])).toEqual([
        [2, 'out', 8],
        [4, 'out', 5],
        [6, 'out', 1],
        [7, 'denied', 4],
        [9, 'denied', 1],
        [11, 'in', 8],
        [13, 'in', 1],
      ]);
      expect(byLine(e, 7)?.reason).toBe('Licensed number of users already reached. (-4,342)');
    },
  },
  // New York falls back at 2:00 EDT on 3 Nov 2024: 1:05 after 1:55 is the repeated hour.
  'dst-fallback.log': {
    timeZone: NEW_YORK,
    check: (e) =>
      expect(e.map((x) => [x.line, x.timestamp])).toEqual([
        [2, '2024-11-03T05:10:00.000Z'],
        [3, '2024-11-03T05:55:00.000Z'],
        [4, '2024-11-03T06:05:00.000Z'],
        [5, '2024-11-03T06:40:00.000Z'],
        [6, '2024-11-03T07:15:00.000Z'],
        [7, '2024-11-04T04:59:50.000Z'],
        [8, '2024-11-04T05:00:20.000Z'],
      ]),
  },
};

const LMSTAT_I: Record<string, (table: ReturnType<typeof parseLmstatI>) => void> = {
  'single-healthy.txt': (t) => expect(t.definitions.length).toBeGreaterThan(0),
  'windows-vendor-first.txt': (t) => expect(t.definitions.length).toBeGreaterThan(0),
  'no-license-file.txt': (t) => expect(t.error).not.toBeNull(),
};

const filesIn = (dir: string) => readdirSync(join(FIXTURES_DIR, dir)).filter((f) => !f.startsWith('.')).sort();

describe('parser corpus', () => {
  it('has an entry for every fixture, and at least 25 layouts', () => {
    expect(filesIn('lmstat')).toEqual(Object.keys(LMSTAT).sort());
    expect(filesIn('rlmstat')).toEqual(Object.keys(RLMSTAT).sort());
    expect(filesIn('debuglog')).toEqual(Object.keys(DEBUGLOG).sort());
    expect(filesIn('lmstat-i')).toEqual(Object.keys(LMSTAT_I).sort());
    const total = [LMSTAT, RLMSTAT, DEBUGLOG, LMSTAT_I].reduce((n, table) => n + Object.keys(table).length, 0);
    expect(total).toBeGreaterThanOrEqual(25);
  });

  for (const [file, check] of Object.entries(LMSTAT)) {
    it(`lmstat/${file}`, () => {
      const status = parseLmstat(readFixture(`lmstat/${file}`), { now: NOW, timeZone: ZONE });
      expect(status.unparsed).toEqual([]);
      check(status);
    });
  }
  for (const [file, check] of Object.entries(RLMSTAT)) {
    it(`rlmstat/${file}`, () => {
      const status = parseRlmstat(readFixture(`rlmstat/${file}`), { now: NOW, timeZone: ZONE });
      expect(status.unparsed).toEqual([]);
      check(status);
    });
  }
  for (const [file, { timeZone, check, meaningless = [] }] of Object.entries(DEBUGLOG)) {
    it(`debuglog/${file}`, () => {
      const parsed = parseDebugLog(readFixture(`debuglog/${file}`), { timeZone, now: () => NOW });
      expect(parsed.unparsed.map((u) => u.line)).toEqual(meaningless);
      check(parsed.events);
    });
  }
  for (const [file, check] of Object.entries(LMSTAT_I)) {
    it(`lmstat-i/${file}`, () => {
      const table = parseLmstatI(readFixture(`lmstat-i/${file}`));
      expect(table.unparsed).toEqual([]);
      check(table);
    });
  }
});
