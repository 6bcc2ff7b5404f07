// `licmon publish <log|metrics|alert> --json MSG | --ndjson`: publish messages to the bus at
// REDIS_URL exactly as a collector would — validated against the shared schema first.
import { createInterface } from 'node:readline';
import { validateStreamMessage } from '../../collector/validate-message.ts';
import { RedisBus, redisTarget, type PublishResult } from '../../shared/bus/index.ts';
import { CollectorConfigSchema, loadConfig } from '../../shared/config.ts';
import { STREAM_KINDS, type StreamKind, type StreamMessage } from '../../shared/protocol/index.ts';
import { ExitCode, parseCommandArgs, UsageError, type Command } from '../command.ts';
import { withRedis } from '../with-redis.ts';

/** Publishes awaiting Redis before reading more input: keeps memory flat on a fast pipe. */
const MAX_IN_FLIGHT = 1000;

const USAGE = `Usage: licmon publish <log|metrics|alert> (--json '<message>' | --ndjson)

Validate messages against the wire schema and publish them to the bus at REDIS_URL,
as a collector would.

Options:
  --json MESSAGE   publish one message, given as a JSON object
  --ndjson         read messages from stdin, one JSON object per line, and publish
                   each as it arrives; a bad line is reported on stderr with its
                   line number and skipped
  -h, --help       show this help

Each message's "type" is taken from the command when absent (and must match it when
present); "timestamp" defaults to now. For every message published, one line goes to
stdout: the id the bus assigned to a log or alert, or "-" for metrics (snapshots are
latest-value and have no id).

Environment:
  REDIS_URL          default redis://127.0.0.1:6379
  REDIS_CLUSTER_NODES, REDIS_SENTINELS, REDIS_SENTINEL_NAME   a Redis Cluster, or Sentinels, instead
  REDIS_KEY_PREFIX   default licmon

Exit codes: 0 every message published; 1 some --ndjson lines rejected, a publish failed
or Redis unreachable; 2 bad usage or an invalid --json message (nothing published).

Example:
  tail -f app.log | jq -c '{level, message, source: "app"}' | licmon publish log --ndjson
`;

export const publishCommand: Command = {
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseOptions(args);
    const kind = positionals[0];
    if (positionals.length !== 1 || !isStreamKind(kind)) throw new UsageError(`name one message type: ${STREAM_KINDS.join(', ')}`);
    if ((values.json === undefined) === !values.ndjson) throw new UsageError('give exactly one of --json MESSAGE or --ndjson');

    if (values.json !== undefined) {
      const prepared = prepare(values.json, kind);
      if (!prepared.ok) {
        process.stderr.write(`licmon publish: ${prepared.error}\n`);
        return ExitCode.USAGE;
      }
      return withBus(async (bus) => {
        process.stdout.write(`${shownId(await bus.publish(prepared.message))}\n`);
        return ExitCode.OK;
      });
    }
    return withBus((bus) => publishLines(bus, kind));
  },
};

function parseOptions(args: string[]) {
  return parseCommandArgs({ args, allowPositionals: true, options: { json: { type: 'string' }, ndjson: { type: 'boolean' } } });
}

async function publishLines(bus: RedisBus, kind: StreamKind): Promise<number> {
  let published = 0;
  let rejected = 0;
  let failed = 0;
  let pending = 0;
  // Ids are printed in input order, each as soon as its publish (and every earlier one) is acknowledged.
  let acknowledged: Promise<void> = Promise.resolve();
  let lineNo = 0;
  for await (const text of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const line = ++lineNo;
    if (text.trim() === '') continue;
    const prepared = prepare(text, kind);
    if (!prepared.ok) {
      rejected++;
      process.stderr.write(`line ${line}: ${prepared.error}\n`);
      continue;
    }
    const sent = bus.publish(prepared.message);
    pending++;
    acknowledged = acknowledged
      .then(() => sent)
      .then(
        (result) => {
          published++;
          process.stdout.write(`${shownId(result)}\n`);
        },
        (err: unknown) => {
          failed++;
          process.stderr.write(`line ${line}: publish failed: ${err instanceof Error ? err.message : String(err)}\n`);
        },
      )
      .finally(() => pending--);
    if (pending >= MAX_IN_FLIGHT) await acknowledged;
  }
  await acknowledged;
  process.stderr.write(`published ${published}${rejected ? `, rejected ${rejected}` : ''}${failed ? `, failed ${failed}` : ''}\n`);
  return rejected + failed === 0 ? ExitCode.OK : ExitCode.PARTIAL_FAILURE;
}

/** Parse one JSON message, fill in `type` and `timestamp`, and validate it. */
function prepare(text: string, kind: StreamKind): { ok: true; message: StreamMessage } | { ok: false; error: string } {
  let candidate: unknown;
  try {
    candidate = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return { ok: false, error: 'a message must be a JSON object' };
  const fields = candidate as Record<string, unknown>;
  if (fields.type !== undefined && fields.type !== kind) return { ok: false, error: `type: ${JSON.stringify(fields.type)} does not match the command's "${kind}"` };
  const validation = validateStreamMessage({ ...fields, type: kind, timestamp: fields.timestamp ?? new Date().toISOString() });
  return validation.ok ? validation : { ok: false, error: `invalid ${kind} message: ${validation.error}` };
}

async function withBus(work: (bus: RedisBus) => Promise<number>): Promise<number> {
  const config = loadConfig(CollectorConfigSchema.pick({ REDIS_URL: true, REDIS_CLUSTER_NODES: true, REDIS_SENTINELS: true, REDIS_SENTINEL_NAME: true, REDIS_KEY_PREFIX: true, HISTORY_LENGTH: true, HISTORY_MAX_AGE_MS: true }));
  const target = redisTarget(config);
  const bus = new RedisBus({ ...target, prefix: config.REDIS_KEY_PREFIX, historyLength: config.HISTORY_LENGTH, historyMaxAgeMs: config.HISTORY_MAX_AGE_MS });
  return withRedis('publish', target, bus, work);
}

function shownId(result: PublishResult): string {
  return result.id ?? '-';
}

function isStreamKind(value: string | undefined): value is StreamKind {
  return (STREAM_KINDS as readonly string[]).includes(value ?? '');
}
