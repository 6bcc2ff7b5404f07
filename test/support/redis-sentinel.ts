// A private Redis with Sentinel failover on free loopback ports, for tests: one master, two
// replicas and three Sentinels (quorum 2), no persistence. The Sentinels judge a master down after
// 1 s without an answer, so a kill -9 is followed by a promotion within a few seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, redisCommand, RedisServer } from './redis-server.ts';
import { waitUntilAsked } from './wait-until.ts';

export const SENTINEL_MASTER_NAME = 'licmon-test';
const DOWN_AFTER_MS = 1000;

/** One Sentinel process: redis-server in sentinel mode, with a config file of its own (it rewrites it). */
class Sentinel {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'licmon-sentinel-'));

  constructor(readonly port: number) {}

  async start(masterPort: number): Promise<void> {
    const config = join(this.dir, 'sentinel.conf');
    writeFileSync(config, [
      `port ${this.port}`,
      'bind 127.0.0.1',
      `dir ${this.dir}`,
      `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} ${DOWN_AFTER_MS}`,
      `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 5000`,
      `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 2`,
      '',
    ].join('\n'));
    const child = spawn('redis-server', [config, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-sentinel did not start: ${out}`)), 10_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('+monitor master')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('error', (err) => { clearTimeout(timer); reject(err); });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-sentinel exited with ${code}: ${out}`)); });
    });
    child.stdout!.resume();
  }

  async dispose(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class RedisSentinelSet {
  private constructor(readonly servers: readonly RedisServer[], private readonly sentinels: readonly Sentinel[]) {}

  static async start(): Promise<RedisSentinelSet> {
    const master = await RedisServer.start();
    const replicas = await Promise.all([0, 1].map(async () => RedisServer.start(['--replicaof', '127.0.0.1', String(master.port)])));
    const sentinels = await Promise.all([0, 1, 2].map(async () => new Sentinel(await freePort())));
    const set = new RedisSentinelSet([master, ...replicas], sentinels);
    try {
      await set.waitForReplicas(master.port, 2);
      await Promise.all(sentinels.map((sentinel) => sentinel.start(master.port)));
      // Each Sentinel must know the replicas (learnt from the master's INFO) before it can promote one.
      await waitUntilAsked(async () => (await Promise.all(sentinels.map((s) => set.askSentinel(s.port, 'REPLICAS')))).every((r) => (r as unknown[]).length === 2), 'every Sentinel to know both replicas');
    } catch (err) {
      await set.dispose();
      throw err;
    }
    return set;
  }

  /** `host:port` of every Sentinel: the value of REDIS_SENTINELS. */
  get addresses(): string[] {
    return this.sentinels.map((s) => `127.0.0.1:${s.port}`);
  }

  /** The port of the master the Sentinels name now. */
  async masterPort(): Promise<number> {
    const [, port] = (await this.askSentinel(this.sentinels[0]!.port, 'GET-MASTER-ADDR-BY-NAME')) as [string, string];
    return Number(port);
  }

  async master(): Promise<RedisServer> {
    const port = await this.masterPort();
    return this.servers.find((s) => s.port === port)!;
  }

  async replicas(): Promise<RedisServer[]> {
    const port = await this.masterPort();
    return this.servers.filter((s) => s.port !== port && s.running);
  }

  /** kill -9 the master; resolves with it, once the Sentinels have promoted a replica in its place. */
  async killMaster(): Promise<RedisServer> {
    const old = await this.master();
    await old.stop(true);
    await this.waitForNewMaster(old.port);
    return old;
  }

  /**
   * Start a killed server again on its port: the Sentinels turn it into a replica of the current
   * master. Resolves once every running server other than the master replicates it, in sync.
   */
  async rejoin(server: RedisServer): Promise<void> {
    await server.start();
    await waitUntilAsked(async () => {
      const master = await this.masterPort();
      const replicas = this.servers.filter((s) => s.running && s.port !== master).length;
      const info = String(await redisCommand(master, 'INFO', 'replication'));
      return (info.match(/^slave\d+:.*state=online/gm) ?? []).length === replicas;
    }, `127.0.0.1:${server.port} to replicate the master again`, 30_000);
  }

  /** A manual failover (`SENTINEL FAILOVER`): the master hands over to a replica, nothing is killed. */
  async failover(): Promise<void> {
    const old = await this.masterPort();
    await this.askSentinel(this.sentinels[0]!.port, 'FAILOVER');
    await this.waitForNewMaster(old);
  }

  /** Resolve once every replica still running has every write the master took so far. */
  async waitForReplication(): Promise<void> {
    const replicas = (await this.replicas()).length;
    const acked = Number(await redisCommand(await this.masterPort(), 'WAIT', String(replicas), '10000'));
    if (acked < replicas) throw new Error(`only ${acked} of ${replicas} replicas acknowledged the master's writes`);
  }

  /** Close the master's connections to its replicas (they reconnect by themselves, unless frozen). */
  async cutReplicationLinks(): Promise<void> {
    await redisCommand(await this.masterPort(), 'CLIENT', 'KILL', 'TYPE', 'replica');
  }

  /** Resolve once the Sentinels name a master other than `oldPort`, and it says it is one. */
  async waitForNewMaster(oldPort: number): Promise<void> {
    await waitUntilAsked(async () => {
      const port = await this.masterPort();
      if (port === oldPort) return false;
      return (await this.roleOf(port)) === 'master';
    }, `a replica to be promoted in place of 127.0.0.1:${oldPort}`, 30_000);
  }

  private async waitForReplicas(masterPort: number, count: number): Promise<void> {
    await waitUntilAsked(async () => {
      const info = String(await redisCommand(masterPort, 'INFO', 'replication'));
      return (info.match(/^slave\d+:.*state=online/gm) ?? []).length === count;
    }, `${count} replicas in sync with 127.0.0.1:${masterPort}`);
  }

  private async roleOf(port: number): Promise<string | undefined> {
    try {
      return String(((await redisCommand(port, 'ROLE')) as unknown[])[0]);
    } catch {
      return undefined;
    }
  }

  private askSentinel(port: number, ...args: string[]): Promise<unknown> {
    return redisCommand(port, 'SENTINEL', args[0]!, SENTINEL_MASTER_NAME, ...args.slice(1));
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.sentinels.map((s) => s.dispose()), ...this.servers.map((s) => s.dispose())]);
  }
}
