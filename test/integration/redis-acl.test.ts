// Least privilege on Redis: a private redis-server loaded with the ACL file `licmon redis-acl`
// renders. A gateway runs as licmon-gateway, `licmon publish` and BullMQ as licmon-collector, and
// `licmon keys` as licmon-admin — and everything works end to end — while each user is refused
// what its role does not need: a gateway cannot publish or write the stream, a collector cannot
// read API keys or subscribe, nobody else can reach the data.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorKeys } from '../../collector/collector-keys.ts';
import { ACL_ROLES, aclUser, DEV_ACL_PASSWORDS, renderAclFile, type AclRole } from '../../shared/auth/redis-acl.ts';
import { RedisBus } from '../../shared/bus/index.ts';
import { BusKeys } from '../../shared/bus/keys.ts';
import { CloseCode } from '../../shared/protocol/index.ts';
import { createKey, runLicmon } from '../support/licmon-cli.ts';
import { randomPrefix, ROOT, startGateway, type RunningGateway } from '../support/processes.ts';
import { RedisServer } from '../support/redis-server.ts';
import { TestClient } from '../support/ws-client.ts';

const prefix = randomPrefix();
const keys = new BusKeys(prefix);
const passwords = Object.fromEntries(ACL_ROLES.map((role) => [role, `${role}-${Math.random().toString(36).slice(2)}`])) as Record<AclRole, string>;
const dir = mkdtempSync(join(tmpdir(), 'licmon-acl-'));
let redis: RedisServer;
let gateway: RunningGateway;
const connections: Redis[] = [];
const clients: TestClient[] = [];

const urlOf = (role: AclRole) => `redis://${aclUser(role)}:${passwords[role]}@127.0.0.1:${redis.port}`;
const envOf = (role: AclRole) => ({ REDIS_URL: urlOf(role), REDIS_KEY_PREFIX: prefix });

async function as(role: AclRole | 'default'): Promise<Redis> {
  const conn = new Redis(role === 'default' ? redis.url : urlOf(role), { maxRetriesPerRequest: 0, enableReadyCheck: false });
  connections.push(conn);
  return conn;
}

/** The error a command fails with ('' when it succeeds). */
const refusal = (command: Promise<unknown>) => command.then(() => '', (err: Error) => err.message);

beforeAll(async () => {
  const aclFile = join(dir, 'users.acl');
  writeFileSync(aclFile, renderAclFile(prefix, passwords));
  redis = await RedisServer.start(['--aclfile', aclFile]);
  gateway = await startGateway({ ...envOf('gateway'), METRICS_MIN_INTERVAL_MS: '100' });
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const c of connections) c.disconnect();
  await gateway?.kill();
  await redis?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis ACL users', () => {
  it('run the whole path under their own users: keys by admin, publishing by collector, delivery, replay and revocation by gateway', async () => {
    const apiKey = await createKey(['--name', 'acl-user'], envOf('admin'));
    const publish = async (kind: string, json: object) => {
      const result = await runLicmon(['publish', kind, '--json', JSON.stringify(json)], envOf('collector'));
      expect(result.code, result.stderr).toBe(0);
      return result.stdout.trim();
    };
    const firstId = await publish('log', { level: 'warn', message: 'before the client', source: 'acl', site: 'berlin' });

    const live = await TestClient.connect(`${gateway.wsUrl}/ws/combined?api_key=${apiKey}`);
    clients.push(live);
    live.send({ action: 'configure', interval: 100 });
    live.send({ action: 'ping' });
    await live.next((m) => m.type === 'pong');
    await publish('log', { level: 'error', message: 'under acl', source: 'acl', site: 'berlin' });
    await publish('metrics', { source: 'acl', site: 'berlin', licenses: { total: 4, used: 1, available: 3, utilization: 25 } });
    await live.next((m) => m.type === 'log' && m.message === 'under acl');
    await live.next((m) => m.type === 'metrics' && m.source === 'acl');

    // Replay reads the stream's history (XINFO, XRANGE, GET epoch) as the gateway user.
    const resumed = await TestClient.connect(`${gateway.wsUrl}/ws/logs?api_key=${apiKey}&since=${encodeURIComponent(firstId)}`);
    clients.push(resumed);
    expect(await resumed.next((m) => m.type === 'log')).toMatchObject({ message: 'under acl' });

    // The publish script keeps the active alerts as the collector user; the gateway user reads them,
    // and reads history backwards for the last lines.
    await publish('alert', { level: 'error', message: 'acl server down', source: 'acl', site: 'berlin', rule: 'server_down', key: 'acl:down', status: 'firing' });
    const alerts = await TestClient.connect(`${gateway.wsUrl}/ws/combined?api_key=${apiKey}&active_alerts=1`);
    const lines = await TestClient.connect(`${gateway.wsUrl}/ws/logs?api_key=${apiKey}&lines=1`);
    clients.push(alerts, lines);
    expect(await alerts.next((m) => m.type === 'alert')).toMatchObject({ key: 'acl:down', active: true });
    expect(await lines.next((m) => m.type === 'log')).toMatchObject({ message: 'under acl' });

    // Revocation travels on the control channel the gateway user may subscribe to.
    expect((await runLicmon(['keys', 'revoke', 'acl-user'], envOf('admin'))).code).toBe(0);
    expect(await live.closed).toMatchObject({ code: CloseCode.KEY_REVOKED });
    expect(gateway.output.join('\n')).not.toMatch(/NOPERM/);
  });

  it('let collectors lease a debug log, publish its events under its producer id and store its checkpoint', async () => {
    const bus = await new RedisBus({ url: urlOf('collector'), prefix }).connect();
    try {
      const ref = { stream: 'berlin', input: 'debuglog:lic-01', owner: 'acl-test' };
      expect(await bus.claimInput(ref, 10_000)).toEqual({ checkpoint: undefined, producerSeq: 0 });
      await bus.publish({ type: 'log', timestamp: new Date().toISOString(), level: 'info', message: 'OUT', source: 'license-server', site: 'berlin' }, { id: ref.input, seq: 1 });
      expect(await bus.commitCheckpoint(ref, '{"offset":10}', 10_000, true)).toBe(true);
      expect(await bus.claimInput(ref, 10_000)).toEqual({ checkpoint: '{"offset":10}', producerSeq: 1 });
    } finally {
      await bus.close();
    }
  });

  it('let collectors run their BullMQ queues under their own prefix', async () => {
    const connection = { host: '127.0.0.1', port: redis.port, username: aclUser('collector'), password: passwords.collector, maxRetriesPerRequest: null };
    const queuePrefix = new CollectorKeys(prefix).queuePrefix();
    const queue = new Queue('acl-check', { connection, prefix: queuePrefix });
    const processed = new Promise<unknown>((resolve, reject) => {
      const worker = new Worker('acl-check', async (job) => job.data as unknown, { connection, prefix: queuePrefix });
      worker.on('completed', (job) => void worker.close().then(() => resolve(job.returnvalue)));
      worker.on('error', reject);
      worker.on('failed', (_job, err) => reject(err));
    });
    await queue.add('poll', { server: 'lic-01' });
    expect(await processed).toEqual({ server: 'lic-01' });
    await queue.close();
  });

  it('let a collector record usage history (the Lua script) and a gateway serve it, but not write it', async () => {
    const bus = await new RedisBus({ url: urlOf('collector'), prefix }).connect();
    try {
      await bus.usage.record('berlin', 'lic-01', Date.now(), [{ feature: 'ACL_Feature', sample: { issued: 4, used: 3, queued: 0 } }, { feature: 'ACL_Feature', denials: 2 }]);
    } finally {
      await bus.close();
    }
    const apiKey = await createKey(['--name', 'acl-usage'], envOf('admin'));
    const res = await fetch(`${gateway.httpUrl}/api/usage?feature=ACL_Feature&site=berlin`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ series: [{ site: 'berlin', server: 'lic-01', summary: { peak: { used: 3, issued: 4 }, denials: 2 } }] });
    const gw = await as('gateway');
    expect(await refusal(gw.hset(keys.usageHour('berlin', 'lic-01', 'ACL_Feature', 0), '0', '1'))).toMatch(/NOPERM/);
  });

  it('refuse a gateway what only collectors and admins do', async () => {
    const gw = await as('gateway');
    expect(await refusal(gw.publish(keys.events('berlin'), '{"type":"log"}'))).toMatch(/NOPERM/);
    expect(await refusal(gw.xadd(keys.stream('berlin'), '*', 'm', '{}'))).toMatch(/NOPERM/);
    expect(await refusal(gw.hset(keys.latest('berlin'), 'x', '{}'))).toMatch(/NOPERM/); // read-only key
    expect(await refusal(gw.hdel(keys.activeAlerts('berlin'), 'x'))).toMatch(/NOPERM/); // read-only key
    expect(await refusal(gw.hset(keys.apiKeys(), 'x', '{}'))).toMatch(/NOPERM/);
    expect(await refusal(gw.eval('return 1', 0))).toMatch(/NOPERM/);
    expect(await refusal(gw.keys('*'))).toMatch(/NOPERM/);
    expect(await refusal(gw.flushall())).toMatch(/NOPERM/);
    expect(await refusal(gw.get('some-other-app:secret'))).toMatch(/NOPERM/);
    expect(await refusal(gw.hgetall(keys.apiKeys()))).toBe(''); // …but it may read key records
  });

  it('refuse a collector API keys, subscriptions and everything outside its keys', async () => {
    const col = await as('collector');
    expect(await refusal(col.hgetall(keys.apiKeys()))).toMatch(/NOPERM/);
    expect(await refusal(col.hget(keys.apiKeys(), 'x'))).toMatch(/NOPERM/);
    expect(await refusal(col.hvals(keys.apiKeyNames()))).toMatch(/NOPERM/);
    expect(await refusal(col.keys('*'))).toMatch(/NOPERM/);
    expect(await refusal(col.xrange(keys.stream('berlin'), '-', '+'))).toMatch(/NOPERM/);
    expect(await refusal(col.smembers(keys.sites()))).toBe(''); // …but it may read the sites and latest snapshots it writes (the farm roll-up)
    expect(await refusal(col.hvals(keys.latest('berlin')))).toBe('');
    expect(await refusal(col.publish(keys.control(), '{"type":"key-revoked"}'))).toMatch(/NOPERM/);
    expect(await refusal(col.config('GET', 'requirepass'))).toMatch(/NOPERM/);
    const sub = await as('collector');
    expect(await refusal(sub.subscribe(keys.control()))).toMatch(/NOPERM/);
    const psub = await as('collector');
    expect(await refusal(psub.psubscribe(keys.channelPattern()))).toMatch(/NOPERM/);
  });

  it('refuse an admin the data, and the default user everything but PING', async () => {
    const admin = await as('admin');
    expect(await refusal(admin.publish(keys.events('berlin'), '{}'))).toMatch(/NOPERM/);
    expect(await refusal(admin.xadd(keys.stream('berlin'), '*', 'm', '{}'))).toMatch(/NOPERM/);
    expect(await refusal(admin.hvals(keys.latest('berlin')))).toMatch(/NOPERM/);
    const anonymous = await as('default');
    expect(await anonymous.ping()).toBe('PONG');
    expect(await refusal(anonymous.get(keys.sites()))).toMatch(/NOPERM/);
    expect(await refusal(anonymous.subscribe(keys.control()))).toMatch(/NOPERM/);
  });

  it('include the replica and Sentinel users only when given their passwords', () => {
    const users = (file: string) => file.split('\n').flatMap((line) => /^user (\S+) /.exec(line)?.[1] ?? []);
    expect(users(renderAclFile(prefix, passwords))).toEqual(['default', ...ACL_ROLES.map(aclUser)]);
    expect(users(renderAclFile(prefix, { ...passwords, sentinel: 's3cret' }))).toEqual(['default', ...ACL_ROLES.map(aclUser), aclUser('sentinel')]);
  });

  it('matches the checked-in deploy/redis/users.acl (compose) with its development passwords', () => {
    expect(readFileSync(join(ROOT, 'deploy/redis/users.acl'), 'utf8')).toBe(renderAclFile('licmon', DEV_ACL_PASSWORDS));
  });
});
