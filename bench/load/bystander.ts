// A bystander: one connection that pings the server steadily (the next ping when the pong is in,
// and not sooner than PING_EVERY_MS after the last) and keeps the worst round trip. It stands for
// every client not involved in what a scenario does to the server: if the server's event loop
// stalls, the bystander's pong waits.
//
// Each round trip is measured twice: in wall time, and in the CPU time the server's main thread
// (its event loop) spent meanwhile. On a machine shared with other work the wall time also counts
// the server waiting for a core; the main thread's CPU time counts only the work it did before it
// answered — the stall its code caused, which is what a server with a core to itself would show
// as wall time. (Concurrent GC threads are left out: they do not hold up the event loop.)
import WebSocket from 'ws';
import { cpuSeconds } from '../proc-stats.ts';
import type { ConnectionTarget } from './ws-connection.ts';

const PING = '{"action":"ping"}';
/**
 * 40 pings/s: under the gateway's default per-connection rate limit (50/s), which would otherwise
 * ignore pings (and the bystander would wait for pongs that never come). A stall longer than
 * this still shows: the ping sent during it waits for it to end.
 */
const PING_EVERY_MS = 25;

export class Bystander {
  /** Round trips since the last take(). */
  private pings = 0;
  private worstMs = 0;
  private worstCpuMs = 0;
  private sentAt = 0;
  private sentAtCpu = 0;
  private inFlight = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly ws: WebSocket,
    /** The server process whose CPU time is read (/proc). */
    private readonly serverPid: number,
  ) {
    ws.on('message', (data) => {
      if (!String(data).includes('"pong"')) return;
      const ms = performance.now() - this.sentAt;
      const cpuMs = this.serverCpuMs() - this.sentAtCpu;
      this.inFlight = false;
      this.pings++;
      if (ms > this.worstMs) this.worstMs = ms;
      if (cpuMs > this.worstCpuMs) this.worstCpuMs = cpuMs;
      if (!this.stopped) this.timer = setTimeout(() => this.ping(), Math.max(0, this.sentAt + PING_EVERY_MS - performance.now()));
    });
  }

  static open(target: ConnectionTarget, serverPid: number): Promise<Bystander> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${target.host}:${target.port}${target.path}`);
      ws.once('error', reject);
      ws.once('open', () => {
        const bystander = new Bystander(ws, serverPid);
        bystander.ping();
        resolve(bystander);
      });
    });
  }

  /** The worst round trip (wall and server CPU time, ms) and the number of pings since the last take (or the start). */
  take(): { worstMs: number; worstCpuMs: number; pings: number } {
    // A ping still waiting counts with what it has waited so far: a stall must not hide in flight.
    const waiting = this.inFlight ? performance.now() - this.sentAt : 0;
    const waitingCpu = this.inFlight ? this.serverCpuMs() - this.sentAtCpu : 0;
    const taken = { worstMs: Math.max(this.worstMs, waiting), worstCpuMs: Math.max(this.worstCpuMs, waitingCpu), pings: this.pings };
    this.worstMs = 0;
    this.worstCpuMs = 0;
    this.pings = 0;
    return taken;
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws.close();
  }

  /** In clock ticks (10 ms): a round trip reads as 0, 10, 20… ms of server CPU. */
  private serverCpuMs(): number {
    return cpuSeconds(this.serverPid, true) * 1000;
  }

  private ping(): void {
    this.sentAt = performance.now();
    this.sentAtCpu = this.serverCpuMs();
    this.inFlight = true;
    this.ws.send(PING);
  }
}
