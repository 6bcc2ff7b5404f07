// Wall-clock times of a license server's time zone ↔ UTC instants, with only Intl (no date
// library): the tools print local times without a zone, and often without a year.

export interface WallClock {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Throws a RangeError on an unknown zone: a configuration error, surfaced at the first use.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function defaultTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Throws a RangeError naming the zone when it is not a valid IANA time zone. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** The wall clock shown in `timeZone` at `instant`. */
export function wallClockAt(instant: Date, timeZone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year ?? 1970,
    month: fields.month ?? 1,
    day: fields.day ?? 1,
    hour: fields.hour ?? 0,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
  };
}

function wallAsUtcMs(w: WallClock): number {
  const ms = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  // Date.UTC maps years 0-99 to 1900-1999; the logs never hold such years, but stay exact.
  return w.year >= 0 && w.year < 100 ? new Date(ms).setUTCFullYear(w.year) : ms;
}

/** The zone's offset from UTC at `instantMs`, in milliseconds (how far its wall clock is ahead). */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const wall = wallClockAt(new Date(instantMs), timeZone);
  return wallAsUtcMs(wall) - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The UTC instant at which `timeZone` shows the wall clock `w`. Two passes handle a DST change
 * between the first guess and the answer. When they disagree, the instant that really shows `w`
 * wins; when both do (the hour repeated as DST ends), the earlier; when neither does (the hour
 * skipped as DST starts), the larger offset, i.e. the earlier instant.
 */
export function wallClockToUtc(w: WallClock, timeZone: string): Date {
  const asUtc = wallAsUtcMs(w);
  const first = zoneOffsetMs(asUtc, timeZone);
  const second = zoneOffsetMs(asUtc - first, timeZone);
  if (first === second) return new Date(asUtc - first);
  const shows = (instant: number) => wallAsUtcMs(wallClockAt(new Date(instant), timeZone)) === asUtc;
  const candidates = [asUtc - first, asUtc - second].filter(shows);
  return new Date(candidates.length > 0 ? Math.min(...candidates) : asUtc - Math.max(first, second));
}

/** Hours remembered by a `HourlyZoneOffsets`: a day and a half of log, a few hundred bytes. */
const REMEMBERED_HOURS = 36;

/**
 * `wallClockToUtc` for a stream of nearby times (a debug log): the zone's offset is looked up
 * once per wall-clock hour and reused for every line of that hour, since each `Intl` lookup costs
 * microseconds and a busy log writes thousands of lines a second. An hour whose start and end
 * have different offsets (a DST change inside it) is never cached: each of its times takes the
 * exact path.
 */
export class HourlyZoneOffsets {
  private readonly offsets = new Map<number, number | null>();

  constructor(private readonly timeZone: string) {}

  /**
   * The UTC instant (ms) at which the zone shows a wall clock, given as that wall clock read as
   * if it were UTC (`Date.UTC(year, month - 1, day, hour, minute, second)`).
   */
  toUtcMs(wallMs: number): number {
    const hourKey = wallMs - (((wallMs % 3600_000) + 3600_000) % 3600_000);
    let offset = this.offsets.get(hourKey);
    if (offset === undefined) {
      const start = hourKey - wallClockToUtc(wallClockOf(hourKey), this.timeZone).getTime();
      const end = hourKey + 3599_000 - wallClockToUtc(wallClockOf(hourKey + 3599_000), this.timeZone).getTime();
      offset = start === end ? start : null;
      if (this.offsets.size >= REMEMBERED_HOURS) this.offsets.clear();
      this.offsets.set(hourKey, offset);
    }
    return offset === null ? wallClockToUtc(wallClockOf(wallMs), this.timeZone).getTime() : wallMs - offset;
  }
}

/** The inverse of `wallAsUtcMs` (for the years a log holds). */
function wallClockOf(wallMs: number): WallClock {
  const d = new Date(wallMs);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

/** Calendar arithmetic on a wall-clock date (no zone involved). */
export function addDays(w: WallClock, days: number): WallClock {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days));
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when month/day/hour/minute/second name a real calendar time (no rollover). */
export function isValidWallClock(w: WallClock): boolean {
  if (w.hour > 23 || w.minute > 59 || w.second > 59 || w.month < 1 || w.month > 12 || w.day < 1) {
    return false;
  }
  const leap = w.year % 4 === 0 && (w.year % 100 !== 0 || w.year % 400 === 0);
  return w.day <= (w.month === 2 && leap ? 29 : (DAYS_IN_MONTH[w.month - 1] ?? 0));
}

/**
 * Largest step into the future still taken as "this year": the server's and the collector's
 * clocks may disagree by minutes, and that must not move a fresh checkout back a whole year.
 */
const CLOCK_SKEW_MS = 24 * 3600 * 1000;

/**
 * A time printed without a year (`start Mon 1/15 9:30`, `at 01/15 09:30`): this year in the
 * server's zone, or last year when that would lie in the future.
 */
export function resolveYearless(
  time: Omit<WallClock, 'year'>,
  now: Date,
  timeZone: string,
): Date | null {
  const thisYear = wallClockAt(now, timeZone).year;
  for (const year of [thisYear, thisYear - 1, thisYear - 2, thisYear - 3, thisYear - 4]) {
    const wall = { ...time, year };
    // 29 February exists only in leap years: walk back to the last one that had it.
    if (!isValidWallClock(wall)) continue;
    const instant = wallClockToUtc(wall, timeZone);
    if (instant.getTime() <= now.getTime() + CLOCK_SKEW_MS) return instant;
  }
  return null;
}

/** `instant` as ISO 8601 in `timeZone`'s wall clock with its UTC offset, e.g. `2024-01-15T09:30:00+01:00` (whole seconds). */
export function zonedIso(instant: Date, timeZone: string): string {
  const offsetMinutes = Math.round(zoneOffsetMs(instant.getTime(), timeZone) / 60_000);
  const w = wallClockAt(instant, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${String(w.year).padStart(4, '0')}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}:${two(w.second)}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}
