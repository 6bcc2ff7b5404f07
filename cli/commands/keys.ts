// `licmon keys create|list|revoke`: manage the API keys kept (hashed) in Redis. Every gateway on
// the same Redis and prefix accepts a key as soon as it is created, and closes its connections
// within a second of its revocation.
import { API_KEY_ENDPOINTS, isExpired, KeyNameSchema, type ApiKeyEndpoint, type ApiKeyRecord } from '../../shared/auth/api-key.ts';
import { KeyNameTakenError, KeyStore } from '../../shared/auth/key-store.ts';
import { redisTarget } from '../../shared/bus/redis-connection.ts';
import { GatewayConfigSchema, loadConfig } from '../../shared/config.ts';
import { SITE_NAME_RE } from '../../shared/protocol/index.ts';
import { ExitCode, parseCommandArgs, UsageError, type Command } from '../command.ts';
import { withRedis } from '../with-redis.ts';
import { DURATION_HINT, DurationError, parseDuration } from '../../shared/duration.ts';

const USAGE = `Usage: licmon keys <create|list|revoke> [options]

Manage the API keys gateways accept, kept in Redis at REDIS_URL as SHA-256 digests (never the
keys themselves).

  licmon keys create --name NAME [--sites a,b] [--endpoints logs,metrics,combined] [--expires 30d]
      Create a key and print it once, alone on the last line: store it now, it cannot be shown
      again. Without --sites the key sees every site; with them, only those sites' messages
      (never site-less ones). Without --endpoints it may open every endpoint; "combined" is an
      endpoint of its own. --expires takes a duration (1500ms, 90s, 1.5h, 30d, 2w) or an ISO date.
  licmon keys list [--json]
      Every key: name, created, expires, status (active or expired), endpoints, sites.
  licmon keys revoke NAME
      Delete the key; every gateway closes its connections (close code 4401) within a second.

Environment:
  REDIS_URL          default redis://127.0.0.1:6379 (an ACL user with key-admin rights)
  REDIS_CLUSTER_NODES, REDIS_SENTINELS, REDIS_SENTINEL_NAME   a Redis Cluster, or Sentinels, instead
  REDIS_KEY_PREFIX   default licmon

Exit codes: 0 done; 1 no key has that name, or Redis unreachable; 2 bad usage (nothing done).
`;

export const keysCommand: Command = {
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseOptions(args);
    const [action, ...rest] = positionals;
    switch (action) {
      case 'create': {
        if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
        const now = Date.now();
        const spec = createSpec(values, now);
        return withStore(async (store) => {
          try {
            const { key, record } = await store.create(spec, now);
            process.stdout.write(`Created API key "${record.name}": ${describe(record)}.\nShown once: store it now.\n${key}\n`);
            return ExitCode.OK;
          } catch (err) {
            if (!(err instanceof KeyNameTakenError)) throw err;
            throw new UsageError(err.message);
          }
        });
      }
      case 'list':
        if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
        return withStore(async (store) => {
          const records = await store.list();
          process.stdout.write(values.json ? `${JSON.stringify(records.map(asJson), null, 2)}\n` : table(records));
          return ExitCode.OK;
        });
      case 'revoke': {
        if (rest.length !== 1) throw new UsageError('name the one key to revoke: licmon keys revoke NAME');
        const name = rest[0]!;
        return withStore(async (store) => {
          if (await store.revoke(name)) {
            process.stdout.write(`Revoked API key "${name}": gateways are closing its connections.\n`);
            return ExitCode.OK;
          }
          process.stderr.write(`licmon keys: no key named "${name}"\n`);
          return ExitCode.PARTIAL_FAILURE;
        });
      }
      default:
        throw new UsageError(action ? `unknown action "${action}"; expected create, list or revoke` : 'name an action: create, list or revoke');
    }
  },
};

type Values = ReturnType<typeof parseOptions>['values'];

function parseOptions(args: string[]) {
  return parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      sites: { type: 'string' },
      endpoints: { type: 'string' },
      expires: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
}

function createSpec(values: Values, now: number) {
  const name = KeyNameSchema.safeParse(values.name ?? '');
  if (!name.success) throw new UsageError(values.name === undefined ? '--name is required' : `--name: ${name.error.issues[0]?.message}`);
  const sites = values.sites === undefined ? null : splitList(values.sites, '--sites');
  for (const site of sites ?? []) if (!SITE_NAME_RE.test(site)) throw new UsageError(`--sites: "${site}" is not a valid site name`);
  const endpoints = values.endpoints === undefined ? null : splitList(values.endpoints, '--endpoints');
  for (const endpoint of endpoints ?? []) {
    if (!(API_KEY_ENDPOINTS as readonly string[]).includes(endpoint)) throw new UsageError(`--endpoints: "${endpoint}" is not one of ${API_KEY_ENDPOINTS.join(', ')}`);
  }
  return { name: name.data, sites, endpoints: endpoints as ApiKeyEndpoint[] | null, expiresAt: values.expires === undefined ? null : expiry(values.expires, now) };
}

function splitList(text: string, option: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`${option}: give at least one value`);
  return items;
}

function expiry(text: string, now: number): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const date = Date.parse(text);
    if (Number.isNaN(date)) throw new UsageError(`--expires: "${text}" is not a valid ISO date`);
    if (date <= now) throw new UsageError(`--expires: ${text} is in the past`);
    return date;
  }
  let duration: number;
  try {
    duration = parseDuration(text);
  } catch (err) {
    if (!(err instanceof DurationError)) throw err;
    throw new UsageError(`--expires: "${text}" is neither an ISO date nor a duration: ${DURATION_HINT}`);
  }
  if (duration <= 0) throw new UsageError(`--expires: "${text}" is no time at all: give a duration over 0 or a future date`);
  return now + duration;
}

function describe(record: ApiKeyRecord): string {
  return [
    `endpoints ${record.endpoints?.join(', ') ?? 'all'}`,
    `sites ${record.sites?.join(', ') ?? 'all'}`,
    record.expiresAt === null ? 'never expires' : `expires ${new Date(record.expiresAt).toISOString()}`,
  ].join('; ');
}

function asJson(record: ApiKeyRecord) {
  return {
    name: record.name,
    createdAt: new Date(record.createdAt).toISOString(),
    expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
    status: isExpired(record) ? 'expired' : 'active',
    endpoints: record.endpoints,
    sites: record.sites,
  };
}

function table(records: ApiKeyRecord[]): string {
  if (records.length === 0) return 'No API keys in the key store.\n';
  const rows = records.map(asJson).map((r) => [r.name, r.createdAt, r.expiresAt ?? 'never', r.status, r.endpoints?.join(',') ?? 'all', r.sites?.join(',') ?? 'all']);
  const all = [['NAME', 'CREATED', 'EXPIRES', 'STATUS', 'ENDPOINTS', 'SITES'], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return `${all.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')}\n`;
}

async function withStore(work: (store: KeyStore) => Promise<number>): Promise<number> {
  const config = loadConfig(GatewayConfigSchema.pick({ REDIS_URL: true, REDIS_CLUSTER_NODES: true, REDIS_SENTINELS: true, REDIS_SENTINEL_NAME: true, REDIS_KEY_PREFIX: true }));
  const target = redisTarget(config);
  return withRedis('keys', target, new KeyStore({ ...target, prefix: config.REDIS_KEY_PREFIX }), work);
}
