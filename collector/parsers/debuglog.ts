// FlexLM lmgrd / vendor-daemon debug logs, line by line as a tailer delivers them:
//    9:30:12 (lmgrd) TIMESTAMP 1/15/2024
//   10:15:22 (adskflex) OUT: "Maya_Complete" jsmith@ws-042
// Lines carry only a time of day: the date comes from TIMESTAMP lines and start-up banners and
// moves on at midnight (the time going backwards). Times are the server's wall clock in its
// time zone; events carry UTC ISO timestamps. A DENIED reason may wrap onto a next line that
// has no time prefix: such an event is held until its reason is complete (or `flush()`).
import { awaitsContinuation, classifyMessage, type CalendarDate, type DebugLogEventData } from './debuglog-messages.ts';
import { splitLines } from './text.ts';
import type { UnparsedLine } from './types.ts';
import { addDays, assertTimeZone, defaultTimeZone, isValidWallClock, wallClockAt, wallClockToUtc, type WallClock } from './zoned-time.ts';

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
const INTERLEAVE_SECONDS = 10 * 60;

/** A line read before any date is known is taken as today, unless that is this far ahead. */
const FUTURE_SKEW_MS = 5 * 60 * 1000;

/** A wrapped reason takes one more line; past this many, the text is not a wrap but garbage. */
const MAX_CONTINUATIONS = 3;

interface Pending {
  line: number;
  daemon: string;
  timestamp: string;
  text: string;
  message: string;
  continuations: number;
}

export class DebugLogParser {
  private readonly timeZone: string;
  private readonly now: () => Date;
  private lineNumber = 0;
  private date: CalendarDate | null = null;
  private lastSecond = -1;
  private pending: Pending | null = null;
  /** Lines understood but of no interest (routine chatter, continuations of chatter). */
  ignored = 0;

  constructor(options: DebugLogOptions = {}) {
    this.timeZone = options.timeZone ?? defaultTimeZone();
    assertTimeZone(this.timeZone);
    this.now = options.now ?? (() => new Date());
    if (options.carried) {
      this.date = { ...options.carried.date };
      this.lastSecond = options.carried.lastSecond;
    }
  }

  /** The date carried so far (undefined before the first dated line). */
  get carried(): CarriedDate | undefined {
    return this.date ? { date: { ...this.date }, lastSecond: this.lastSecond } : undefined;
  }

  /** True while an event waits for a possible continuation line: the lines fed so far are not all published. */
  get holding(): boolean {
    return this.pending !== null;
  }

  /** Feeds one line (without its terminator); returns what it completed. */
  push(rawLine: string): DebugLogChunk {
    const line = rawLine.replace(/\r$/, '');
    const number = ++this.lineNumber;
    const chunk: DebugLogChunk = { events: [], unparsed: [] };
    const match = LINE_RE.exec(line);
    if (!match) {
      if (line.trim() === '') {
        this.emitPending(chunk); // a wrapped reason never spans a blank line
        this.ignored++;
      } else if (this.pending) {
        this.pending.text += ` ${line.trim()}`;
        this.pending.message += ` ${line.trim()}`;
        this.pending.continuations++;
        const done = this.pending.continuations >= MAX_CONTINUATIONS || !awaitsContinuation(this.pending.message);
        if (done) this.emitPending(chunk);
      } else if (/^\s/.test(line)) {
        this.ignored++; // the indented tail of a multi-line start-up message
      } else {
        chunk.unparsed.push({ line: number, text: line });
      }
      return chunk;
    }
    this.emitPending(chunk);

    const [, month, day, year, hour, minute, second, daemon = '', message = ''] = match;
    const classified = classifyMessage(daemon, message);
    const explicitDate = year ? { year: Number(year), month: Number(month), day: Number(day) } : classified.date;
    const wall = this.wallClock(Number(hour), Number(minute), Number(second), explicitDate);
    if (!wall) {
      chunk.unparsed.push({ line: number, text: line });
      return chunk;
    }
    const timestamp = wallClockToUtc(wall, this.timeZone).toISOString();
    if (awaitsContinuation(message.trim())) {
      this.pending = { line: number, daemon, timestamp, text: line.trim(), message: message.trim(), continuations: 0 };
    } else if (classified.event) {
      chunk.events.push({ ...classified.event, timestamp, daemon, line: number, text: line.trim() });
    } else {
      this.ignored++;
    }
    return chunk;
  }

  /** Completes an event still waiting for a continuation line (e.g. when the file goes idle). */
  flush(): DebugLogChunk {
    const chunk: DebugLogChunk = { events: [], unparsed: [] };
    this.emitPending(chunk);
    return chunk;
  }

  private emitPending(chunk: DebugLogChunk): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    const { event } = classifyMessage(pending.daemon, pending.message);
    if (event) {
      const { line, daemon, timestamp, text } = pending;
      chunk.events.push({ ...event, timestamp, daemon, line, text });
    }
  }

  /** The full wall-clock time of a line, advancing the carried date; null if it is no time. */
  private wallClock(hour: number, minute: number, second: number, date: CalendarDate | undefined): WallClock | null {
    if (hour > 23 || minute > 59 || second > 59) return null;
    const seconds = hour * 3600 + minute * 60 + second;
    if (date) {
      if (!isValidWallClock({ ...date, hour, minute, second })) return null;
      this.date = date;
    } else if (!this.date) {
      this.date = this.guessDate(hour, minute, second);
    } else if (this.lastSecond >= 0 && seconds < this.lastSecond - INTERLEAVE_SECONDS) {
      this.date = addDays({ ...this.date, hour: 0, minute: 0, second: 0 }, 1);
    }
    const wall = { ...this.date, hour, minute, second };
    if (!isValidWallClock(wall)) return null;
    this.lastSecond = seconds;
    return wall;
  }

  /** No date seen yet (tailing from the middle of a file): today, or yesterday if ahead of now. */
  private guessDate(hour: number, minute: number, second: number): CalendarDate {
    const now = this.now();
    const today = { ...wallClockAt(now, this.timeZone), hour, minute, second };
    const day = wallClockToUtc(today, this.timeZone).getTime() > now.getTime() + FUTURE_SKEW_MS ? addDays(today, -1) : today;
    return { year: day.year, month: day.month, day: day.day };
  }
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
    const optional = { vendor: e.vendor, feature: e.feature, user: e.user, host: e.host, count: e.count, reason: e.reason, peer: e.peer };
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
