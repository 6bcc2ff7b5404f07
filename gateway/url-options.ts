// A connection's filter and metrics interval given on the URL, so that it is right from its first
// frame — with `since` on the URL too, a resuming client's replay starts at once, filtered, and
// nothing unfiltered ever reaches it first:
//
//     /ws/combined?api_key=K&level=error,warn&site=berlin&pattern=denied&interval=2000&since=…
//
// `level`, `source` and `site` take comma-separated lists; `pattern` is one string. The values
// are checked with the same schemas as the `subscribe` and `configure` actions. The current state
// a client may ask for at open rides along too: `lines=N` (the last N log lines per stream) and
// `active_alerts=1` (the alerts firing now), as the subscribe action's `lines` and `activeAlerts`.
import type { HttpRequest } from 'uWebSockets.js';
import { ActiveAlertsSchema, ErrorCode, FilterSchema, IntervalSchema, LinesSchema, type Filter } from '../shared/protocol/index.ts';
import type { CurrentStateRequest } from './current-state.ts';

/** The raw query values, read during the upgrade (uWS forbids touching the request later). */
export interface UrlOptionsText {
  readonly level?: string;
  readonly source?: string;
  readonly pattern?: string;
  readonly site?: string;
  readonly interval?: string;
  readonly lines?: string;
  readonly active_alerts?: string;
}

export type UrlOptions =
  | { readonly ok: true; readonly filter: Filter | null; readonly interval: number | undefined; readonly state: CurrentStateRequest }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

const FILTER_PARAMS = ['level', 'source', 'pattern', 'site'] as const;

export function readUrlOptions(req: HttpRequest): UrlOptionsText | undefined {
  let text: Record<string, string> | undefined;
  for (const name of [...FILTER_PARAMS, 'interval', 'lines', 'active_alerts'] as const) {
    const value = req.getQuery(name);
    if (value) (text ??= {})[name] = value;
  }
  return text;
}

export function parseUrlOptions(text: UrlOptionsText, minInterval: number, maxInterval: number): UrlOptions {
  let filter: Filter | null = null;
  if (FILTER_PARAMS.some((name) => text[name] !== undefined)) {
    const list = (value: string | undefined) => (value === undefined ? undefined : value.split(',').map((v) => v.trim()).filter(Boolean));
    const parsed = FilterSchema.safeParse({ level: list(text.level), source: list(text.source), pattern: text.pattern, site: list(text.site) });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, code: ErrorCode.INVALID_FILTER, message: `${String(issue?.path[0] ?? 'filter')} on the URL: ${issue?.message ?? 'invalid'}` };
    }
    filter = parsed.data;
  }
  let interval: number | undefined;
  if (text.interval !== undefined) {
    const parsed = IntervalSchema.safeParse(/^\d+$/.test(text.interval) ? Number(text.interval) : Number.NaN);
    if (!parsed.success || parsed.data < minInterval || parsed.data > maxInterval) {
      return { ok: false, code: ErrorCode.INVALID_INTERVAL, message: `interval on the URL must be a whole number of milliseconds between ${minInterval} and ${maxInterval}` };
    }
    interval = parsed.data;
  }
  const lines = text.lines === undefined ? undefined : LinesSchema.safeParse(/^\d{1,4}$/.test(text.lines) ? Number(text.lines) : Number.NaN);
  if (lines && !lines.success) return { ok: false, code: ErrorCode.INVALID_LINES, message: `lines on the URL: ${lines.error.issues[0]?.message ?? 'invalid'}` };
  const active = text.active_alerts === undefined ? undefined : ActiveAlertsSchema.safeParse(BOOLEAN_TEXT[text.active_alerts]);
  if (active && !active.success) return { ok: false, code: ErrorCode.INVALID_ACTIVE_ALERTS, message: 'active_alerts on the URL must be 1, 0, true or false' };
  return { ok: true, filter, interval, state: { lines: lines?.data ?? 0, activeAlerts: active?.data ?? false } };
}

const BOOLEAN_TEXT: Readonly<Record<string, boolean>> = { 1: true, true: true, 0: false, false: false };
