// `licmon`: the command-line tool. A dispatcher only: each command is its own module, imported
// when it runs, so `licmon --help` loads none of them (nor Redis, zod or ws): ~60 ms compiled.
import { parseArgs } from 'node:util';
import { ExitCode, HelpRequested, UsageError, type Command } from './command.ts';

interface CommandEntry {
  readonly name: string;
  /** One line for `licmon --help`. */
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

const COMMANDS: readonly CommandEntry[] = [
  { name: 'publish', summary: 'validate log/metrics/alert messages and publish them to the bus (--json or --ndjson)', load: async () => (await import('./commands/publish.ts')).publishCommand },
  { name: 'keys', summary: 'create, list and revoke API keys (kept hashed in Redis)', load: async () => (await import('./commands/keys.ts')).keysCommand },
  { name: 'redis-acl', summary: 'print a Redis ACL file with least-privilege users for gateways, collectors and key admins', load: async () => (await import('./commands/redis-acl.ts')).redisAclCommand },
  { name: 'tail', summary: 'follow a gateway\'s logs, alerts and metrics live (coloured, or NDJSON with --json)', load: async () => (await import('./commands/tail.ts')).tailCommand },
  { name: 'who', summary: 'who holds a license feature now, per server (user, host, since, how long), through a gateway', load: async () => (await import('./commands/who.ts')).whoCommand },
  { name: 'usage', summary: 'a feature\'s peak, average, time at 100% and denials per server, from a gateway\'s usage history', load: async () => (await import('./commands/usage.ts')).usageCommand },
  { name: 'parse', summary: 'show what a collector would publish from lmstat, lmstat -i, rlmstat or debug-log text', load: async () => (await import('./commands/parse.ts')).parseCommand },
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'licmon — License Monitor streaming tools',
    '',
    'Usage: licmon <command> [options]      (npm run licmon -- <command> [options])',
    '       licmon --version',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `licmon <command> --help` for a command\'s options.',
    'Exit codes: 0 success, 1 partial failure (some input rejected, bus unavailable), 2 bad usage or invalid input,',
    '3 API key refused by the gateway, 4 gateway unreachable after retries.',
    '',
  ].join('\n');
}

/** The version in package.json, read only when asked (node:fs and the root path: nothing heavy). */
async function readVersion(): Promise<string> {
  const [{ readFileSync }, { PROJECT_ROOT }] = await Promise.all([import('node:fs'), import('../shared/paths.ts')]);
  return (JSON.parse(readFileSync(`${PROJECT_ROOT}/package.json`, 'utf8')) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } }, allowPositionals: true, strict: false });
  const [name, ...rest] = positionals;
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry && values.version) {
    process.stdout.write(`${await readVersion()}\n`);
    return ExitCode.OK;
  }
  if (name === 'help') {
    const about = COMMANDS.find((c) => c.name === rest[0]);
    process.stdout.write(about ? (await about.load()).usage : usage());
    return ExitCode.OK;
  }
  if (!entry) {
    if (values.help) {
      process.stdout.write(usage());
      return ExitCode.OK;
    }
    process.stderr.write(`${name ? `licmon: unknown command "${name}"\n\n` : ''}${usage()}`);
    return ExitCode.USAGE;
  }
  // The command parses its own options: pass everything after its name.
  const args = argv.slice(argv.indexOf(entry.name) + 1);
  const command = await entry.load();
  try {
    return await command.run(args);
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(command.usage);
      return ExitCode.OK;
    }
    // By name, not instanceof: shared/config.ts (and zod) load only with the commands that need it.
    if (err instanceof Error && err.name === 'ConfigError') {
      process.stderr.write(`licmon ${entry.name}: ${err.message}\n`);
      return ExitCode.USAGE;
    }
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`licmon ${entry.name}: ${err.message}\nRun \`licmon ${entry.name} --help\` for usage.\n`);
    return ExitCode.USAGE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`licmon: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = ExitCode.PARTIAL_FAILURE;
  },
);
