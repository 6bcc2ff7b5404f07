// One `licmon` sub-command. Each lives in cli/commands/<name>.ts and is listed, with its name and
// summary, in cli/licmon.ts, which imports it only to run it. Imports nothing heavy: the dispatcher
// loads this for every run, `licmon --help` included.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit codes every command keeps, so scripts can rely on them. */
export const ExitCode = {
  OK: 0,
  /** The command ran but did not fully succeed (e.g. some input lines were rejected, the bus failed). */
  PARTIAL_FAILURE: 1,
  /** Bad usage or invalid input: nothing was done. */
  USAGE: 2,
  /** The gateway refused the API key (HTTP 401/403 at the upgrade, or closed 4401). */
  AUTH_REFUSED: 3,
  /** The gateway could not be reached, or not reached again, within the retries. */
  UNREACHABLE: 4,
} as const;

export interface Command {
  /** The full text of `licmon <name> --help`. */
  readonly usage: string;
  /** Run with the arguments after the command's name; resolves with the exit code. */
  run(args: string[]): Promise<number>;
}

/** Thrown for bad usage; the dispatcher prints it with the command's usage hint and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Thrown on `--help` / `-h` among a command's arguments; the dispatcher prints the command's usage and exits 0. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * A command's arguments parsed with node's parseArgs, `--help` / `-h` included for every command
 * (HelpRequested); what parseArgs rejects becomes a UsageError (exit 2).
 */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    // The result is typed by the command's own options: `help` is handled here, not by the command.
    parsed = parseArgs({ ...config, options: { ...config.options, ...HELP } }) as ReturnType<typeof parseArgs<T>>;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if ((parsed.values as { help?: boolean }).help) throw new HelpRequested();
  return parsed;
}
