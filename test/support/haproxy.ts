// HAProxy (Debian's) in front of gateways, for failure tests: the same choices as
// deploy/haproxy.cfg (health checks on /readyz, WebSocket tunnels, leastconn) with a short check
// interval so a test does not wait seconds for a gateway to leave or rejoin the rotation, and a
// stats page from which tests read each server's state instead of sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.ts';

export interface HaproxyOptions {
  /** Gateway ports on 127.0.0.1, fixed up front so a gateway can be restarted where it was. */
  readonly backendPorts: readonly number[];
  /** Health-check interval; a server changes state after two checks in a row agree. */
  readonly checkIntervalMs?: number;
}

export type ServerState = 'UP' | 'DOWN' | string;

export class Haproxy {
  readonly output: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly statsPort: number,
    private readonly dir: string,
    readonly checkIntervalMs: number,
  ) {}

  /** Start and resolve once the frontend answers (servers may still be DOWN: see waitForState). */
  static async start(options: HaproxyOptions): Promise<Haproxy> {
    const [port, statsPort] = [await freePort(), await freePort()];
    const checkIntervalMs = options.checkIntervalMs ?? 200;
    const dir = mkdtempSync(join(tmpdir(), 'licmon-haproxy-'));
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(cfg, config(port, statsPort, options.backendPorts, checkIntervalMs));
    const child = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    const haproxy = new Haproxy(child, port, statsPort, dir, checkIntervalMs);
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => haproxy.output.push(...chunk.toString().split('\n').filter(Boolean)));
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`haproxy exited (${code}):\n${haproxy.output.join('\n')}`))));
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ok = await Promise.race([haproxy.serverStates().then(() => true, () => false), exited]);
      if (ok) return haproxy;
      if (Date.now() > deadline) {
        await haproxy.stop();
        throw new Error(`haproxy did not start:\n${haproxy.output.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Each gateway server's state as HAProxy sees it, by name (gw1, gw2, …). */
  async serverStates(): Promise<Map<string, ServerState>> {
    const csv = await (await fetch(`http://127.0.0.1:${this.statsPort}/stats;csv`)).text();
    const states = new Map<string, ServerState>();
    for (const line of csv.split('\n')) {
      const cells = line.split(',');
      if (cells[0] === 'gateways' && cells[1]?.startsWith('gw')) states.set(cells[1], cells[17]!.split(' ')[0]!);
    }
    return states;
  }

  /** Resolve once HAProxy sees server `name` (gw1, …) in `state`. */
  async waitForState(name: string, state: 'UP' | 'DOWN', timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await this.serverStates();
      if (states.get(name) === state) return;
      if (Date.now() > deadline) throw new Error(`HAProxy did not see ${name} ${state} within ${timeoutMs} ms: ${JSON.stringify([...states])}`);
      await new Promise((resolve) => setTimeout(resolve, this.checkIntervalMs / 2));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function config(port: number, statsPort: number, backendPorts: readonly number[], checkIntervalMs: number): string {
  return `global
  maxconn 2000

defaults
  mode http
  timeout connect 2s
  timeout http-request 5s
  timeout client 30s
  timeout server 30s
  # After the upgrade: a WebSocket is never cut for being quiet.
  timeout tunnel 1h
  timeout client-fin 2s
  timeout server-fin 2s
  # A connection refused by a gateway that just died is retried on another one.
  retries 3
  option redispatch

frontend websocket
  bind 127.0.0.1:${port}
  default_backend gateways

frontend stats
  bind 127.0.0.1:${statsPort}
  stats enable
  stats uri /stats

backend gateways
  balance leastconn
  option httpchk GET /readyz
  # HTTP/1.1 with a Host header: uWS does not answer HAProxy's default HTTP/1.0 check at all.
  http-check send ver HTTP/1.1 hdr Host gateway
  http-check expect status 200
  default-server check inter ${checkIntervalMs}ms fall 2 rise 2
${backendPorts.map((p, i) => `  server gw${i + 1} 127.0.0.1:${p}`).join('\n')}
`;
}
