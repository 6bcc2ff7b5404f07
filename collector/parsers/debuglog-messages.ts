// The message part of one FlexLM debug-log line (after `H:MM:SS (daemon) `) → what it means:
// a usage event (OUT/IN/DENIED/...), a server event (lost quorum, restart, ...), a date marker
// (TIMESTAMP, start-up banner), or nothing of interest.
import type { Level } from '../../shared/protocol/index.ts';

export type DebugLogEventKind =
  | 'out'
  | 'in'
  | 'denied'
  | 'unsupported'
  | 'queued'
  | 'dequeued'
  | 'expired'
  | 'lost-connection'
  | 'lost-quorum'
  | 'exiting'
  | 'daemon-exited'
  | 'shutting-down'
  | 'restarted'
  | 'started';

/** An event as the message alone tells it (the parser adds time, daemon and line). */
export interface DebugLogEventData {
  kind: DebugLogEventKind;
  level: Level;
  message: string;
  vendor?: string;
  feature?: string;
  user?: string;
  host?: string;
  count?: number;
  reason?: string;
  /** The server a connection was lost to. */
  peer?: string;
  /** A vendor's annotation after `user@host`, e.g. `[telelogic]`. */
  annotation?: string;
  /** Where the license came from, printed before `user@host`, e.g. `PORT_AT_HOST_PLUS`. */
  licenseSource?: string;
  /** The client's process id (FlexNet 11.19 prints `(PID: N)`). */
  pid?: number;
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export interface Classified {
  event?: DebugLogEventData;
  /** A usage line that may continue on the next line (see `Continuation`). */
  continuation?: Continuation;
  /** The message carries the current date (TIMESTAMP, start-up banner, system date). */
  date?: CalendarDate;
}

const USAGE_RE = /^(OUT|IN|DENIED|UNSUPPORTED|QUEUED|DEQUEUED|EXPIRED):\s*(.*)$/;
const TIMESTAMP_RE = /^TIMESTAMP (\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/;
const BANNER_RE = /^FLEX(?:net|lm) Licensing \(v?([^\s)]+)[^)]*\) started on (\S+).*\((\d{1,2})\/(\d{1,2})\/(\d{4})\)\s*$/i;
const SYSTEM_DATE_RE = /System Date and Time: \w{3} (\w{3}) (\d{1,2}) (\d{4})/;
const VENDOR_STARTED_RE = /^Server started on (\S+?)(?: for:.*)?\s*$/;
const RESTARTED_RE = /^REstarted (\S+)(?:\s+(.*))?$/i;
const SHUTTING_DOWN_RE = /^Shutting down(?: ([\w-]+)(?=\s+pid|\s*$))?/i;
const EXITING_RE = /^EXITING DUE TO SIGNAL (\d+)/;
const DAEMON_EXITED_RE = /^([\w-]+) exited with status (\d+)(?:\s*\((.*)\))?\s*$/;
const LOST_CONNECTION_RE = /^Lost connection to ([^\s,;]+?)[.,;]?(?:\s|$)/i;
const LOST_QUORUM_RE = /^Lost quorum/i;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const USAGE_LEVELS: Record<string, Level> = {
  OUT: 'info',
  IN: 'info',
  DENIED: 'warn',
  UNSUPPORTED: 'warn',
  QUEUED: 'warn',
  DEQUEUED: 'info',
  EXPIRED: 'warn',
};

/** A usage line's body after the feature, split into what FlexNet puts there. */
interface UsageParts {
  /** `user@host` (a user name may hold spaces), without vendor annotations. */
  holder: string;
  /** Parenthesised groups after the holder, e.g. `3 licenses`, a reason, `PID: 4711`. */
  groups: string[];
  /** Parenthesised groups before the holder: the license source, e.g. `PORT_AT_HOST_PLUS`. */
  leading: string[];
  /** Bracketed vendor annotations after the holder, e.g. `telelogic`. */
  annotations: string[];
  /** False while a group is still open (its end wrapped onto the next line). */
  balanced: boolean;
}

/**
 * One pass over the text after the feature name, character by character: no regex backtracking
 * and no per-group allocation beyond the groups themselves, since a busy log has thousands of
 * these lines a second.
 */
function scanUsage(text: string): UsageParts {
  const parts: UsageParts = { holder: '', groups: [], leading: [], annotations: [], balanced: true };
  let depth = 0;
  let start = 0;
  let bare = 0;
  let bracket = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 /* ( */) {
      if (depth === 0 && bracket < 0) {
        if (parts.holder === '') parts.holder = text.slice(bare, i).trim();
        start = i + 1;
      }
      depth++;
    } else if (c === 41 /* ) */ && depth > 0) {
      depth--;
      if (depth === 0 && bracket < 0) {
        const group = text.slice(start, i).trim();
        (parts.holder === '' ? parts.leading : parts.groups).push(group);
        bare = i + 1;
      }
    } else if (c === 91 /* [ */ && depth === 0 && bracket < 0) {
      if (parts.holder === '') parts.holder = text.slice(bare, i).trim();
      bracket = i + 1;
    } else if (c === 93 /* ] */ && bracket >= 0) {
      parts.annotations.push(text.slice(bracket, i).trim());
      bracket = -1;
      bare = i + 1;
    }
  }
  if (depth > 0) {
    // An unclosed group (a reason whose wrapped end never came) still says why.
    parts.balanced = false;
    (parts.holder === '' ? parts.leading : parts.groups).push(text.slice(start).replace(/[()]/g, ' ').trim());
  } else if (parts.holder === '') {
    parts.holder = text.slice(bare).trim();
  }
  return parts;
}

const COUNT_RE = /^(\d+) licenses?$/;
const PID_RE = /^PID:? (\d+)$/i;

/**
 * Whether a usage line may go on over the next line: `required` while a group is open or a
 * denial has no reason yet; `possible` while nothing follows `user@host` (lmgrd may have
 * wrapped a long line before its `(N licenses)`); absent when nothing more can follow.
 */
export type Continuation = 'required' | 'possible' | undefined;

function describeUsage(action: string, d: DebugLogEventData): string {
  const who = d.user === undefined ? '' : d.host === undefined ? d.user : `${d.user}@${d.host}`;
  const feature = d.feature ?? '?';
  const licenses = d.count !== undefined && d.count > 1 ? ` (${d.count} licenses)` : '';
  const why = d.reason ? `: ${d.reason}` : '';
  switch (action) {
    case 'OUT':
      return `${who} checked out ${feature}${licenses}`;
    case 'IN':
      return `${who} checked in ${feature}${licenses}${d.reason ? ` (${d.reason})` : ''}`;
    case 'DENIED':
      return `${feature} denied to ${who}${licenses}${why}`;
    case 'UNSUPPORTED':
      return `${feature} unsupported for ${who}${why}`;
    case 'QUEUED':
      return `${who} queued for ${feature}${licenses}`;
    case 'DEQUEUED':
      return `${who} dequeued from ${feature}${licenses}`;
    default:
      return `${feature} expired${who ? ` for ${who}` : ''}${why}`;
  }
}

function usageEvent(action: string, body: string, vendor: string | undefined): Classified {
  const data: DebugLogEventData = {
    kind: action.toLowerCase() as DebugLogEventKind,
    level: USAGE_LEVELS[action] ?? 'info',
    message: '',
  };
  if (vendor !== undefined) data.vendor = vendor;
  let rest = body.trim();
  const quoted = /^"([^"]*)"\s*/.exec(rest) ?? /^([^\s"(]+)\s*/.exec(rest);
  if (quoted) {
    data.feature = quoted[1];
    rest = rest.slice(quoted[0].length);
  }
  const parts = scanUsage(rest);
  if (parts.holder) {
    const at = parts.holder.lastIndexOf('@');
    data.user = at < 0 ? parts.holder : parts.holder.slice(0, at).trimEnd();
    if (at >= 0) data.host = parts.holder.slice(at + 1).trimStart();
  }
  if (parts.leading.length > 0 && parts.holder) data.licenseSource = parts.leading.join(' ');
  if (parts.annotations.length > 0) data.annotation = parts.annotations.join(' ');
  const reasons: string[] = parts.holder ? [] : parts.leading.map((g) => g.replace(/\s+/g, ' '));
  for (const group of parts.groups) {
    const licenses = COUNT_RE.exec(group);
    const pid = licenses ? null : PID_RE.exec(group);
    if (licenses) data.count = Number(licenses[1]);
    else if (pid) data.pid = Number(pid[1]);
    else reasons.push(group.replace(/\s+/g, ' '));
  }
  if (reasons.length > 0) data.reason = reasons.join('; ');
  if (data.count === undefined && action !== 'EXPIRED') data.count = 1;
  data.message = describeUsage(action, data);
  const needsReason = action === 'DENIED' || action === 'UNSUPPORTED';
  const continuation: Continuation =
    !parts.balanced || (needsReason && reasons.length === 0) ? 'required' : parts.groups.length === 0 && action !== 'EXPIRED' ? 'possible' : undefined;
  return continuation ? { event: data, continuation } : { event: data };
}

function event(kind: DebugLogEventKind, level: Level, message: string, extra: Partial<DebugLogEventData> = {}): Classified {
  const data: DebugLogEventData = { kind, level, message };
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) Object.assign(data, { [key]: value });
  }
  return { event: data };
}

/** What the message of one debug-log line means; `{}` when it is routine chatter. */
export function classifyMessage(daemon: string, message: string): Classified {
  const vendor = daemon === 'lmgrd' ? undefined : daemon;
  const text = message.trim();
  let m = USAGE_RE.exec(text);
  if (m) return usageEvent(m[1] ?? '', m[2] ?? '', vendor);
  m = TIMESTAMP_RE.exec(text);
  if (m) return { date: { month: Number(m[1]), day: Number(m[2]), year: Number(m[3]) } };
  m = BANNER_RE.exec(text);
  if (m) {
    const date = { month: Number(m[3]), day: Number(m[4]), year: Number(m[5]) };
    return { ...event('started', 'info', `${daemon} (FlexNet v${m[1]}) started on ${m[2]}`, { vendor }), date };
  }
  m = SYSTEM_DATE_RE.exec(text);
  if (m) return { date: { month: MONTHS.indexOf(m[1] ?? '') + 1, day: Number(m[2]), year: Number(m[3]) } };
  m = VENDOR_STARTED_RE.exec(text);
  if (m && vendor) return event('started', 'info', `${vendor} started on ${m[1]}`, { vendor });
  m = RESTARTED_RE.exec(text);
  if (m) return event('restarted', 'warn', `${m[1]} restarted${m[2] ? ` ${m[2]}` : ''}`, { vendor: m[1] });
  m = SHUTTING_DOWN_RE.exec(text);
  if (m) return event('shutting-down', 'warn', `${daemon}: ${text}`, { vendor: m[1] ?? vendor });
  m = EXITING_RE.exec(text);
  if (m) return event('exiting', 'error', `${daemon} exiting due to signal ${m[1]}`, { vendor, reason: text });
  m = DAEMON_EXITED_RE.exec(text);
  if (m) {
    const why = m[3] ? `: ${m[3]}` : '';
    return event('daemon-exited', 'error', `${m[1]} exited with status ${m[2]}${why}`, { vendor: m[1], reason: m[3] });
  }
  m = LOST_CONNECTION_RE.exec(text);
  if (m) return event('lost-connection', 'error', `${daemon}: ${text}`, { vendor, peer: m[1], reason: text });
  if (LOST_QUORUM_RE.test(text)) return event('lost-quorum', 'error', `${daemon}: ${text}`, { vendor, reason: text });
  return {};
}
