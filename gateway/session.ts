// One WebSocket connection's state. The socket is a small structural type (not uWS's class), so
// the protocol logic can be unit-tested with plain objects.
import { CloseCode, type ErrorCode, type GatewayCloseCode } from '../shared/protocol/index.ts';
import { comparePositions, formatStreamId, type StreamId } from '../shared/bus/stream-id.ts';
import type { Endpoint } from './endpoints.ts';
import type { CompiledFilter } from './filter/filter.ts';
import type { FilterGroup } from './hub.ts';
import type { Principal } from './auth/authenticator.ts';
import type { Replay } from './replay.ts';

/**
 * A frame as written: the JSON text, or its UTF-8 bytes when one message goes to many connections
 * (encoded once then, instead of by uWS once per connection).
 */
export type Frame = string | Uint8Array;

/** The part of uWS's WebSocket a session uses. send: 1 sent, 0 buffered, 2 dropped (over the limit). */
export interface SocketLike {
  send(message: Frame, isBinary?: boolean, compress?: boolean): number;
  cork(cb: () => void): unknown;
  end(code?: number, reason?: string): void;
  close(): void;
  getBufferedAmount(): number;
}

// The cork callback's arguments live here rather than in a closure per call: the fan-out runs it
// once per connection per flush, and uWS calls it synchronously, so nothing can interleave.
let corkSocket: SocketLike;
let corkFrames: readonly Frame[] = [];
let corkFrom = 0;
let corkDropped = false;

function writeCorked(): void {
  corkDropped = false;
  const socket = corkSocket;
  const frames = corkFrames;
  for (let i = corkFrom; i < frames.length; i++) {
    if (socket.send(frames[i]!, false, false) === 2) {
      corkDropped = true;
      return;
    }
  }
}

/**
 * Bounds of Session.sentExactly: past either, `sent` alone decides what a replay skips. A first
 * subscribe comes within moments of open; a connection that never sends one must not keep ids.
 */
const MAX_EXACT_IDS = 1000;
const EXACT_WINDOW_MS = 10_000;

export interface SessionCounters {
  framesOut: number;
  slowConsumerDrops: number;
}

export class Session {
  /** Its filter group, and its position in the group's member array (owned by the hub, for O(1) removal). */
  group: FilterGroup | undefined;
  groupIndex = -1;
  /** Number of the first frame of its group not written to it yet (owned by the hub). */
  groupCursor = 0;
  filter: CompiledFilter;
  /** Metrics delivery interval in ms (metrics and combined endpoints). */
  interval: number;
  /** Metrics delivery bookkeeping (ms since epoch), owned by the metrics clock. */
  metricsDueAt = 0;
  metricsSlot = -1;
  metricsSentAt = 0;
  readonly openedAt = Date.now();
  lastActivityAt = this.openedAt;
  closed = false;
  /** Newest id sent per stream (created on first use: most connections never replay). */
  private sent: Map<string, StreamId> | undefined;
  /**
   * While true, every id sent is recorded exactly (in `sentExactly`, created on first use): from
   * open until the first `subscribe` has been handled, frames sent before a first `subscribe
   * {filter, since}` are not a contiguous run of the stream, so its replay skips exactly these
   * rather than everything up to the newest. Ends after that, or past its bounds.
   */
  private tracksExactly = false;
  private sentExactly: Set<string> | undefined;
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
  ) {
    this.filter = filter;
    this.interval = interval;
  }

  /**
   * Write a batch of frames in one corked write (one syscall instead of one per frame). A client
   * that cannot keep up is closed with SLOW_CONSUMER rather than buffered without bound; it can
   * reconnect and resume from its last id. Frames from `from` on are written; `newest` is the
   * newest id per stream among them, `ids` their ids (parallel to `frames`).
   */
  sendFrames(frames: readonly Frame[], newest?: readonly StreamId[], ids?: ReadonlyArray<StreamId | undefined>, from = 0): void {
    if (this.closed) return;
    corkSocket = this.socket;
    corkFrames = frames;
    corkFrom = from;
    this.socket.cork(writeCorked);
    this.counters.framesOut += frames.length - from;
    // uWS drops a frame (send answers 2) once MAX_BACKPRESSURE_BYTES are queued for this client.
    if (corkDropped) return this.dropSlow();
    if (newest) for (let i = 0; i < newest.length; i++) this.advanceSent(newest[i]!);
    if (this.tracksExactly && ids) this.recordSent(ids, from);
  }


  /** Move the newest-sent mark of a stream forward (a replay may send older ids after newer ones). */
  advanceSent(id: StreamId): void {
    const last = this.sent?.get(id.stream);
    if (!last || last.epoch !== id.epoch || last.ms < id.ms || (last.ms === id.ms && last.seq < id.seq)) (this.sent ??= new Map()).set(id.stream, id);
  }

  /** Was this id already sent on this session? (Exactly while tracking, else by the newest-sent marks.) */
  wasSent(id: StreamId): boolean {
    if (this.tracksExactly) return this.sentExactly?.has(formatStreamId(id)) ?? false;
    const sent = this.sent?.get(id.stream);
    return sent !== undefined && sent.epoch === id.epoch && comparePositions(id, sent) <= 0;
  }

  startExactTracking(): void {
    this.tracksExactly = true;
  }

  stopExactTracking(): void {
    this.tracksExactly = false;
    this.sentExactly = undefined;
  }

  get tracking(): boolean {
    return this.tracksExactly;
  }

  recordSent(ids: ReadonlyArray<StreamId | undefined>, from = 0): void {
    if (!this.tracksExactly) return;
    const exact = (this.sentExactly ??= new Set());
    for (let i = from; i < ids.length; i++) {
      const id = ids[i];
      if (id) exact.add(formatStreamId(id));
    }
    if (exact.size > MAX_EXACT_IDS || Date.now() - this.openedAt > EXACT_WINDOW_MS) this.stopExactTracking();
  }

  sendFrame(frame: Frame): void {
    this.sendFrames([frame]);
  }

  sendError(code: ErrorCode, message: string, extra?: Record<string, unknown>): void {
    this.sendFrame(JSON.stringify({ type: 'error', code, message, timestamp: new Date().toISOString(), ...extra }));
  }

  /** Close with a code of the close-code table and a reason (reasons are capped at 123 bytes by the protocol). */
  close(code: GatewayCloseCode, reason: string): void {
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
