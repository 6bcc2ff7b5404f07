// docker-compose.yml's sentinel profile with deploy/compose.sentinel.yml, as `docker-compose config`
// merges them (offline: no Docker engine needed). The replicas and Sentinels exist only with the
// profile; they and the data nodes are wired by service name to each other and to the files of
// deploy/redis/; every gateway and collector asks the Sentinels for the master they monitor.
// test/integration/sentinel-config.test.ts runs those files with redis-server.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { aclUser } from '../../shared/auth/redis-acl.ts';
import { isSentinelTarget, redisTarget } from '../../shared/bus/redis-connection.ts';
import { CollectorConfigSchema, GatewayConfigSchema, loadConfig } from '../../shared/config.ts';
import { runs, skipWithout } from '../support/missing-tool.ts';
import { ROOT } from '../support/processes.ts';
import { directive } from '../support/redis-conf.ts';

interface Service {
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  volumes?: string[];
  user?: string;
  healthcheck?: { test?: string[] };
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const REDIS_CONF = read('deploy/redis/redis.conf');
const SENTINEL_CONF = read('deploy/redis/sentinel.conf');
const [MASTER_NAME, MASTER_HOST, MASTER_PORT, QUORUM] = directive(SENTINEL_CONF, 'sentinel', 'monitor') ?? [];
const SENTINEL_PORT = directive(SENTINEL_CONF, 'port')?.[0];
const DATA_NODES = ['redis', 'redis-replica1', 'redis-replica2'];
const SENTINELS = ['sentinel1', 'sentinel2', 'sentinel3'];

/** `docker-compose config` of the files with the profile on: the project as Compose would run it. */
function composeConfig(): Record<string, Service> {
  const args = ['-f', join(ROOT, 'docker-compose.yml'), '-f', join(ROOT, 'deploy/compose.sentinel.yml'), '--profile', 'sentinel', 'config'];
  // PATH only: the test's own variables (API_KEYS, FARM_CONFIG …) must not leak into the result.
  const result = spawnSync('docker-compose', args, { encoding: 'utf8', env: { PATH: process.env.PATH } });
  if (result.status !== 0) throw new Error(`docker-compose config failed: ${result.stderr}`);
  return (parse(result.stdout) as { services: Record<string, Service> }).services;
}

/** Where a service mounts one of this repository's files (compose makes the host path absolute). */
function mountOf(service: Service, file: string): string | undefined {
  const volume = service.volumes?.find((v) => v.startsWith(`${join(ROOT, file)}:`));
  return volume?.split(':')[1];
}

/** The `count` values after `flag` on a command line. */
function option(command: string[] = [], flag: string, count = 1): string[] {
  const at = command.indexOf(flag);
  return at < 0 ? [] : command.slice(at + 1, at + 1 + count);
}

describe.skipIf(skipWithout('docker-compose (v1)', runs('docker-compose', ['version'])))('docker-compose.yml --profile sentinel with deploy/compose.sentinel.yml', () => {
  let services: Record<string, Service>;
  beforeAll(() => {
    services = composeConfig();
  });

  it('adds two replicas and three Sentinels, only with the profile; nothing outside it needs them', () => {
    const profiled = Object.entries(services).filter(([, s]) => s.profiles?.length).map(([name, s]) => [name, s.profiles]);
    expect(profiled).toEqual(['redis-replica1', 'redis-replica2', ...SENTINELS].map((name) => [name, ['sentinel']]));
    // docker-compose.yml alone: a plain `docker compose up` starts without them.
    const base = (parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> }).services;
    for (const [name, service] of Object.entries(base).filter(([, s]) => !s.profiles)) {
      expect(Object.keys(service.depends_on ?? {}).filter((dependency) => base[dependency]?.profiles), name).toEqual([]);
    }
  });

  it('every data node loads deploy/redis/redis.conf, the ACL file it names and the replica user, and announces its service name', () => {
    expect(directive(REDIS_CONF, 'masteruser')).toEqual([aclUser('replica')]);
    expect(MASTER_HOST, 'the Sentinels monitor the redis service').toBe('redis');
    for (const name of DATA_NODES) {
      const service = services[name]!;
      expect(service.command?.slice(0, 2), name).toEqual(['redis-server', mountOf(service, 'deploy/redis/redis.conf')]);
      expect(directive(REDIS_CONF, 'aclfile'), name).toEqual([mountOf(service, 'deploy/redis/users.acl')]);
      expect(option(service.command, '--replica-announce-ip'), name).toEqual([name]);
      expect(option(service.command, '--replicaof', 2), name).toEqual(name === MASTER_HOST ? [] : [MASTER_HOST, MASTER_PORT]);
    }
  });

  it('each Sentinel runs, as the image\'s redis user, its own writable copy of deploy/redis/sentinel.conf', () => {
    expect(directive(SENTINEL_CONF, 'sentinel', 'resolve-hostnames')).toEqual(['yes']);
    expect(directive(SENTINEL_CONF, 'sentinel', 'announce-hostnames')).toEqual(['yes']);
    expect(directive(SENTINEL_CONF, 'sentinel', 'auth-user', MASTER_NAME!)).toEqual([aclUser('sentinel')]);
    expect(Number(QUORUM)).toBe(2);
    for (const name of SENTINELS) {
      const service = services[name]!;
      const [shell, flag, script = ''] = service.command ?? [];
      expect([shell, flag], name).toEqual(['sh', '-c']);
      const [, source, copy, config] = /cp (\S+) (\S+); exec redis-server (\S+) --sentinel$/.exec(script) ?? [];
      expect(source, name).toBe(mountOf(service, 'deploy/redis/sentinel.conf'));
      expect(config, name).toBe(copy);
      expect(copy, `${name}: in the image's /data volume`).toMatch(/^\/data\//);
      expect(service.user, name).toBe('redis');
      expect(service.healthcheck?.test, name).toEqual(['CMD', 'redis-cli', '-p', SENTINEL_PORT, 'ping']);
    }
  });

  it('every gateway and collector asks the three Sentinels for the master they monitor, and starts after them', () => {
    const apps = Object.entries(services).filter(([, s]) => s.build !== undefined);
    expect(apps).toHaveLength(5);
    for (const [name, service] of apps) {
      const schema = service.command?.includes('dist/gateway/main.js') ? GatewayConfigSchema : CollectorConfigSchema;
      const target = redisTarget(loadConfig(schema, service.environment ?? {}));
      expect(isSentinelTarget(target), name).toBe(true);
      expect(target, name).toMatchObject({ sentinels: SENTINELS.map((sentinel) => `${sentinel}:${SENTINEL_PORT}`), sentinelName: MASTER_NAME });
      for (const sentinel of SENTINELS) expect(service.depends_on?.[sentinel], `${name} after ${sentinel}`).toEqual({ condition: 'service_healthy' });
    }
  });
});
