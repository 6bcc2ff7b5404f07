// FlexLM lmgrd / vendor-daemon debug logs, line by line as a tailer delivers them:
//    9:30:12 (lmgrd) TIMESTAMP 1/15/2024
//   10:15:22 (adskflex) OUT: "Maya_Complete" jsmith@ws-042
// Lines carry only a time of day: the date comes from TIMESTAMP lines and start-up banners and
// moves on at midnight (the time going backwards; an hour back on the night daylight saving
// ends is the repeated hour, not a new day). Times are the server's wall clock in its time zone;
// events carry UTC ISO timestamps. lmgrd wraps a long line onto a next line that has no time
// prefix: a DENIED reason, or the `(3 licenses)` of an OUT. So a denial without its reason, and
// a long usage line without its count, are held until the next line shows whether they go on
// (or `flush()`, which a tailer calls when the file goes idle); short lines go out at once.
import { classifyMessage, type CalendarDate, type Continuation, type DebugLogEventData } from './debuglog-messages.ts';
import { splitLines } from './text.ts';
import type { UnparsedLine } from './types.ts';
import { addDays, assertTimeZone, defaultTimeZone, HourlyZoneOffsets, isValidWallClock, wallClockAt, wallClockToUtc, zoneOffsetMs } from './zoned-time.ts';

import type { LogMessage } from '../../shared/protocol/index.ts';

export type { DebugLogEventKind } from './debuglog-messages.ts';

export interface DebugLogEvent extends DebugLogEventData {
  /** UTC, ISO 8601. */
  timestamp: string;
  /** The daemon that wrote the line: `lmgrd` or a vendor daemon. */
  daemon: string;
  /** 1-based number of the (first) line of the event in the stream. */
  line: number;
  /** The raw text, continuation lines joined with a space. */
  text: string;
}

export interface DebugLogChunk {
  events: DebugLogEvent[];
  unparsed: UnparsedLine[];
}

/** The date a parser carries from line to line: what a reader resuming a log mid-file needs. */
export interface CarriedDate {
  date: CalendarDate;
  /** The time of day of the last dated line, in seconds (midnight is detected against it). */
  lastSecond: number;
}

export interface DebugLogOptions {
  /** IANA zone of the license server's clock (default: the process's). */
  timeZone?: string;
  /** Go on with the date an earlier parser carried (see `carried`), as when reading on from a checkpoint. */
  carried?: CarriedDate;
  /** The current time, to date lines read before any TIMESTAMP (default: `new Date()`). */
  now?: () => Date;
}

const LINE_RE = /^\s*(?:(\d{1,2})\/(\d{1,2})\/(\d{4}) )?(\d{1,2}):(\d{2}):(\d{2}) \(([^()\s]+)\) ?(.*)$/;

/**
 * How far the time of day may step back without meaning "next day": lmgrd and its vendor
 * daemons write to one file and their lines can interleave a little out of order.
 */
const INTERLEAVE_MS = 10 * 60 * 1000;

const DAY_MS = 24 * 3600 * 1000;

/** A line read before any date is known is taken as today, unless that is this far ahead. */
const FUTURE_SKEW_MS = 5 * 60 * 1000;

/**
 * A usage line without `(N licenses)` shorter than this was not wrapped (the wrapped lines seen
 * broke after 80 characters or more): it goes out at once instead of waiting for the next line.
 */
const WRAP_WIDTH = 80;

/** A wrapped reason takes one more line; past this many, the text is not a wrap but garbage. */
const MAX_CONTINUATIONS = 3;

interface Pending {
  line: number;
  daemon: string;
  timestamp: string;
  text: string;
  message: string;
  event: DebugLogEventData;
  continuation: Continuation;
  continuations: number;
}

/** What `push` returns when a line completes nothing (most lines): one shared, frozen object. */
const NOTHING: DebugLogChunk = Object.freeze({ events: Object.freeze([]) as unknown as DebugLogEvent[], unparsed: Object.freeze([]) as unknown as UnparsedLine[] });

export class DebugLogParser {
  private readonly timeZone: string;
  private readonly now: () => Date;
  private readonly offsets: HourlyZoneOffsets;
  private lineNumber = 0;
  /** The carried date, as `Date.UTC` of its midnight; null until a line tells or needs it. */
  private dayMs: number | null = null;
  /** The instant of the last dated line (ms), to tell a new day from lines a little out of order. */
  private lastInstant = Number.NaN;
  private pending: Pending | null = null;
  private lastIsoInstant = Number.NaN;
  private lastIso = '';
  /** Lines understood but of no interest (routine chatter, continuations of chatter). */
  ignored = 0;

  constructor(options: DebugLogOptions = {}) {
    this.timeZone = options.timeZone ?? defaultTimeZone();
    assertTimeZone(this.timeZone);
    this.now = options.now ?? (() => new Date());
    this.offsets = new HourlyZoneOffsets(this.timeZone);
    if (options.carried) {
      const { date, lastSecond } = options.carried;
      this.setDate(date);
      if (lastSecond >= 0) this.lastInstant = this.offsets.toUtcMs(this.dayMs! + lastSecond * 1000);
    }
  }

  /** The date carried so far (undefined before the first dated line). */
  get carried(): CarriedDate | undefined {
    if (this.dayMs === null) return undefined;
    const day = new Date(this.dayMs);
    const date = { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() };
    // The last line's time of day on the carried date's wall clock (it may lie past midnight of a
    // date not yet advanced: the reader then advances it as this parser would have).
    const lastSecond = Number.isNaN(this.lastInstant) ? -1 : Math.round((this.lastInstant + zoneOffsetMs(this.lastInstant, this.timeZone) - this.dayMs) / 1000);
    return { date, lastSecond };
  }

  /** True while an event waits for a possible continuation line: the lines fed so far are not all published. */
  get holding(): boolean {
    return this.pending !== null;
  }

  /**
   * Feeds one line (without its terminator); returns what it completed. The result is read-only
   * (lines that complete nothing share one frozen chunk).
   */
  push(rawLine: string): DebugLogChunk {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const number = ++this.lineNumber;
    const match = LINE_RE.exec(line);
    if (!match) return this.untimed(line, number);
    let chunk = this.emitPending();

    const [, month, day, year, hour, minute, second, daemon = '', message = ''] = match;
    const classified = classifyMessage(daemon, message);
    const explicitDate = year ? { year: Number(year), month: Number(month), day: Number(day) } : classified.date;
    const instant = this.instant(Number(hour), Number(minute), Number(second), explicitDate);
    if (instant === null) return withUnparsed(chunk, { line: number, text: line });
    const timestamp = this.iso(instant);
    const held = classified.continuation === 'required' || (classified.continuation === 'possible' && line.length >= WRAP_WIDTH);
    if (classified.event && held) {
      const text = line.trim();
      this.pending = { line: number, daemon, timestamp, text, message: message.trim(), event: classified.event, continuation: classified.continuation, continuations: 0 };
    } else if (classified.event) {
      chunk = withEvent(chunk, completeEvent(classified.event, timestamp, daemon, number, line.trim()));
    } else {
      this.ignored++;
    }
    return chunk ?? NOTHING;
  }

  /** Completes an event still waiting for a continuation line (e.g. when the file goes idle). */
  flush(): DebugLogChunk {
    return this.emitPending() ?? { events: [], unparsed: [] };
  }

  /** A line without a time prefix: a wrapped continuation, a start-up message's tail, or garbage. */
  private untimed(line: string, number: number): DebugLogChunk {
    const trimmed = line.trim();
    if (trimmed === '') {
      this.ignored++;
      return this.emitPending() ?? NOTHING; // a wrapped line never spans a blank line
    }
    const pending = this.pending;
    // A line that must continue takes any text; one that only may takes a wrapped `(…)` or `[…]`.
    if (pending && (pending.continuation === 'required' || trimmed.startsWith('(') || trimmed.startsWith('['))) {
      pending.text += ` ${trimmed}`;
      pending.message += ` ${trimmed}`;
      pending.continuations++;
      const classified = classifyMessage(pending.daemon, pending.message);
      if (classified.event) pending.event = classified.event;
      pending.continuation = classified.continuation;
      // One wrap completes a line that only might go on; a reason may take a few.
      const done = pending.continuations >= MAX_CONTINUATIONS || classified.continuation !== 'required';
      return (done ? this.emitPending() : null) ?? NOTHING;
    }
    const chunk = this.emitPending();
    if (/^\s/.test(line)) {
      this.ignored++; // the indented tail of a multi-line start-up message
      return chunk ?? NOTHING;
    }
    return withUnparsed(chunk, { line: number, text: line });
  }

  /** The held event, completed as it stands, in a new chunk; null when none is held. */
  private emitPending(): DebugLogChunk | null {
    const pending = this.pending;
    if (!pending) return null;
    this.pending = null;
    return withEvent(null, completeEvent(pending.event, pending.timestamp, pending.daemon, pending.line, pending.text));
  }

  /** The UTC instant (ms) of a line's time of day, advancing the carried date; null if it is no time. */
  private instant(hour: number, minute: number, second: number, date: CalendarDate | undefined): number | null {
    if (hour > 23 || minute > 59 || second > 59) return null;
    if (date) {
      if (!isValidWallClock({ ...date, hour, minute, second })) return null;
      this.setDate(date);
    } else if (this.dayMs === null) {
      this.setDate(this.guessDate(hour, minute, second));
    }
    const timeOfDayMs = (hour * 3600 + minute * 60 + second) * 1000;
    let instant = this.offsets.toUtcMs((this.dayMs ?? 0) + timeOfDayMs);
    if (!date && instant < this.lastInstant - INTERLEAVE_MS) {
      const repeated = this.repeatedHour(instant);
      if (repeated !== null) instant = repeated;
      else {
        // The time went back: midnight passed.
        this.dayMs = (this.dayMs ?? 0) + DAY_MS;
        instant = this.offsets.toUtcMs(this.dayMs + timeOfDayMs);
      }
    }
    this.lastInstant = instant;
    return instant;
  }

  /** ISO text of an instant; consecutive lines mostly share their second, so the last is reused. */
  private iso(instant: number): string {
    if (instant !== this.lastIsoInstant) {
      this.lastIsoInstant = instant;
      this.lastIso = new Date(instant).toISOString();
    }
    return this.lastIso;
  }

  private setDate(date: CalendarDate): void {
    this.dayMs = Date.UTC(date.year, date.month - 1, date.day);
  }

  /**
   * When daylight saving ends, the clock shows an hour twice: the line is then in the second of
   * them (later by the change of offset) if that follows on from the last line. Null otherwise.
   */
  private repeatedHour(earlier: number): number | null {
    const shift = zoneOffsetMs(earlier, this.timeZone) - zoneOffsetMs(earlier + 3 * 3600_000, this.timeZone);
    if (shift <= 0) return null;
    const later = earlier + shift;
    return later >= this.lastInstant - INTERLEAVE_MS ? later : null;
  }

  /** No date seen yet (tailing from the middle of a file): today, or yesterday if ahead of now. */
  private guessDate(hour: number, minute: number, second: number): CalendarDate {
    const now = this.now();
    const today = { ...wallClockAt(now, this.timeZone), hour, minute, second };
    const day = wallClockToUtc(today, this.timeZone).getTime() > now.getTime() + FUTURE_SKEW_MS ? addDays(today, -1) : today;
    return { year: day.year, month: day.month, day: day.day };
  }
}

/** The classified data (a fresh object per line) becomes the event: no copy. */
function completeEvent(data: DebugLogEventData, timestamp: string, daemon: string, line: number, text: string): DebugLogEvent {
  const event = data as DebugLogEvent;
  event.timestamp = timestamp;
  event.daemon = daemon;
  event.line = line;
  event.text = text;
  return event;
}

function withEvent(chunk: DebugLogChunk | null, event: DebugLogEvent): DebugLogChunk {
  const target = chunk ?? { events: [], unparsed: [] };
  target.events.push(event);
  return target;
}

function withUnparsed(chunk: DebugLogChunk | null, line: UnparsedLine): DebugLogChunk {
  const target = chunk ?? { events: [], unparsed: [] };
  target.unparsed.push(line);
  return target;
}

/** A whole debug log (or a piece of one) at once. */
export function parseDebugLog(text: string, options: DebugLogOptions = {}): DebugLogChunk & { ignored: number } {
  const parser = new DebugLogParser(options);
  const result: DebugLogChunk = { events: [], unparsed: [] };
  for (const line of splitLines(text)) {
    const chunk = parser.push(line);
    result.events.push(...chunk.events);
    result.unparsed.push(...chunk.unparsed);
  }
  result.events.push(...parser.flush().events);
  return { ...result, ignored: parser.ignored };
}

/** Where the events come from: the license server as named in the farm configuration. */
export interface LogContext {
  server: string;
  site?: string;
  /** The `source` of the log messages (default `license-server`, as in the spec's examples). */
  source?: string;
}

/** The `log` messages a collector publishes for debug-log events. */
export function toLogMessages(events: readonly DebugLogEvent[], context: LogContext): LogMessage[] {
  return events.map((e) => {
    const metadata: Record<string, unknown> = { server: context.server, event: e.kind, daemon: e.daemon };
    const optional = {
      vendor: e.vendor,
      feature: e.feature,
      user: e.user,
      host: e.host,
      count: e.count,
      reason: e.reason,
      peer: e.peer,
      annotation: e.annotation,
      licenseSource: e.licenseSource,
      pid: e.pid,
    };
    for (const [key, value] of Object.entries(optional)) if (value !== undefined) metadata[key] = value;
    const message: LogMessage = {
      type: 'log',
      timestamp: e.timestamp,
      level: e.level,
      message: e.message,
      source: context.source ?? 'license-server',
      metadata,
    };
    if (context.site !== undefined) message.site = context.site;
    return message;
  });
}
