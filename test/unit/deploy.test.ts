// The deployment files, checked as far as this machine allows (no Docker engine, no cluster):
// parsed, validated against Kubernetes' schemas, and cross-checked with each other and with the
// code — every environment variable they set is one shared/config.ts knows and accepts, every
// command is the package.json script of that role, every port and health path agrees, each role
// reaches Redis as its own ACL user, and the collectors' farm file loads with their environment.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseFarmConfig } from '../../collector/farm/load-farm-config.ts';
import { type CollectorConfig, CollectorConfigSchema, type GatewayConfig, GatewayConfigSchema, loadConfig } from '../../shared/config.ts';
import { runs, skipWithout } from '../support/missing-tool.ts';
import { ROOT } from '../support/processes.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
const GATEWAY_PORT = 8080;
/** A collector's /metrics, /healthz and /readyz (COLLECTOR_PORT's default). */
const COLLECTOR_PORT = CollectorConfigSchema.shape.COLLECTOR_PORT.parse(undefined);

/** The two roles one image runs, each with its package.json script, config schema and Redis ACL user. */
const ROLES = {
  gateway: { command: pkg.scripts.gateway!.split(' '), schema: GatewayConfigSchema, redisUser: 'licmon-gateway' },
  collector: { command: pkg.scripts.collector!.split(' '), schema: CollectorConfigSchema, redisUser: 'licmon-collector' },
} as const;

/** The users deploy/redis/users.acl switches on. */
const ACL_USERS = read('deploy/redis/users.acl').split('\n').flatMap((line) => /^user (\S+) on /.exec(line)?.[1] ?? []);

/** The farm every deployment mounts for its collectors. */
const FARM_EXAMPLE = 'deploy/farm.example.yaml';

/** The environment variables a farm file's strings reference as `${NAME}` (comments do not count). */
function farmVariables(text: string): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') for (const [, name] of value.matchAll(/\$\{(\w+)\}/g)) names.add(name!);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(parse(text));
  return [...names].sort();
}
const FARM_VARIABLES = farmVariables(read(FARM_EXAMPLE));
type Role = keyof typeof ROLES;

function roleOf(command: unknown): Role {
  const role = (Object.keys(ROLES) as Role[]).find((r) => JSON.stringify(ROLES[r].command) === JSON.stringify(command));
  if (!role) throw new Error(`command ${JSON.stringify(command)} is neither \`npm run gateway\` nor \`npm run collector\``);
  return role;
}

/**
 * Every variable is one the role's schema declares (or, for a collector, one its farm file
 * references), and together they parse; returns the config.
 */
function expectValidEnv(role: 'gateway', env: Record<string, string>): GatewayConfig;
function expectValidEnv(role: 'collector', env: Record<string, string>): CollectorConfig;
function expectValidEnv(role: Role, env: Record<string, string>): GatewayConfig | CollectorConfig;
function expectValidEnv(role: Role, env: Record<string, string>): GatewayConfig | CollectorConfig {
  const { schema } = ROLES[role];
  const known = (name: string) => name in schema.shape || (role === 'collector' && FARM_VARIABLES.includes(name));
  expect(Object.keys(env).filter((name) => !known(name)), `variables unknown to the ${role}`).toEqual([]);
  return loadConfig(schema, env);
}

/** The role connects to Redis as its own ACL user, one users.acl switches on. */
function expectRedisUser(role: Role, config: { REDIS_URL: string }, where: string): void {
  const user = decodeURIComponent(new URL(config.REDIS_URL).username);
  expect(user, `${where}: Redis user`).toBe(ROLES[role].redisUser);
  expect(ACL_USERS, `${where}: ${user} in deploy/redis/users.acl`).toContain(user);
}

describe('deploy/Dockerfile', () => {
  // Instructions with their continuation lines joined, comments dropped.
  const instructions = read('deploy/Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [word = '', ...rest] = line.split(/\s+/);
      return { op: word.toUpperCase(), args: rest.join(' ') };
    });
  const all = (op: string) => instructions.filter((i) => i.op === op).map((i) => i.args);
  const last = (op: string) => all(op).at(-1) ?? '';

  it('passes dockerfile-utils\' checks (instructions, arguments, flags)', () => {
    expect(lintDockerfile(read('deploy/Dockerfile')).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('is multi-stage on a Node 24, glibc >= 2.38 base (Debian 13) and installs production dependencies only', () => {
    expect(all('ARG')).toContain('NODE_IMAGE=node:24-trixie-slim');
    expect(all('FROM').length).toBeGreaterThanOrEqual(2);
    for (const from of all('FROM')) expect(from).toMatch(/^\$\{NODE_IMAGE\} AS \w+$/);
    expect(all('RUN').some((run) => run.includes('npm ci --omit=dev'))).toBe(true);
    // The processes run the compiled dist/, built in the image: no TypeScript runner in production.
    expect(all('RUN').some((run) => run.includes('npm run build'))).toBe(true);
    expect(pkg.dependencies).not.toHaveProperty('tsx');
  });

  it('runs the gateway as node itself (exec form), unprivileged, on 8080 with a /healthz check', () => {
    expect(roleOf(JSON.parse(last('CMD')))).toBe('gateway');
    expect(last('USER')).not.toMatch(/^(root|0)(:|$)/);
    expect(last('USER')).not.toBe('');
    expect(all('EXPOSE')).toEqual([`${GATEWAY_PORT} ${COLLECTOR_PORT}`]);
    expect(all('ENV').join(' ')).toMatch(new RegExp(`\\bPORT=${GATEWAY_PORT}\\b`));
    expect(last('HEALTHCHECK')).toContain('/healthz');
  });

  it('copies only sources that exist, none of them excluded by .dockerignore', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const sources = all('COPY').filter((c) => !c.startsWith('--from')).flatMap((c) => c.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
      if (statSync(join(ROOT, source)).isDirectory()) expect(readdirSync(join(ROOT, source)).length, `${source} has files`).toBeGreaterThan(0);
      expect(ignored.filter((pattern) => source === pattern || source.startsWith(`${pattern}/`)), `${source} not ignored`).toEqual([]);
    }
    // The roles run dist/, which the image builds: what must exist here is the source it compiles.
    for (const role of Object.values(ROLES)) {
      const source = role.command.at(-1)!.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
    }
  });
});

describe('docker-compose.yml and deploy/haproxy.cfg', () => {
  interface ComposeService {
    image?: string;
    build?: unknown;
    command?: string[];
    environment?: Record<string, string>;
    ports?: string[];
    volumes?: string[];
    healthcheck?: { test?: string[]; disable?: boolean };
    stop_grace_period?: string;
    /** Only with `--profile` (the sentinel profile's replicas and Sentinels: compose-sentinel.test.ts). */
    profiles?: string[];
  }
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  const services = Object.entries(compose.services);
  const apps = services.filter(([, s]) => s.build !== undefined).map(([name, s]) => ({ name, service: s, role: roleOf(s.command) }));
  const gateways = apps.filter((a) => a.role === 'gateway');
  // `${VAR:-default}` as compose would expand it with VAR unset.
  const expand = (env: Record<string, string> = {}) =>
    Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{\w+:-([^}]*)\}/g, '$1')]));

  const haproxy = read('deploy/haproxy.cfg').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  const directive = (word: string) => haproxy.filter((l) => l.split(/\s+/)[0] === word).map((l) => l.split(/\s+/).slice(1));

  it('runs Redis 7, two collectors and three gateways, each with a valid environment', () => {
    expect(services.filter(([, s]) => s.image === 'redis:7' && !s.profiles).map(([name]) => name)).toEqual(['redis']);
    expect(apps.filter((a) => a.role === 'collector')).toHaveLength(2);
    expect(gateways).toHaveLength(3);
    for (const { name, service, role } of apps) {
      const config = expectValidEnv(role, expand(service.environment));
      expect(new URL(config.REDIS_URL).hostname, `${name} reaches the redis service`).toBe('redis');
    }
  });

  it('connects each role as its own Redis ACL user; gateways trust the X-Forwarded-For HAProxy appends', () => {
    for (const { name, service, role } of apps) expectRedisUser(role, expectValidEnv(role, expand(service.environment)), name);
    expect(directive('option')).toContainEqual(['forwardfor']);
    for (const { name, service } of gateways) expect(expectValidEnv('gateway', expand(service.environment)).TRUST_PROXY, name).toBe(true);
  });

  it('collectors simulate unless FARM_CONFIG is set; set to the mount\'s path, they watch the example farm', () => {
    const collectors = apps.filter((a) => a.role === 'collector');
    expect(FARM_VARIABLES.length).toBeGreaterThan(0);
    for (const { name, service } of collectors) {
      const env = expand(service.environment);
      expect(service.environment?.FARM_CONFIG, name).toBe('${FARM_CONFIG:-}');
      expect(expectValidEnv('collector', env).FARM_CONFIG, `${name}: simulated by default`).toBeUndefined();
      const farm = (service.volumes ?? []).map((v) => v.split(':')).find(([host]) => host === `./${FARM_EXAMPLE}`);
      expect(farm, `${name} mounts ${FARM_EXAMPLE}`).toBeDefined();
      const [, target, mode] = farm!;
      expect(mode, name).toBe('ro');
      expect(read('docker-compose.yml'), 'the comment says how to turn the farm on').toContain(`FARM_CONFIG=${target} `);
      const config = expectValidEnv('collector', { ...env, FARM_CONFIG: target! });
      // Every ${NAME} of the farm is passed through (empty when unset), so the file loads.
      expect(FARM_VARIABLES.filter((variable) => !(variable in env)), name).toEqual([]);
      expect(() => parseFarmConfig(read(FARM_EXAMPLE), config.FARM_CONFIG!, env), name).not.toThrow();
    }
  });

  it('takes API keys from a variable with a development default', () => {
    for (const { service } of gateways) expect(service.environment?.API_KEYS).toMatch(/^\$\{API_KEYS:-[^}]+\}$/);
  });

  it('publishes HAProxy on 8080 and each collector\'s metrics port; gateways listen on 8080 behind it, with health checks', () => {
    expect(services.filter(([, s]) => s.ports?.length).map(([name, s]) => [name, s.ports])).toEqual([
      ['collector1', [`${COLLECTOR_PORT}:${COLLECTOR_PORT}`]],
      ['collector2', [`${COLLECTOR_PORT + 1}:${COLLECTOR_PORT}`]],
      ['haproxy', [`${GATEWAY_PORT}:${GATEWAY_PORT}`]],
    ]);
    for (const { name, service } of apps.filter((a) => a.role === 'collector')) {
      expect(expectValidEnv('collector', expand(service.environment)).COLLECTOR_PORT, name).toBe(COLLECTOR_PORT);
      expect(service.healthcheck?.test?.join(' '), name).toContain(`:${COLLECTOR_PORT}/readyz`);
    }
    expect(compose.services.haproxy?.volumes).toContain('./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    for (const { name, service } of gateways) {
      expect(expectValidEnv('gateway', expand(service.environment)).PORT, name).toBe(GATEWAY_PORT);
      expect(service.healthcheck?.test?.join(' '), name).toContain(`:${GATEWAY_PORT}/healthz`);
    }
    expect(services.filter(([, s]) => s.image === 'redis:7').every(([, s]) => s.healthcheck?.test)).toBe(true);
  });

  it('gives draining gateways the time they need before a SIGKILL', () => {
    for (const { name, service } of gateways) {
      const config = expectValidEnv('gateway', expand(service.environment));
      const grace = Number(/^(\d+)s$/.exec(service.stop_grace_period ?? '')?.[1] ?? 10) * 1000;
      expect(grace, name).toBeGreaterThan(config.DRAIN_DELAY_MS + config.SHUTDOWN_GRACE_MS);
    }
  });

  it('HAProxy listens on 8080 and balances the compose gateways on their port, checking /readyz', () => {
    expect(directive('bind')).toEqual([[`:${GATEWAY_PORT}`]]);
    expect(directive('server').map(([name, address]) => [name, address])).toEqual(gateways.map(({ name }) => [name, `${name}:${GATEWAY_PORT}`]));
    expect(directive('option')).toContainEqual(['httpchk', 'GET', '/readyz']);
    expect(directive('balance')).toEqual([['leastconn']]);
    expect(directive('timeout').map(([which]) => which)).toEqual(expect.arrayContaining(['tunnel', 'client', 'server', 'connect']));
  });

  it('HAProxy stays within the open-file limit and notices a draining gateway before it closes clients', () => {
    // Two descriptors per proxied connection; the machines we run on allow 20000 open files.
    const [maxconn] = directive('maxconn').map(([n]) => Number(n));
    expect(2 * maxconn!).toBeLessThan(20_000);
    const check = directive('default-server')[0]!;
    const [inter, fall] = [check[check.indexOf('inter') + 1]!, check[check.indexOf('fall') + 1]!];
    const windowMs = Number(/^(\d+)s$/.exec(inter)![1]) * 1000 * Number(fall);
    for (const { name, service } of gateways) {
      expect(expectValidEnv('gateway', expand(service.environment)).DRAIN_DELAY_MS, name).toBeGreaterThan(windowMs);
    }
  });

  it.skipIf(skipWithout('haproxy', runs('haproxy', ['-v'])))('haproxy -c accepts deploy/haproxy.cfg', () => {
    const result = spawnSync('haproxy', ['-c', '-f', join(ROOT, 'deploy/haproxy.cfg')], { encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it.skipIf(skipWithout('docker-compose (v1)', runs('docker-compose', ['version'])))('docker-compose config accepts docker-compose.yml', () => {
    const result = spawnSync('docker-compose', ['-f', join(ROOT, 'docker-compose.yml'), 'config', '--quiet'], { encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});

describe('deploy/k8s', () => {
  const MODELS: Record<string, new (data: never) => { validate(): void }> = {
    'apps/v1/Deployment': Deployment,
    'v1/Service': Service,
    'v1/ConfigMap': ConfigMap,
    'v1/Secret': Secret,
    'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
    'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
    'networking.k8s.io/v1/Ingress': Ingress,
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are checked field by field below
  type Manifest = { apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string> }; [field: string]: any };
  const objects: Manifest[] = readdirSync(join(ROOT, 'deploy/k8s'))
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) => parseAllDocuments(read(`deploy/k8s/${file}`)).map((doc) => doc.toJS() as Manifest));
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const containerOf = (d: Manifest) => d.spec.template.spec.containers[0];

  /** The environment a container sees: its ConfigMaps and Secrets, then its own `env`. */
  function containerEnv(container: Manifest): Record<string, string> {
    const env: Record<string, string> = {};
    for (const from of container.envFrom ?? []) {
      const source = from.configMapRef ? find('ConfigMap', from.configMapRef.name) : find('Secret', from.secretRef.name);
      expect(source, JSON.stringify(from)).toBeDefined();
      const data: Record<string, string> = source!.data ?? {};
      Object.assign(env, source!.kind === 'Secret' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()])) : data, source!.stringData);
    }
    for (const variable of container.env ?? []) {
      // A pod name stands in for fieldRef metadata.name.
      env[variable.name] = variable.value ?? (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.name' ? 'licmon-gateway-5d8f7c9b6d-x2x7q' : '');
    }
    return env;
  }

  it('every object is valid against the Kubernetes schema of its kind', () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `${object.apiVersion} ${object.kind} is a kind we check`).toBeDefined();
      expect(() => new Model!(object as never).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it('each Deployment runs its role\'s npm script with an environment its schema accepts', () => {
    expect(deployments.map((d) => roleOf(containerOf(d).command)).sort()).toEqual(['collector', 'gateway']);
    for (const deployment of deployments) expectValidEnv(roleOf(containerOf(deployment).command), containerEnv(containerOf(deployment)));
  });

  it('each Deployment connects to Redis as its role\'s own ACL user', () => {
    for (const deployment of deployments) {
      const role = roleOf(containerOf(deployment).command);
      expectRedisUser(role, expectValidEnv(role, containerEnv(containerOf(deployment))), deployment.metadata.name);
    }
  });

  it('the gateway trusts X-Forwarded-For only behind the Ingress: the Service stays in-cluster, the Ingress outlasts the idle timeout', () => {
    const gateway = deployments.find((d) => roleOf(containerOf(d).command) === 'gateway')!;
    const config = expectValidEnv('gateway', containerEnv(containerOf(gateway)));
    expect(config.TRUST_PROXY).toBe(true);
    const service = find('Service', gateway.metadata.name)!;
    expect(service.spec.type ?? 'ClusterIP').toBe('ClusterIP');
    const ingresses = objects.filter((o) => o.kind === 'Ingress');
    expect(ingresses).toHaveLength(1);
    const backends = ingresses[0]!.spec.rules.flatMap((rule: Manifest) => rule.http.paths.map((path: Manifest) => path.backend.service));
    expect(backends).toEqual([{ name: service.metadata.name, port: { name: service.spec.ports[0].name } }]);
    // A quiet WebSocket is the gateway's to close (IDLE_TIMEOUT_MS), not the controller's.
    const readTimeoutS = Number(ingresses[0]!.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-read-timeout']);
    expect(readTimeoutS * 1000).toBeGreaterThan(config.IDLE_TIMEOUT_MS);
  });

  it('collectors watch the licmon-farm ConfigMap, which is deploy/farm.example.yaml, and it loads with their environment', () => {
    const collector = deployments.find((d) => roleOf(containerOf(d).command) === 'collector')!;
    const container = containerOf(collector);
    const env = containerEnv(container);
    const file = expectValidEnv('collector', env).FARM_CONFIG;
    expect(file).toBeDefined();
    const mount = (container.volumeMounts as Manifest[]).find((m) => file!.startsWith(`${m.mountPath}/`));
    expect(mount, `a volume holds ${file}`).toBeDefined();
    expect(mount!.readOnly).toBe(true);
    const volume = (collector.spec.template.spec.volumes as Manifest[]).find((v) => v.name === mount!.name)!;
    const text = find('ConfigMap', volume.configMap.name)?.data?.[file!.slice(mount!.mountPath.length + 1)];
    expect(text, 'the ConfigMap is the example farm, byte for byte').toBe(read(FARM_EXAMPLE));
    expect(() => parseFarmConfig(text, file!, env)).not.toThrow();
    // Replicas share the polls through BullMQ: a second one takes over a lost one's.
    expect(collector.spec.replicas).toBeGreaterThanOrEqual(2);
  });

  it('the gateway listens on 8080, is ready on /readyz and alive on /healthz', () => {
    const gateway = deployments.find((d) => roleOf(containerOf(d).command) === 'gateway')!;
    const container = containerOf(gateway);
    expect(expectValidEnv('gateway', containerEnv(container)).PORT).toBe(GATEWAY_PORT);
    expect(container.ports).toEqual([{ name: 'http', containerPort: GATEWAY_PORT }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
  });

  it('the gateway has time to drain: grace period > preStop + drain delay + shutdown grace', () => {
    const gateway = deployments.find((d) => roleOf(containerOf(d).command) === 'gateway')!;
    const container = containerOf(gateway);
    const config = expectValidEnv('gateway', containerEnv(container));
    const [sleep, seconds] = container.lifecycle.preStop.exec.command as string[];
    expect(sleep).toBe('sleep');
    const neededMs = Number(seconds) * 1000 + config.DRAIN_DELAY_MS + config.SHUTDOWN_GRACE_MS;
    expect(gateway.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(neededMs);
  });

  it('Service, PodDisruptionBudget and autoscaler all point at the gateway', () => {
    const gateway = deployments.find((d) => roleOf(containerOf(d).command) === 'gateway')!;
    const podLabels = gateway.spec.template.metadata.labels;
    expect(gateway.spec.selector.matchLabels).toEqual(podLabels);
    const service = find('Service', 'licmon-gateway')!;
    expect(service.spec.selector).toEqual(podLabels);
    expect(service.spec.ports).toEqual([{ name: 'http', port: GATEWAY_PORT, targetPort: 'http' }]);
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget')!;
    expect(pdb.spec.selector.matchLabels).toEqual(podLabels);
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: gateway.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });

  it('collectors serve their metrics port: probes on /healthz and /readyz, scrape annotations, a headless Service for the ServiceMonitor', () => {
    const collector = deployments.find((d) => roleOf(containerOf(d).command) === 'collector')!;
    const container = containerOf(collector);
    expect(expectValidEnv('collector', containerEnv(container)).COLLECTOR_PORT).toBe(COLLECTOR_PORT);
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: COLLECTOR_PORT }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(collector.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(COLLECTOR_PORT), 'prometheus.io/path': '/metrics' });
    const service = find('Service', 'licmon-collector')!;
    expect(service.spec.selector).toEqual(collector.spec.template.metadata.labels);
    expect(service.spec.ports).toEqual([{ name: 'metrics', port: COLLECTOR_PORT, targetPort: 'metrics' }]);
  });

  it('pods run unprivileged', () => {
    for (const deployment of deployments) {
      expect(deployment.spec.template.spec.securityContext.runAsNonRoot, deployment.metadata.name).toBe(true);
      expect(containerOf(deployment).securityContext.allowPrivilegeEscalation, deployment.metadata.name).toBe(false);
    }
  });
});
