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
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export interface Classified {
  event?: DebugLogEventData;
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

/** The parenthesised groups of a usage line's tail, e.g. `(2 licenses) (reason (-4,342))`. */
export function parenGroups(text: string): { groups: string[]; balanced: boolean } {
  const groups: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') {
      if (depth === 0) start = i + 1;
      depth++;
    } else if (text[i] === ')' && depth > 0) {
      depth--;
      if (depth === 0) groups.push(text.slice(start, i).trim());
    }
  }
  // An unclosed group (a reason whose wrapped end never came) still says why.
  if (depth > 0) groups.push(text.slice(start).replace(/[()]/g, ' ').trim());
  return { groups, balanced: depth === 0 };
}

/**
 * True while a usage line still waits for the rest of its reason on the next line: its
 * parentheses are open, or it is a denial that has no reason yet.
 */
export function awaitsContinuation(message: string): boolean {
  const usage = USAGE_RE.exec(message);
  if (!usage) return false;
  const { groups, balanced } = parenGroups(usage[2] ?? '');
  if (!balanced) return true;
  const needsReason = usage[1] === 'DENIED' || usage[1] === 'UNSUPPORTED';
  return needsReason && !groups.some((g) => !/^\d+ licenses?$/.test(g));
}

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

function usageEvent(action: string, body: string, vendor: string | undefined): DebugLogEventData {
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
  const parenAt = rest.indexOf('(');
  const holder = (parenAt < 0 ? rest : rest.slice(0, parenAt)).trim();
  if (holder) {
    const at = holder.lastIndexOf('@');
    data.user = at < 0 ? holder : holder.slice(0, at);
    if (at >= 0) data.host = holder.slice(at + 1);
  }
  const reasons: string[] = [];
  for (const group of parenGroups(parenAt < 0 ? '' : rest.slice(parenAt)).groups) {
    const licenses = /^(\d+) licenses?$/.exec(group);
    if (licenses) data.count = Number(licenses[1]);
    else reasons.push(group.replace(/\s+/g, ' '));
  }
  if (reasons.length > 0) data.reason = reasons.join('; ');
  if (data.count === undefined && action !== 'EXPIRED') data.count = 1;
  data.message = describeUsage(action, data);
  return data;
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
  if (m) return { event: usageEvent(m[1] ?? '', m[2] ?? '', vendor) };
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
