import { describe, expect, it } from 'vitest';
import { parseExpiry, soonestExpiry } from '../../collector/parsers/expiry.ts';
import { parseLmstat } from '../../collector/parsers/lmstat.ts';
import { parseLmstatI, withExpiries } from '../../collector/parsers/lmstat-i.ts';
import { readFixture } from '../fixtures/fixtures.ts';

describe('parseLmstatI', () => {
  it('reads the table in the `Expires Vendor` column order, with the soonest expiry per feature', () => {
    const table = parseLmstatI(readFixture('lmstat-i/single-healthy.txt'));
    expect(table.definitions).toEqual([
      { name: 'Maya_Complete', version: '2024.000', licenses: 10, vendor: 'adskflex', expiry: '2025-12-31' },
      { name: 'MatchMover', version: '2024.000', licenses: 1, vendor: 'adskflex', expiry: null },
      { name: 'Arnold', version: '2024.000', licenses: 10, vendor: 'adskflex', expiry: '2024-06-30' },
      { name: 'Arnold', version: '2024.000', licenses: 10, vendor: 'adskflex', expiry: '2024-12-31' },
      { name: '3dsMax', version: '2024.000', licenses: 5, vendor: 'adskflex', expiry: null },
      { name: 'Maya_Complete_2022', version: '2022.000', licenses: 4, vendor: 'adskflex', expiry: '2022-12-31' },
    ]);
    expect(table.expiries).toEqual({
      Maya_Complete: '2025-12-31',
      MatchMover: null,
      Arnold: '2024-06-30',
      '3dsMax': null,
      Maya_Complete_2022: '2022-12-31',
    });
    expect(table.error).toBeNull();
    expect(table.unparsed).toEqual([]);
  });

  it('reads Windows output in the `Vendor Expires` column order, with uncounted and 31-dec-9999', () => {
    const text = readFixture('lmstat-i/windows-vendor-first.txt');
    expect(text).toContain('\r\n');
    const table = parseLmstatI(text);
    expect(table.expiries).toEqual({
      '87545ACD_2024_0F': '2024-12-15',
      '87559ACD_2024_0F': '2024-12-15',
      '86984RVTLTS_2024_0F': null,
      AutoCAD_Viewer: null,
      '87083ACD_2021_0F': '2021-12-15',
    });
    expect(table.definitions.find((d) => d.name === 'AutoCAD_Viewer')?.licenses).toBeNull();
    expect(table.unparsed).toEqual([]);
  });

  it('reports a missing license file', () => {
    const table = parseLmstatI(readFixture('lmstat-i/no-license-file.txt'));
    expect(table).toEqual({
      definitions: [],
      expiries: {},
      error: 'Cannot find license file. (-1,359:2 "No such file or directory")',
      unparsed: [],
    });
  });

  it('reads a row without a header and collects garbage', () => {
    const table = parseLmstatI('Spectre  23.1  4  cdslmd  30-jun-2024\nSpectre 23.1 four cdslmd 30-jun-2024\n??');
    expect(table.definitions).toEqual([{ name: 'Spectre', version: '23.1', licenses: 4, vendor: 'cdslmd', expiry: '2024-06-30' }]);
    expect(table.unparsed).toEqual([
      { line: 2, text: 'Spectre 23.1 four cdslmd 30-jun-2024' },
      { line: 3, text: '??' },
    ]);
  });
});

describe('withExpiries', () => {
  it('fills in the expiry of features lmstat -a did not date, and keeps those it did', () => {
    const options = { now: new Date('2024-01-15T15:30:00Z'), timeZone: 'America/New_York' };
    const status = parseLmstat(readFixture('lmstat/single-healthy.txt'), options);
    const merged = withExpiries(status, parseLmstatI(readFixture('lmstat-i/single-healthy.txt')));
    expect(merged.features.map((f) => [f.name, f.expiry])).toEqual([
      ['Maya_Complete', '2025-12-31'],
      ['MatchMover', null],
      ['Arnold', '2024-06-30'],
      ['3dsMax', null],
    ]);
    expect(status.features[2]).not.toHaveProperty('expiry'); // the input is left alone
  });

  it('leaves a feature undated when lmstat -i does not list it', () => {
    const status = parseLmstat('Users of Other:  (Total of 1 license issued;  Total of 0 licenses in use)');
    const merged = withExpiries(status, parseLmstatI(readFixture('lmstat-i/single-healthy.txt')));
    expect(merged.features[0]).not.toHaveProperty('expiry');
  });
});

describe('parseExpiry: the never-rules', () => {
  it.each([
    ['31-dec-2025', '2025-12-31'],
    ['5-JAN-2026', '2026-01-05'],
    ['31-dec-2098', '2098-12-31'],
    ['31-dec-99', '1999-12-31'],
    ['permanent(no expiration date)', null],
    ['permanent', null],
    ['1-jan-0', null],
    ['1-jan-00', null],
    ['01-jan-0000', null],
    ['1-jan-2099', null],
    ['31-dec-9999', null],
    ['31-feb-2025', undefined],
    ['soon', undefined],
    ['', undefined],
  ])('%s → %s', (text, expected) => {
    expect(parseExpiry(text)).toBe(expected);
  });

  it('soonestExpiry prefers any date to never', () => {
    expect(soonestExpiry([null, '2025-01-01', '2024-06-30'])).toBe('2024-06-30');
    expect(soonestExpiry([null, null])).toBeNull();
    expect(soonestExpiry([])).toBeNull();
  });
});
