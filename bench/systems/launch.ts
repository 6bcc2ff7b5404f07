// Start a system under test: its server process(es), pinned to the server core, and its message
// source. The gateway is the real `gateway/main.ts`; the peers and the ceiling are in bench/peers.
import { randomPrefix, startGateway, startProcess, type RunningProcess } from '../../test/support/processes.ts';
import type { RedisServer } from '../../test/support/redis-server.ts';
import type { Cleanup } from '../cleanup.ts';
import { pinToCore, SERVER_CORE } from '../proc-stats.ts';
import { CeilingControl } from '../workload/ceiling-control.ts';
import { RedisPublisher } from '../workload/redis-publisher.ts';
import type { Endpoint, Subscription, SystemId, SystemUnderTest } from './system.ts';

const API_KEY = 'bench-key';
const HOST = '127.0.0.1';
const PING = '{"action":"ping"}';

export interface LaunchOptions {
  readonly redis: RedisServer;
  readonly cleanup: Cleanup;
  /** Pin the server processes to SERVER_CORE. */
  readonly pin: boolean;
  /** Gateway processes to run (the scale scenario's six); 1 for every other system. */
  readonly processes?: number;
  /** Write a V8 CPU profile of each gateway process here when it stops. */
  readonly cpuProfileDir?: string;
}

/** Frames in the gateway's own protocol, which the ceiling and the ws peer speak too. */
function actionFrames(subscription: Subscription): string[] {
  const first = 'filter' in subscription ? { action: 'subscribe', filter: subscription.filter } : { action: 'configure', interval: subscription.interval };
  return [JSON.stringify(first), PING];
}

/** The same actions as Socket.IO events ("42" + JSON array). */
function socketIoFrames(subscription: Subscription): string[] {
  const first = 'filter' in subscription ? ['subscribe', { filter: subscription.filter }] : ['configure', { interval: subscription.interval }];
  return [`42${JSON.stringify(first)}`, '42["ping"]'];
}

/** A pino line at warn (40) or above, or any line that is not JSON (a crash, say). */
function isWarning(line: string): boolean {
  try {
    return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 40;
  } catch {
    return line.trim().length > 0;
  }
}

/** SIGTERM, then SIGKILL if it has not exited within 10 s. */
export async function stopProcess(proc: RunningProcess): Promise<void> {
  proc.signal('SIGTERM');
  const timeout = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
  if ((await Promise.race([proc.exited.then(() => 'exited'), timeout])) !== 'exited') await proc.kill();
}

interface Server {
  readonly proc: RunningProcess;
  readonly port: number;
}

async function startServer(id: SystemId, options: LaunchOptions, env: Record<string, string>): Promise<Server> {
  if (id === 'gateway') {
    const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
    // No drain delay: SIGTERM stops at once (and still exits cleanly, so a CPU profile is written).
    // Every bench client uses one API key, so the per-key cap is lifted; the per-address cap stays.
    const gateway = await startGateway({ ...env, API_KEYS: API_KEY, DRAIN_DELAY_MS: '0', MAX_CONNECTIONS_PER_KEY: '0' }, profile);
    return { proc: gateway, port: gateway.port };
  }
  const proc = startProcess(`bench/peers/${id === 'ceiling' ? 'ceiling-uws' : id}.ts`, { ...env, PORT: '0' });
  const line = await proc.waitForLog((l) => l.msg === 'listening' && typeof l.port === 'number');
  return { proc, port: line.port as number };
}

async function startServers(id: SystemId, options: LaunchOptions, env: Record<string, string>): Promise<Server[]> {
  const count = id === 'gateway' ? (options.processes ?? 1) : 1;
  const started: Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = await startServer(id, options, env);
    const done = options.cleanup.add(`${id} server ${server.proc.pid}`, () => stopProcess(server.proc));
    void server.proc.exited.then(done);
    started.push(server);
    if (options.pin) pinToCore(server.proc.pid, SERVER_CORE);
  }
  return started;
}

export async function launchSystem(id: SystemId, options: LaunchOptions): Promise<SystemUnderTest> {
  const prefix = `bench${randomPrefix()}`;
  const redisBacked = id !== 'ceiling';
  const env: Record<string, string> = redisBacked ? { REDIS_URL: options.redis.url, REDIS_KEY_PREFIX: prefix } : {};
  const servers = await startServers(id, options, env);
  const ports = servers.map((s) => s.port);
  const source = redisBacked ? await RedisPublisher.connect(options.redis.url, prefix) : new CeilingControl(ports[0]!);
  const sourceDone = options.cleanup.add(`${id} message source`, () => source.close());
  const socketIo = id === 'socketio-redis';
  const path = (endpoint: Endpoint) =>
    socketIo ? '/socket.io/?EIO=4&transport=websocket' : id === 'gateway' ? `/ws/${endpoint}?api_key=${API_KEY}` : `/ws/${endpoint}`;
  return {
    id,
    ports,
    serverPids: servers.map((s) => s.proc.pid),
    helperPids: redisBacked && options.redis.pid ? [options.redis.pid] : [],
    filters: id !== 'ceiling',
    source,
    target: (endpoint, process = 0) => ({ host: HOST, port: ports[process]!, path: path(endpoint), protocol: socketIo ? 'socketio' : 'ws' }),
    // The ceiling filters nothing: a ping is all it needs, and its only reply is the pong.
    setupFrames: socketIo ? socketIoFrames : id === 'ceiling' ? () => [PING] : actionFrames,
    warnings: () => servers.flatMap((s) => s.proc.output.filter(isWarning)),
    async stop() {
      await source.close();
      sourceDone();
      await Promise.all(servers.map((s) => stopProcess(s.proc)));
    },
  };
}
