import { describe, expect, it } from 'vitest';
import { HourlyZoneOffsets, wallClockAt, wallClockToUtc } from '../../collector/parsers/zoned-time.ts';

const wallMs = (iso: string) => Date.parse(`${iso}Z`);

describe('wallClockToUtc across daylight-saving changes', () => {
  it('maps the hour after New York falls back to its only instant, and the repeated hour to the earlier', () => {
    const at = (h: number, m: number) => wallClockToUtc({ year: 2024, month: 11, day: 3, hour: h, minute: m, second: 0 }, 'America/New_York').toISOString();
    expect(at(1, 30)).toBe('2024-11-03T05:30:00.000Z'); // shown twice: EDT first
    expect(at(2, 0)).toBe('2024-11-03T07:00:00.000Z'); // EST only
    expect(at(2, 30)).toBe('2024-11-03T07:30:00.000Z');
  });
});

describe('HourlyZoneOffsets', () => {
  // Every 10 minutes over the days around each change, in zones with whole, half-hour and odd
  // offsets and a 30-minute DST (Lord Howe): the cached path must agree with the exact one.
  const cases = [
    ['America/New_York', '2024-03-09T00:00:00', '2024-03-11T00:00:00'],
    ['America/New_York', '2024-11-02T00:00:00', '2024-11-04T00:00:00'],
    ['Europe/Berlin', '2024-10-26T00:00:00', '2024-10-28T00:00:00'],
    ['Australia/Lord_Howe', '2024-04-06T00:00:00', '2024-04-08T00:00:00'],
    ['Asia/Kolkata', '2024-06-01T00:00:00', '2024-06-02T00:00:00'],
  ] as const;
  for (const [zone, from, to] of cases) {
    it(`agrees with wallClockToUtc in ${zone} from ${from}`, () => {
      const offsets = new HourlyZoneOffsets(zone);
      let checked = 0;
      for (let ms = wallMs(from); ms < wallMs(to); ms += 10 * 60_000) {
        const d = new Date(ms);
        const wall = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: 0 };
        expect(offsets.toUtcMs(ms), JSON.stringify(wall)).toBe(wallClockToUtc(wall, zone).getTime());
        checked++;
      }
      expect(checked).toBeGreaterThan(100);
    });
  }

  it('gives instants that show the wall clock asked for, outside a skipped hour', () => {
    const offsets = new HourlyZoneOffsets('Europe/Berlin');
    const instant = offsets.toUtcMs(wallMs('2024-07-01T12:34:56'));
    expect(wallClockAt(new Date(instant), 'Europe/Berlin')).toEqual({ year: 2024, month: 7, day: 1, hour: 12, minute: 34, second: 56 });
  });
});
