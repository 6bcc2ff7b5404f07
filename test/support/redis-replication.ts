// A private master with replicas on free loopback ports (redis-server's --replicaof), for the
// tests and benches about replication; the Sentinel set (redis-sentinel.ts) builds on the same wait.
import { redisCommand, RedisServer } from './redis-server.ts';
import { waitUntilAsync } from './wait-until.ts';

/** Resolve once `count` replicas are connected to the master on `masterPort` and in sync. */
export async function waitForReplicas(masterPort: number, count: number): Promise<void> {
  await waitUntilAsync(async () => {
    const info = String(await redisCommand(masterPort, ['INFO', 'replication']));
    return (info.match(/^slave\d+:.*state=online/gm) ?? []).length === count;
  }, `${count} replicas in sync with 127.0.0.1:${masterPort}`, 20_000);
}

export class ReplicatedRedis {
  private constructor(readonly master: RedisServer, readonly replicas: readonly RedisServer[]) {}

  static async start(replicas = 1): Promise<ReplicatedRedis> {
    // Without the default 5 s pause a master takes before a diskless full sync (to gather replicas).
    const master = await RedisServer.start(['--repl-diskless-sync-delay', '0']);
    const set = new ReplicatedRedis(master, await Promise.all(Array.from({ length: replicas }, () => RedisServer.start(['--replicaof', '127.0.0.1', String(master.port)]))));
    try {
      await waitForReplicas(master.port, replicas);
    } catch (err) {
      await set.dispose();
      throw err;
    }
    return set;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.master, ...this.replicas].map((s) => s.dispose()));
  }
}
