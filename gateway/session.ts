// One WebSocket connection's state. The socket is a small structural type (not uWS's class), so
// the protocol logic can be unit-tested with plain objects.
import { CloseCode, type ErrorCode } from '../shared/protocol/index.ts';
import type { StreamId } from '../shared/bus/stream-id.ts';
import type { Endpoint } from './endpoints.ts';
import type { CompiledFilter } from './filter/filter.ts';
import type { Principal } from './auth/authenticator.ts';
import type { Replay } from './replay.ts';

/** The part of uWS's WebSocket a session uses. send: 1 sent, 0 buffered, 2 dropped (over the limit). */
export interface SocketLike {
  send(message: string, isBinary?: boolean, compress?: boolean): number;
  cork(cb: () => void): unknown;
  end(code?: number, reason?: string): void;
  close(): void;
  getBufferedAmount(): number;
}

export interface SessionCounters {
  framesOut: number;
  slowConsumerDrops: number;
}

export class Session {
  /** Position in its filter group's member array (owned by the hub, for O(1) removal). */
  groupIndex = -1;
  groupKey = '';
  filter: CompiledFilter;
  /** Metrics delivery interval in ms (metrics and combined endpoints). */
  interval: number;
  /** Metrics delivery bookkeeping (ms since epoch), owned by the metrics clock. */
  metricsDueAt = 0;
  metricsSlot = -1;
  metricsSentAt = 0;
  lastActivityAt = Date.now();
  closed = false;
  /** Newest id sent per stream: a replay never sends one of these (or older) again. */
  readonly sent = new Map<string, StreamId>();
  /** Set while history is being replayed to this session: live frames wait in it. */
  replay: Replay | undefined;

  constructor(
    readonly id: number,
    readonly socket: SocketLike,
    readonly endpoint: Endpoint,
    readonly principal: Principal,
    filter: CompiledFilter,
    interval: number,
    private readonly counters: SessionCounters,
    private readonly maxBackpressure: number,
  ) {
    this.filter = filter;
    this.interval = interval;
  }

  /**
   * Write a batch of frames in one corked write (one syscall instead of one per frame). A client
   * that cannot keep up is closed with SLOW_CONSUMER rather than buffered without bound; it can
   * reconnect and resume from its last id. `newest` is the newest id per stream among the frames.
   */
  sendFrames(frames: readonly string[], newest?: readonly StreamId[]): void {
    if (this.closed) return;
    const socket = this.socket;
    if (socket.getBufferedAmount() > this.maxBackpressure) {
      this.dropSlow();
      return;
    }
    let dropped = false;
    socket.cork(() => {
      for (let i = 0; i < frames.length; i++) {
        if (socket.send(frames[i]!, false, false) === 2) {
          dropped = true;
          break;
        }
      }
    });
    this.counters.framesOut += frames.length;
    if (dropped) return this.dropSlow();
    if (newest) for (let i = 0; i < newest.length; i++) this.sent.set(newest[i]!.stream, newest[i]!);
  }

  sendFrame(frame: string): void {
    this.sendFrames([frame]);
  }

  sendError(code: ErrorCode, message: string, extra?: Record<string, unknown>): void {
    this.sendFrame(JSON.stringify({ type: 'error', code, message, timestamp: new Date().toISOString(), ...extra }));
  }

  /** Close with a code and reason (reasons are capped at 123 bytes by the protocol). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end(code, reason.slice(0, 120));
  }

  private dropSlow(): void {
    this.counters.slowConsumerDrops++;
    this.close(CloseCode.SLOW_CONSUMER, 'slow consumer: too far behind; reconnect and resume');
    // A client that does not read may never take the close frame: cut it off after a grace period.
    const socket = this.socket;
    setTimeout(() => {
      try {
        socket.close();
      } catch {
        // already closed
      }
    }, 5000).unref();
  }
}
