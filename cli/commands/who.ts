// `licmon who <feature>`: who holds a feature now, per license server. It reads the servers'
// latest metrics snapshots from a gateway's /ws/metrics, as `licmon tail` does and through the
// same client SDK, rather than from Redis: the API key's site scope applies (a key of one site
// sees that site's holders only), and it needs no Redis credentials. A gateway sends every
// current snapshot the moment a connection opens, before it answers the client's first ping: so
// once the connection is live, everything there is to know has arrived, and `who` prints and exits.
import WebSocket from 'ws';
import { LicmonClient, endpointUrl } from '@licmon/client';
import { FilterSchema, MetricsMessageSchema, type Filter } from '../../shared/protocol/index.ts';
import { ExitCode, parseCommandArgs, UsageError, type Command } from '../command.ts';
import { EXIT_BY_CLOSE } from '../exit-on-close.ts';
import { formatWho, type ServerFeature } from '../who-format.ts';

const USAGE = `Usage: licmon who <feature> [--site S] [--server ID] [--json] [--url URL] [--api-key KEY]

Who holds a license feature now: per license server, each holder's user, host, display, since
when (in the server's time zone) and for how long, how many licenses, and linger or borrow
marks — longest-held first. Then the feature's reservations and queue. From the servers' latest
metrics snapshots, through a gateway; the API key's scope applies.

Options:
  --site S          only license servers of this site
  --server ID       only this license server (its id in the farm)
  --json            print [{server, site, timestamp, feature}] as JSON (the feature as published)
  --url URL         the gateway (default $LICMON_URL, else ws://localhost:8080)
  --api-key KEY     the API key (default $LICMON_API_KEY)
  --max-retries N   connection attempts in a row before giving up (default 3)
  -h, --help        show this help

User names are as the collectors publish them: under the farm's privacy.users a pseudonym
(hashed) or (hidden). "… N more" means the collector's holdersPerFeature bound cut the list.

Exit codes: 0 printed; 1 no server (that this key may see) reports the feature; 2 bad usage;
3 the key was refused; 4 the gateway could not be reached.

Examples:
  licmon who Maya_Complete --site berlin
  licmon who MATLAB --server matlab-austin --json | jq '.[].feature.holders[].user'
`;

export const whoCommand: Command = {
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseOptions(args);
    if (positionals.length !== 1 || positionals[0] === '') throw new UsageError('name one feature, e.g. licmon who Maya_Complete');
    const feature = positionals[0]!;
    const apiKey = values['api-key'] ?? process.env.LICMON_API_KEY;
    if (!apiKey) throw new UsageError('no API key: pass --api-key or set LICMON_API_KEY');
    let url: string;
    try {
      url = endpointUrl(values.url ?? process.env.LICMON_URL ?? 'ws://localhost:8080', 'metrics', 'metrics').url.href;
    } catch (err) {
      throw new UsageError(`--url: ${err instanceof Error ? err.message : String(err)}`);
    }
    const maxRetries = values['max-retries'] === undefined ? 3 : Number(values['max-retries']);
    if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new UsageError('--max-retries must be a whole number');

    const snapshots = await currentSnapshots(new LicmonClient({ url, apiKey, endpoint: 'metrics', filter: filterOf(values), maxRetries, WebSocket }));
    if (typeof snapshots === 'number') return snapshots;
    const found = holdersOf(feature, snapshots);
    if (found.length === 0) {
      process.stderr.write(`licmon who: no license server${values.site ? ` of site ${values.site}` : ''}${values.server ? ` named ${values.server}` : ''} reports feature "${feature}" (or this key may not see it)\n`);
      return ExitCode.PARTIAL_FAILURE;
    }
    process.stdout.write(values.json ? `${JSON.stringify(found, null, 2)}\n` : formatWho(found, Date.now()));
    return ExitCode.OK;
  },
};

/** The feature on every server snapshot that lists it, servers in name order. */
function holdersOf(feature: string, snapshots: readonly unknown[]): ServerFeature[] {
  const found: ServerFeature[] = [];
  for (const raw of snapshots) {
    const parsed = MetricsMessageSchema.safeParse(raw);
    // Roll-ups (site:…, farm) carry no `server` and no holders.
    if (!parsed.success || parsed.data.server === undefined) continue;
    const m = parsed.data;
    const f = m.features?.find((x) => x.name === feature);
    if (f) found.push({ server: m.server!, site: m.site, timestamp: m.timestamp, feature: f });
  }
  return found.sort((a, b) => a.server.localeCompare(b.server));
}

/** Connect, take the snapshots that arrive before the connection is live, close. An exit code when it could not. */
function currentSnapshots(client: LicmonClient): Promise<unknown[] | number> {
  const snapshots = new Map<string, unknown>();
  client.on('metrics', (m) => snapshots.set(`${m.site ?? ''}\n${m.source ?? ''}`, m));
  client.on('error', (e) => process.stderr.write(`licmon who: gateway error ${e.code}: ${e.message}\n`));
  return new Promise((resolve) => {
    let live = false;
    client.on('state', (change) => {
      if (change.state === 'live') {
        live = true;
        client.close();
      } else if (change.state === 'reconnecting') {
        process.stderr.write(`licmon who: connection failed; retrying (attempt ${change.attempt})\n`);
      } else if (change.state === 'closed') {
        resolve(live ? [...snapshots.values()] : failure(change.because ?? 'client'));
      }
    });
    client.connect();
  });
}

function failure(because: keyof typeof EXIT_BY_CLOSE): number {
  process.stderr.write(`licmon who: could not read the gateway's metrics (${because})\n`);
  return because === 'client' || because === 'server' ? ExitCode.UNREACHABLE : EXIT_BY_CLOSE[because];
}

function filterOf(values: { site?: string; server?: string }): Filter | null {
  const candidate = { ...(values.site !== undefined && { site: values.site }), ...(values.server !== undefined && { source: values.server }) };
  if (Object.keys(candidate).length === 0) return null;
  const parsed = FilterSchema.safeParse(candidate);
  if (!parsed.success) throw new UsageError(`--${parsed.error.issues[0]!.path[0] === 'source' ? 'server' : 'site'}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

function parseOptions(args: string[]) {
  return parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      site: { type: 'string' },
      server: { type: 'string' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
      'max-retries': { type: 'string' },
    },
  });
}
