// `licmon tail`: follow a gateway's stream from a terminal, through the client SDK — so it
// reconnects with backoff and resumes where it left off, never showing a line twice.
// Messages go to stdout (aligned and coloured, or NDJSON with --json); status goes to stderr.
import WebSocket from 'ws';
import {
  ENDPOINT_NAMES, LicmonClient, endpointUrl, parseMessageId, type EndpointName, type StateChange,
} from '@licmon/client';
// The CLI validates what it prints against the protocol's schemas (the SDK ships types, not zod).
import {
  AlertMessageSchema, closeCodeEntry, ErrorCode, FilterSchema, LogMessageSchema, MAX_LINES, MetricsMessageSchema,
  type ErrorMessage, type Filter,
} from '../../shared/protocol/index.ts';
import { ExitCode, parseCommandArgs, UsageError, type Command } from '../command.ts';
import { EXIT_BY_CLOSE } from '../exit-on-close.ts';
import { TailFormatter, useColor } from '../tail-format.ts';

const USAGE = `Usage: licmon tail [--url URL] [--api-key KEY] [--endpoint logs|metrics|combined]
                   [--level LIST] [--source S] [--pattern P] [--site LIST] [--interval MS]
                   [--since IDS] [-n N] [--active-alerts] [--json] [--max-retries N]

Follow a gateway's stream live: one line per log, alert or metrics snapshot. Reconnects with
backoff when the connection drops and resumes where it left off: no line lost, none repeated.

Options:
  --url URL          the gateway (default $LICMON_URL, else ws://localhost:8080); wss:// for TLS;
                     a full endpoint URL (ws://host:8080/ws/logs) also works
  --api-key KEY      the API key (default $LICMON_API_KEY)
  --endpoint NAME    logs (default), metrics, or combined (logs, alerts and metrics)
  --level LIST       only these levels, comma-separated: debug,info,warn,error,critical
  --source LIST      only these sources, comma-separated (on metrics: these servers' snapshots)
  --pattern TEXT     only messages matching TEXT (case-insensitive)
  --site LIST        only these sites, comma-separated
  --interval MS      metrics every MS milliseconds (metrics and combined)
  --since IDS        start after these ids (the last seen per stream, comma-separated) instead
                     of live; tail prints the value to resume with when it stops
  -n, --lines N      start with the last N lines (0-1000) of each site from history, like
                     tail -n, then follow (logs and combined)
  --active-alerts    start with the alerts firing now, marked ALERT ACTIVE (combined only)
  --json             print every message exactly as received, one JSON object per line (for jq)
  --max-retries N    reconnect attempts in a row before giving up (default 10)
  -h, --help         show this help

Output: time, level, site, source and message, aligned; alerts are marked ALERT FIRING or
ALERT RESOLVED with their rule; metrics snapshots are summarized on one line. Colours on a
terminal only (NO_COLOR=1 turns them off, FORCE_COLOR=1 on). Connection status goes to stderr.

Exit codes: 0 stopped (Ctrl-C, SIGTERM) or closed normally by the gateway; 2 bad usage, or the
gateway rejected the filter, interval, since, lines or active alerts; 3 the key was refused (HTTP 401/403, or closed
with 4401); 4 could not connect, or the connection could not be restored, after the retries
(or no such endpoint).

Examples:
  licmon tail --level error,warn --pattern denied
  licmon tail -n 50 --site berlin
  licmon tail --endpoint combined --active-alerts --level error,critical
  licmon tail --endpoint combined --site berlin --json | jq -c 'select(.type == "alert")'
`;

/** Gateway errors that mean our own request was wrong: retrying cannot help. */
const REQUEST_ERRORS: ReadonlySet<string> = new Set([ErrorCode.INVALID_FILTER, ErrorCode.INVALID_INTERVAL, ErrorCode.INVALID_SINCE, ErrorCode.INVALID_LINES, ErrorCode.INVALID_ACTIVE_ALERTS]);

export const tailCommand: Command = {
  usage: USAGE,
  run(args) {
    const { values } = parseOptions(args);
    const apiKey = values['api-key'] ?? process.env.LICMON_API_KEY;
    if (!apiKey) throw new UsageError('no API key: pass --api-key or set LICMON_API_KEY');
    const endpoint = values.endpoint;
    if (endpoint !== undefined && !isEndpoint(endpoint)) throw new UsageError(`--endpoint must be one of ${ENDPOINT_NAMES.join(', ')}`);
    let target: ReturnType<typeof endpointUrl>;
    try {
      target = endpointUrl(values.url ?? process.env.LICMON_URL ?? 'ws://localhost:8080', endpoint, 'logs');
    } catch (err) {
      throw new UsageError(`--url: ${err instanceof Error ? err.message : String(err)}`);
    }
    const options = {
      url: target.url.href,
      apiKey,
      endpoint: target.endpoint,
      filter: buildFilter(values),
      interval: wholeNumber(values.interval, '--interval'),
      since: checkSince(values.since),
      lines: checkLines(values.lines),
      activeAlerts: values['active-alerts'] === true,
      maxRetries: wholeNumber(values['max-retries'], '--max-retries'),
    };
    return follow(new LicmonClient({ ...options, WebSocket }), target.url.href, values.json === true);
  },
};

function parseOptions(args: string[]) {
  return parseCommandArgs({
    args,
    options: {
      url: { type: 'string' },
      'api-key': { type: 'string' },
      endpoint: { type: 'string' },
      level: { type: 'string' },
      source: { type: 'string' },
      pattern: { type: 'string' },
      site: { type: 'string' },
      interval: { type: 'string' },
      since: { type: 'string' },
      lines: { type: 'string', short: 'n' },
      'active-alerts': { type: 'boolean' },
      json: { type: 'boolean' },
      'max-retries': { type: 'string' },
    },
  });
}

/** Run the client until it closes for good or we are stopped; resolves with the exit code. */
function follow(client: LicmonClient, shownUrl: string, json: boolean): Promise<number> {
  const formatter = new TailFormatter(useColor(process.stdout, process.env));
  const status = (text: string) => process.stderr.write(`licmon tail: ${text}\n`);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let exitCode: number | undefined;

  if (json) {
    client.on('log', (_m, raw) => out(raw));
    client.on('alert', (_m, raw) => out(raw));
    client.on('metrics', (_m, raw) => out(raw));
  } else {
    // Frames are checked against the schema before formatting; one that does not fit is shown raw.
    client.on('log', (m, raw) => out(LogMessageSchema.safeParse(m).success ? formatter.log(m) : raw));
    client.on('alert', (m, raw) => out(AlertMessageSchema.safeParse(m).success ? formatter.alert(m) : raw));
    client.on('metrics', (m, raw) => out(MetricsMessageSchema.safeParse(m).success ? formatter.metrics(m) : raw));
  }
  client.on('error', (message: ErrorMessage, raw) => {
    if (json) out(raw);
    status(`gateway error ${message.code}: ${message.message}`);
    if (REQUEST_ERRORS.has(message.code)) {
      exitCode = ExitCode.USAGE;
      client.close();
    }
  });

  return new Promise((resolve) => {
    const stop = () => client.close();
    // A reader that went away (`| head`) is a normal way to stop.
    process.stdout.on('error', stop);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    client.on('state', (change) => {
      status(describe(change, shownUrl, client));
      if (change.state !== 'closed') return;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (client.since) status(`to continue from here: --since ${client.since}`);
      const code = exitCode ?? EXIT_BY_CLOSE[change.because ?? 'client'];
      resolve(code);
      // A closing handshake with a gateway that no longer answers could hold the process for
      // ws's 30 s close timeout: exit anyway soon after (unref'd: only if something still runs).
      setTimeout(() => process.exit(code), 1000).unref();
    });
    client.connect();
  });
}

function describe(change: StateChange, url: string, client: LicmonClient): string {
  const closed = change.code === undefined ? '' : `${change.httpStatus ? `HTTP ${change.httpStatus}` : `${change.code}`}${change.reason ? ` ${change.reason}` : closeMeaning(change.code)}`;
  switch (change.state) {
    case 'connecting':
      return `connecting to ${url}`;
    case 'live':
      return 'live';
    case 'resumed':
      return `reconnected; resumed after ${client.since ?? 'nothing yet'}`;
    case 'reconnecting':
      return `disconnected (${closed}); reconnecting in ${((change.delay ?? 0) / 1000).toFixed(1)}s (attempt ${change.attempt})`;
    case 'closed':
      return `closed${closed ? ` (${closed})` : ''}${change.because === 'retries-exhausted' ? ': gave up reconnecting' : ''}`;
  }
}

function closeMeaning(code: number): string {
  const entry = closeCodeEntry(code);
  return entry ? ` ${entry.reason}` : '';
}

function buildFilter(values: { level?: string; source?: string; pattern?: string; site?: string }): Filter | null {
  const list = (text: string | undefined) => text?.split(',').map((s) => s.trim()).filter(Boolean);
  const candidate = Object.fromEntries(
    Object.entries({ level: list(values.level), source: list(values.source), pattern: values.pattern, site: list(values.site) }).filter(([, v]) => v !== undefined),
  );
  if (Object.keys(candidate).length === 0) return null;
  const parsed = FilterSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--${String(issue.path[0] ?? 'filter')}: ${issue.message}`);
  }
  return parsed.data;
}

function checkSince(since: string | undefined): string | undefined {
  if (since === undefined) return undefined;
  const bad = since.split(',').find((id) => parseMessageId(id.trim()) === undefined);
  if (bad !== undefined) throw new UsageError(`--since: "${bad}" is not a message id (expected <stream>:<ms>-<seq>, as in a message's "id")`);
  return since;
}

function checkLines(text: string | undefined): number | undefined {
  const lines = wholeNumber(text, '--lines');
  if (lines !== undefined && lines > MAX_LINES) throw new UsageError(`--lines: at most ${MAX_LINES} lines per site`);
  return lines;
}

function wholeNumber(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`${option} must be a whole number`);
  return Number(text);
}

function isEndpoint(name: string): name is EndpointName {
  return (ENDPOINT_NAMES as readonly string[]).includes(name);
}
