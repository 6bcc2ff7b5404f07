// `licmon usage <feature>`: what a feature's history says, per license server — its peak and
// when, its average, time at 100% and denials over the last --since — read from a gateway's
// GET /api/usage through the client SDK (so it sees exactly what the key may see).
import { fetchUsage, UsageRequestError, type UsageResponse, type UsageSummary } from '@licmon/client';
import { DurationError, parseDuration } from '../../shared/duration.ts';
import { ExitCode, parseCommandArgs, UsageError, type Command } from '../command.ts';

const USAGE = `Usage: licmon usage <feature> [--site LIST] [--since 24h] [--json] [--url URL] [--api-key KEY]

A feature's usage history, per license server: the peak in use (of how many issued) and when it
was reached, the average in use, time spent with every license in use (at 100%), and denials.
The last line sums the servers (the peak of their pooled use).

Options:
  --site LIST      only these sites, comma-separated (default: every site the key may see)
  --since DUR      how far back: a number with m, h, d or w (default 24h; collectors keep 7d)
  --json           print the gateway's answer (GET /api/usage, with its buckets) as JSON
  --url URL        the gateway (default $LICMON_URL, else http://localhost:8080; ws:// works too)
  --api-key KEY    an API key with the metrics or combined scope (default $LICMON_API_KEY)
  -h, --help       show this help

Exit codes: 0 answered; 2 bad usage or a query the gateway refused; 3 the key was refused;
4 the gateway could not be reached.

Example:
  licmon usage Spectre_XPS --site berlin --since 7d
`;

export const usageCommand: Command = {
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseOptions(args);
    const [feature, ...extra] = positionals;
    if (!feature) throw new UsageError('name the feature: licmon usage <feature>');
    if (extra.length > 0) throw new UsageError(`one feature at a time (also got ${extra.join(' ')})`);
    const apiKey = values['api-key'] ?? process.env.LICMON_API_KEY;
    if (!apiKey) throw new UsageError('no API key: pass --api-key or set LICMON_API_KEY');
    let sinceMs: number;
    try {
      sinceMs = parseDuration(values.since ?? '24h');
    } catch (err) {
      if (err instanceof DurationError) throw new UsageError(`--since: ${err.message}`);
      throw err;
    }
    if (sinceMs < 60_000) throw new UsageError('--since: at least 1m (history is kept per minute)');
    const url = values.url ?? process.env.LICMON_URL ?? 'http://localhost:8080';
    const now = Date.now();
    let answer: UsageResponse;
    try {
      answer = await fetchUsage({ url, apiKey, feature, from: now - sinceMs, to: now, ...(values.site !== undefined && { site: values.site.split(',').map((s) => s.trim()).filter(Boolean) }) });
    } catch (err) {
      return failed(err, url);
    }
    process.stdout.write(values.json ? `${JSON.stringify(answer)}\n` : renderTable(answer));
    return ExitCode.OK;
  },
};

function parseOptions(args: string[]) {
  return parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      site: { type: 'string' },
      since: { type: 'string' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
    },
  });
}

function failed(err: unknown, url: string): number {
  if (err instanceof UsageRequestError) {
    process.stderr.write(`licmon usage: ${err.code}: ${err.message}\n`);
    if (err.status === 401 || err.status === 403) return ExitCode.AUTH_REFUSED;
    return err.status === 400 ? ExitCode.USAGE : ExitCode.PARTIAL_FAILURE;
  }
  if (err instanceof TypeError && /url must be/.test(err.message)) throw new UsageError(`--url: ${err.message}`);
  process.stderr.write(`licmon usage: cannot reach the gateway at ${url}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}\n`);
  return ExitCode.UNREACHABLE;
}

/** One row per server, then the pooled total, aligned. */
export function renderTable(answer: UsageResponse): string {
  const header = ['site', 'server', 'peak', 'at', 'average', 'at 100%', 'denials'];
  const row = (site: string, server: string, s: UsageSummary) => [
    site, server,
    s.peak ? `${s.peak.used}${s.peak.issued !== null ? ` of ${s.peak.issued}` : ''}` : '—',
    s.peak ? new Date(s.peak.at).toISOString().slice(0, 16).replace('T', ' ') : '—',
    String(s.avg), formatSpan(s.fullMs), String(s.denials),
  ];
  const range = `${new Date(answer.from).toISOString().slice(0, 16).replace('T', ' ')} – ${new Date(answer.to).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  if (answer.series.length === 0) return `${answer.feature}: no history in ${range} (no collector recorded it, or the key may not see its sites)\n`;
  const rows = [header, ...answer.series.map((s) => row(s.site, s.server, s.summary)), row('all', '', answer.summary)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i >= 2 && i !== 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  return `${answer.feature}, ${range}\n${lines.join('\n')}\n`;
}

/** 0, 45s, 12m, 3h 05m. */
function formatSpan(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m` : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
