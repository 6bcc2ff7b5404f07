// What docker-compose.yml's sentinel profile runs — deploy/redis/redis.conf on every data node,
// deploy/redis/sentinel.conf on three Sentinels, deploy/redis/users.acl everywhere — run with
// Debian's redis-server on loopback: the replicas sync as licmon-replica, the Sentinels monitor as
// licmon-sentinel (find the replicas and each other, hand a client the master by name) and fail
// over, and no node refuses them a command. The files are used as shipped but for the compose
// service name `redis`, which becomes `localhost`, and the ports, which become free ones.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aclUser, DEV_ACL_PASSWORDS } from '../../shared/auth/redis-acl.ts';
import { createRedisClient, type RedisClient } from '../../shared/bus/redis-connection.ts';
import { ROOT } from '../support/processes.ts';
import { directive } from '../support/redis-conf.ts';
import { Sentinel } from '../support/redis-sentinel.ts';
import { freePort, redisCommand, RedisServer } from '../support/redis-server.ts';
import { waitUntilAsync } from '../support/wait-until.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const SENTINEL_CONF = read('deploy/redis/sentinel.conf');
const MONITOR = directive(SENTINEL_CONF, 'sentinel', 'monitor') ?? [];
const [MASTER_NAME = '', , , QUORUM] = MONITOR;
/** A user of this test only (appended to the shipped file): it reads the nodes' state and ACL log. */
const OBSERVER = { username: 'licmon-test-observer', password: 'observer' };
const as = (role: 'replica' | 'sentinel') => ({ username: aclUser(role), password: DEV_ACL_PASSWORDS[role] });

const dir = mkdtempSync(join(tmpdir(), 'licmon-sentinel-config-'));
let nodes: RedisServer[] = [];
let sentinels: Sentinel[] = [];
let client: RedisClient | undefined;

const askSentinel = (sentinel: Sentinel, ...args: string[]) => redisCommand(sentinel.port, ['SENTINEL', args[0]!, MASTER_NAME, ...args.slice(1)]);
const onlineReplicas = async (node: RedisServer) => (String(await redisCommand(node.port, ['INFO', 'replication'], OBSERVER)).match(/^slave\d+:.*state=online/gm) ?? []).length;

beforeAll(async () => {
  const aclFile = join(dir, 'users.acl');
  writeFileSync(aclFile, `${read('deploy/redis/users.acl')}user ${OBSERVER.username} on >${OBSERVER.password} -@all +info +acl|log\n`);
  // Options after the included file override it: the ACL file's path, and the address to announce.
  // `localhost` may resolve to ::1 as well, so the nodes listen there too when there is one.
  const node = (...args: string[]) => RedisServer.start(['--include', join(ROOT, 'deploy/redis/redis.conf'), '--aclfile', aclFile, '--bind', '127.0.0.1', '-::1', '--replica-announce-ip', 'localhost', ...args]);
  const master = await node();
  nodes = [master, ...(await Promise.all([0, 1].map(() => node('--replicaof', 'localhost', String(master.port)))))];
  // The line exactly as written (one space between words), or the replace below would miss it.
  const monitor = `sentinel monitor ${MONITOR.join(' ')}`;
  expect(SENTINEL_CONF).toContain(monitor);
  const config = SENTINEL_CONF.replace(monitor, `sentinel monitor ${MASTER_NAME} localhost ${master.port} ${QUORUM}`);
  sentinels = await Promise.all([0, 1, 2].map(async () => new Sentinel(await freePort())));
  await Promise.all(sentinels.map((sentinel) => sentinel.startWith(config)));
});

afterAll(async () => {
  client?.disconnect();
  await Promise.all([...sentinels.map((s) => s.dispose()), ...nodes.map((n) => n.dispose())]);
  rmSync(dir, { recursive: true, force: true });
});

describe('deploy/redis: redis.conf, sentinel.conf and users.acl on redis-server', () => {
  it('replicas sync as licmon-replica; the Sentinels see the master, both replicas and each other, and name the master to a client', async () => {
    await waitUntilAsync(async () => (await onlineReplicas(nodes[0]!)) === 2, 'both replicas in sync with the master');
    // What a Sentinel learns from INFO on the nodes and from the others' hello messages, as licmon-sentinel.
    await waitUntilAsync(async () => {
      for (const sentinel of sentinels) {
        const replicas = (await askSentinel(sentinel, 'REPLICAS')) as unknown[];
        const others = (await askSentinel(sentinel, 'SENTINELS')) as unknown[];
        if (replicas.length !== 2 || others.length !== 2) return false;
      }
      return true;
    }, 'every Sentinel to know both replicas and the two other Sentinels', 20_000);
    for (const sentinel of sentinels) expect(await askSentinel(sentinel, 'GET-MASTER-ADDR-BY-NAME')).toEqual(['localhost', String(nodes[0]!.port)]);
    // A gateway's connection, as in compose: the Sentinels' addresses, the master's name, its own user.
    client = createRedisClient(
      { sentinels: sentinels.map((s) => `127.0.0.1:${s.port}`), sentinelName: MASTER_NAME, url: `redis://${aclUser('gateway')}:${DEV_ACL_PASSWORDS.gateway}@sentinels-name-the-host` },
      { maxRetriesPerRequest: 1 },
    );
    await client.connect();
    expect(await client.ping()).toBe('PONG');
  });

  it('a failover goes through as licmon-sentinel: a replica is promoted, the other follows it, nothing is refused', async () => {
    const [old] = nodes;
    await askSentinel(sentinels[0]!, 'FAILOVER');
    // Every Sentinel names the new master once the failover has ended, the other replica
    // reconfigured. (The old master is demoted some seconds later, with the same commands.)
    await waitUntilAsync(async () => {
      const masters = new Set(await Promise.all(sentinels.map(async (s) => ((await askSentinel(s, 'GET-MASTER-ADDR-BY-NAME')) as string[])[1])));
      const master = nodes.find((n) => masters.size === 1 && masters.has(String(n.port)) && n !== old);
      return master !== undefined && (await onlineReplicas(master)) >= 1;
    }, 'every Sentinel to name a promoted replica, the other replica in sync with it', 20_000);
    // The ACL log records every refused command and login: none, on any node.
    for (const node of nodes) expect(await redisCommand(node.port, ['ACL', 'LOG'], OBSERVER), `127.0.0.1:${node.port}`).toEqual([]);
  });

  it('the replica and Sentinel users may do nothing else: no keys, no other channels', async () => {
    const refusal = (command: Promise<unknown>) => command.then(() => '', (err: Error) => err.message);
    const port = nodes[0]!.port;
    expect(await refusal(redisCommand(port, ['GET', 'licmon:sites'], as('sentinel')))).toMatch(/NOPERM/);
    expect(await refusal(redisCommand(port, ['PUBLISH', 'licmon:control', '{}'], as('sentinel')))).toMatch(/NOPERM/);
    expect(await refusal(redisCommand(port, ['GET', 'licmon:sites'], as('replica')))).toMatch(/NOPERM/);
    expect(await refusal(redisCommand(port, ['INFO'], as('replica')))).toMatch(/NOPERM/);
  });
});
