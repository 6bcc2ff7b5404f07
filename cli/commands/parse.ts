// `licmon parse <lmstat|lmstat-i|debuglog|rlmstat> [--file F]`: show exactly what a collector
// would publish from a license tool's output or a debug log — the same parsers, the same message
// builders — so an admin can see why a number looks wrong. Nothing is published.
import { readFile } from 'node:fs/promises';
import { AlertEngine } from '../../collector/alerts/alert-engine.ts';
import { MemoryAlertState } from '../../collector/alerts/alert-state.ts';
import { pollRules } from '../../collector/alerts/rules/poll-rules.ts';
import { AlertRulesSchema } from '../../collector/farm/alert-rules-config.ts';
import type { LicenseServerConfig } from '../../collector/farm/farm-config.ts';
import { loadFarmConfig } from '../../collector/farm/load-farm-config.ts';
import { serverMetrics } from '../../collector/license/server-metrics.ts';
import { parseDebugLog, toLogMessages } from '../../collector/parsers/debuglog.ts';
import { parseLmstat } from '../../collector/parsers/lmstat.ts';
import { parseLmstatI } from '../../collector/parsers/lmstat-i.ts';
import { parseRlmstat } from '../../collector/parsers/rlmstat.ts';
import { privateEvent } from '../../collector/privacy/private-event.ts';
import { PLAIN } from '../../collector/privacy/user-privacy.ts';
import type { LicenseServerStatus, UnparsedLine } from '../../collector/parsers/types.ts';
import { ExitCode, parseCommandArgs, UsageError, type Command } from '../command.ts';

const FORMATS = ['lmstat', 'lmstat-i', 'debuglog', 'rlmstat'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `Usage: licmon parse <lmstat|lmstat-i|debuglog|rlmstat> [--file F] [options]

Parse a license tool's output (or a FlexLM debug log) and print what a collector would
publish from it. Reads stdin unless --file is given. Nothing is published.

  lmstat     \`lmutil lmstat -a -c port@host\` output → the server's metrics message (JSON)
  rlmstat    \`rlmutil rlmstat -a -c port@host\` output → the server's metrics message (JSON)
  lmstat-i   \`lmutil lmstat -i -c port@host\` output → the license file's expiry table (JSON)
  debuglog   an lmgrd / vendor-daemon debug log → one log message per event (NDJSON)

Options:
  --file F         read F instead of stdin
  --server ID      the license server's id (default: taken from --config, else "license-server")
  --site NAME      its site (default: from --config)
  --config FILE    a farm configuration (default FARM_CONFIG): with --server, takes the server's
                   site, time zone, address, holders bound, privacy.users and the alert rules
                   from it
  --timezone TZ    the server clock's IANA zone, for debug-log times and start times
  --now ISO        the reference time for dates printed without a year (default: now)
  --alerts         lmstat/rlmstat: print the alerts a first poll would raise instead (NDJSON)
  --raw            print the parser's full result (per-user checkouts, unparsed lines)
  -h, --help       show this help

Lines the parser did not understand are listed on stderr.
Exit codes: 0 parsed; 1 some lines were not understood; 2 bad usage or unreadable input.

Examples:
  lmutil lmstat -a -c 27000@lic-01 | licmon parse lmstat --server flexlm-01 --site berlin
  licmon parse debuglog --file /var/log/flexlm/adskflex.log --timezone Europe/Berlin
`;

export const parseCommand: Command = {
  usage: USAGE,
  async run(args) {
    const { values, positionals } = options(args);
    const format = positionals[0] as Format;
    if (positionals.length !== 1 || !FORMATS.includes(format)) throw new UsageError(`name one format: ${FORMATS.join(', ')}`);
    const now = values.now === undefined ? new Date() : new Date(values.now);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now: not an ISO date: ${values.now}`);
    const text = await readInput(values.file);
    const server = await serverOf(values, format);
    const timeZone = values.timezone ?? server.timeZone;
    const parseOptions = { now, ...(timeZone !== undefined && { timeZone }) };
    const logOptions = { now: () => now, ...(timeZone !== undefined && { timeZone }) };

    if (format === 'lmstat-i') {
      const table = parseLmstatI(text);
      print(values.raw ? table : { expiries: table.expiries, error: table.error });
      return reportUnparsed(table.unparsed);
    }
    if (format === 'debuglog') {
      const parsed = parseDebugLog(text, logOptions);
      if (values.raw) print(parsed);
      else for (const message of toLogMessages(parsed.events.map((e) => privateEvent(e, server.privacy ?? PLAIN)), { server: server.id, ...(server.site !== undefined && { site: server.site }) })) process.stdout.write(`${JSON.stringify(message)}\n`);
      return reportUnparsed(parsed.unparsed);
    }
    const status: LicenseServerStatus = format === 'lmstat' ? parseLmstat(text, parseOptions) : parseRlmstat(text, parseOptions);
    // Not configured: the address is the one the output names (a triad's three hosts included).
    const hosts = server.hosts.length > 0 ? server.hosts : status.servers.map((s) => ({ host: s.host, port: s.port ?? 0 }));
    const identity = { ...server, timeZone, hosts, address: server.address || hosts.map((h) => `${h.port}@${h.host}`).join(',') };
    if (values.raw) print(status);
    else if (values.alerts) {
      const engine = new AlertEngine(new MemoryAlertState());
      for (const alert of await engine.evaluate(server.id, pollRules(identity, status, server.rules, now))) process.stdout.write(`${JSON.stringify(alert)}\n`);
    } else print(serverMetrics(identity, status, now.toISOString(), { durationMs: 0 }));
    return reportUnparsed(status.unparsed);
  },
};

function options(args: string[]) {
  return parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      file: { type: 'string' },
      server: { type: 'string' },
      site: { type: 'string' },
      config: { type: 'string' },
      timezone: { type: 'string' },
      now: { type: 'string' },
      alerts: { type: 'boolean' },
      raw: { type: 'boolean' },
    },
  });
}

type Values = ReturnType<typeof options>['values'];

/** Who the text is about: from the farm configuration when it names the server, else the options. */
async function serverOf(values: Values, format: Format) {
  const kind: LicenseServerConfig['kind'] = format === 'rlmstat' ? 'rlm' : 'flexlm';
  const configFile = values.config ?? process.env.FARM_CONFIG;
  const farm = configFile && values.server ? await loadFarmConfig(configFile) : undefined;
  const configured = farm?.servers.find((s) => s.id === values.server);
  if (farm && !configured) throw new UsageError(`no server "${values.server}" in ${configFile}`);
  return {
    id: values.server ?? 'license-server',
    site: values.site ?? configured?.site,
    kind: configured?.kind ?? kind,
    address: configured?.address ?? '',
    hosts: configured?.hosts ?? [],
    timeZone: configured?.timeZone,
    // As the collector publishes them: the farm's bound on holders and its privacy.users.
    holdersPerFeature: configured?.holdersPerFeature,
    privacy: configured?.privacy,
    rules: farm?.alerts ?? AlertRulesSchema.parse({}),
  };
}

async function readInput(file: string | undefined): Promise<string> {
  if (file !== undefined) {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--file: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function reportUnparsed(lines: readonly UnparsedLine[]): number {
  if (lines.length === 0) return ExitCode.OK;
  process.stderr.write(`${lines.length} line${lines.length === 1 ? '' : 's'} not understood:\n`);
  for (const { line, text } of lines) process.stderr.write(`  line ${line}: ${text}\n`);
  return ExitCode.PARTIAL_FAILURE;
}
