// Gateway processes on ports chosen up front, behind HAProxy: each can be killed, drained and
// started again on its own port, as a balancer's backend list expects.
import { Haproxy } from './haproxy.ts';
import { startGateway, type RunningGateway } from './processes.ts';
import { freePort } from './redis-server.ts';

export class GatewayFleet {
  readonly gateways: Array<RunningGateway | undefined>;

  private constructor(
    readonly ports: readonly number[],
    private readonly env: Record<string, string>,
    readonly haproxy: Haproxy,
  ) {
    this.gateways = ports.map(() => undefined);
  }

  /** `size` gateways with `env`, HAProxy in front; resolves once HAProxy sees every one UP. */
  static async start(size: number, env: Record<string, string>): Promise<GatewayFleet> {
    const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
    const haproxy = await Haproxy.start({ backendPorts: ports });
    const fleet = new GatewayFleet(ports, env, haproxy);
    try {
      await Promise.all(ports.map((_, i) => fleet.startOne(i)));
    } catch (err) {
      await fleet.stop();
      throw err;
    }
    return fleet;
  }

  /** HAProxy's server name of gateway i. */
  static serverName(i: number): string {
    return `gw${i + 1}`;
  }

  /** Start gateway i on its port and wait until HAProxy sends it clients. */
  async startOne(i: number): Promise<void> {
    this.gateways[i] = await startGateway({ ...this.env, PORT: String(this.ports[i]) });
    await this.haproxy.waitForState(GatewayFleet.serverName(i), 'UP');
  }

  /** kill -9 gateway i: its clients lose their connections at once, mid-stream. */
  async kill(i: number): Promise<void> {
    await this.gateways[i]?.kill();
    this.gateways[i] = undefined;
  }

  /**
   * SIGTERM gateway i and wait for its drain: HAProxy takes it out of rotation (its /readyz
   * says 503), then it closes its clients with 1012 and exits 0.
   */
  async drain(i: number): Promise<number | string> {
    const gateway = this.gateways[i]!;
    gateway.signal('SIGTERM');
    await this.haproxy.waitForState(GatewayFleet.serverName(i), 'DOWN');
    const code = await gateway.exited;
    this.gateways[i] = undefined;
    return code;
  }

  async stop(): Promise<void> {
    await this.haproxy.stop();
    await Promise.all(this.gateways.map((g) => g?.kill()));
  }
}
