// Running a command against Redis: connect, work, close, and a clear message when Redis is away.
import { describeTarget, type RedisTarget } from '../shared/bus/redis-connection.ts';
import { ExitCode } from './command.ts';

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
