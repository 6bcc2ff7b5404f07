// `licmon`: the command-line tool. A dispatcher only: each command is its own module.
import { parseArgs } from 'node:util';
import { ConfigError } from '../shared/config.ts';
import { ExitCode, UsageError, type Command } from './command.ts';
import { keysCommand } from './commands/keys.ts';
import { parseCommand } from './commands/parse.ts';
import { publishCommand } from './commands/publish.ts';
import { redisAclCommand } from './commands/redis-acl.ts';
import { tailCommand } from './commands/tail.ts';

const COMMANDS: readonly Command[] = [publishCommand, keysCommand, redisAclCommand, tailCommand, parseCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'licmon — License Monitor streaming tools',
    '',
    'Usage: licmon <command> [options]      (npm run licmon -- <command> [options])',
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

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: false });
  const [name, ...rest] = positionals;
  const command = COMMANDS.find((c) => c.name === name);
  if (name === 'help') {
    const about = COMMANDS.find((c) => c.name === rest[0]);
    process.stdout.write(about ? about.usage : usage());
    return ExitCode.OK;
  }
  if (!command) {
    if (values.help) {
      process.stdout.write(usage());
      return ExitCode.OK;
    }
    process.stderr.write(`${name ? `licmon: unknown command "${name}"\n\n` : ''}${usage()}`);
    return ExitCode.USAGE;
  }
  // The command parses its own options: pass everything after its name.
  const args = argv.slice(argv.indexOf(command.name) + 1);
  try {
    return await command.run(args);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`licmon ${command.name}: ${err.message}\n`);
      return ExitCode.USAGE;
    }
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`licmon ${command.name}: ${err.message}\nRun \`licmon ${command.name} --help\` for usage.\n`);
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
