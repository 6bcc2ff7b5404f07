// One `licmon` sub-command. Each lives in cli/commands/<name>.ts and is listed in cli/licmon.ts.
import { describeTarget, type RedisTarget } from '../shared/bus/redis-connection.ts';

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
  readonly name: string;
  /** One line for `licmon --help`. */
  readonly summary: string;
  /** The full text of `licmon <name> --help`. */
  readonly usage: string;
  /** Run with the arguments after the command's name; resolves with the exit code. */
  run(args: string[]): Promise<number>;
}

/** Thrown for bad usage; the dispatcher prints it with the command's usage hint and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A Redis-backed client a command opens for one run (the bus, the key store). */
interface RedisResource {
  connect(): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Connects `client` (made for `target`), runs `work` with it and closes it, whatever `work` does.
 * When Redis cannot be reached, says so on stderr, naming the command and where it looked, and
 * resolves PARTIAL_FAILURE without running `work`.
 */
export async function withRedis<T extends RedisResource>(
  command: string,
  target: RedisTarget,
  client: T,
  work: (client: T) => Promise<number>,
): Promise<number> {
  try {
    await client.connect();
  } catch (err) {
    await client.close();
    process.stderr.write(`licmon ${command}: cannot reach Redis at ${describeTarget(target)}: ${err instanceof Error ? err.message : String(err)}\n`);
    return ExitCode.PARTIAL_FAILURE;
  }
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}
