// One load-generator connection: a TCP socket, the HTTP upgrade written by hand, and a frame
// parser that walks frame headers and counts data frames without decoding them. Only "probe"
// connections look inside payloads (for the send timestamp), which is what lets one core take
// millions of frames per second. Socket.IO is spoken at its minimum: engine.io v4 over the
// WebSocket transport (open packet "0…", connect "40", events "42[…]", ping "2" → pong "3").
import { connect, type Socket } from 'node:net';
import { monotonicMicros } from '../workload/clock.ts';
import { SEND_TIME_KEY } from '../workload/log-mix.ts';

export type WireProtocol = 'ws' | 'socketio';

export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  /** Request path with query, e.g. `/ws/logs?api_key=k` or `/socket.io/?EIO=4&transport=websocket`. */
  readonly path: string;
  readonly protocol: WireProtocol;
}

export interface ConnectionEvents {
  /** The pong answering the last setup frame arrived: the server has handled the setup. */
  ready(conn: WsConnection): void;
  /** A probe connection received a frame sent `micros` ago. */
  latency(micros: number): void;
  closed(conn: WsConnection, error: string | undefined): void;
}

const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
const HEADER_END = Buffer.from('\r\n\r\n');
const BT = Buffer.from(SEND_TIME_KEY);
/** Every system answers the `ping` action with a frame containing this (`{"type":"pong"…`, `42["pong"…`). */
const PONG = Buffer.from('pong"');
const NORMAL_CLOSURE = Buffer.from([0x03, 0xe8]); // 1000
const LEAVE_TIMEOUT_MS = 10_000;
const CHAR_0 = 0x30;
const CHAR_2 = 0x32;
const CHAR_4 = 0x34;
const READ_BUFFER = Buffer.alloc(256 * 1024);
/** Frames whose payload the parser keeps even when not probing: control and handshake packets. */
const SMALL_FRAME = 128;

export class WsConnection {
  /** Data frames since the last reset. */
  frames = 0;
  /** Arrival of the first and last data frame since the last reset (µs), when timing arrivals. */
  firstAt = 0;
  lastAt = 0;
  ready = false;
  closed = false;
  closeCode = 0;

  private readonly socket: Socket;
  private handshakeDone = false;
  private pending: Buffer | undefined;
  // Frame parser state: inside a payload, `remaining` bytes are left of it.
  private remaining = 0;
  private opcode = 0;
  private fin = true;
  private keep = false;
  private parts: Buffer[] = [];

  constructor(
    private readonly target: ConnectionTarget,
    private readonly setup: readonly string[],
    readonly group: number,
    readonly probe: boolean,
    private readonly timeArrivals: boolean,
    private readonly events: ConnectionEvents,
    localAddress: string | undefined,
  ) {
    // `onread` reads into one shared buffer: no Buffer allocated and no stream machinery per read.
    const onread = { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => this.onData(buf.subarray(0, n) as Buffer) };
    this.socket = connect({ host: target.host, port: target.port, localAddress, noDelay: true, onread });
    this.socket.on('connect', () => this.socket.write(this.upgradeRequest()));
    this.socket.on('error', (err) => this.finish(err.message));
    this.socket.on('close', () => this.finish(undefined));
  }

  /** Stop (or resume) reading: a paused client's kernel buffers fill and the server sees backpressure. */
  reading(on: boolean): void {
    if (on) this.socket.resume();
    else this.socket.pause();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /**
   * Leave as a client does: a close frame (1000), resolved once the server has answered it and the
   * socket is closed — the server has handled the leave. A server that never answers is cut off.
   */
  leave(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      const cutOff = setTimeout(() => this.socket.destroy(), LEAVE_TIMEOUT_MS);
      this.socket.once('close', () => {
        clearTimeout(cutOff);
        resolve();
      });
      this.sendFrame(OP_CLOSE, NORMAL_CLOSURE);
    });
  }

  sendText(text: string): void {
    this.sendFrame(0x1, Buffer.from(text));
  }

  private upgradeRequest(): string {
    const { host, port, path } = this.target;
    return (
      `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: bGljbW9uLWJlbmNoLWtleQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'
    );
  }

  /** Client frames must be masked; an all-zero mask key is valid and leaves the payload as is. */
  private sendFrame(opcode: number, payload: Buffer): void {
    if (this.closed) return;
    const n = payload.length;
    const header = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n, 0, 0, 0, 0]) : Buffer.from([0x80 | opcode, 0x80 | 126, n >> 8, n & 0xff, 0, 0, 0, 0]);
    this.socket.write(Buffer.concat([header, payload]));
  }

  /** `chunk` is only valid during this call (the read buffer is shared): anything kept is copied. */
  private onData(chunk: Buffer): boolean {
    if (this.pending) {
      chunk = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    if (!this.handshakeDone) {
      const end = chunk.indexOf(HEADER_END);
      if (end < 0) {
        this.pending = Buffer.from(chunk);
        return true;
      }
      if (!chunk.subarray(0, 16).toString('latin1').includes(' 101 ')) {
        this.finish(`upgrade refused: ${chunk.subarray(0, Math.min(end, 120)).toString('latin1').split('\r\n')[0]}`);
        this.socket.destroy();
        return false;
      }
      this.handshakeDone = true;
      if (this.target.protocol === 'ws') this.sendSetup();
      chunk = chunk.subarray(end + HEADER_END.length);
    }
    const now = this.probe || this.timeArrivals ? monotonicMicros() : 0;
    const len = chunk.length;
    let i = 0;
    while (i < len) {
      if (this.remaining === 0) {
        // A frame header: 2 bytes, then a 16- or 64-bit length. Server frames are never masked.
        if (len - i < 10 && !this.headerFits(chunk, i)) {
          this.pending = Buffer.from(chunk.subarray(i));
          return true;
        }
        const b0 = chunk[i]!;
        const len7 = chunk[i + 1]! & 0x7f;
        this.fin = (b0 & 0x80) !== 0;
        this.opcode = b0 & 0x0f;
        let size: number;
        if (len7 < 126) {
          size = len7;
          i += 2;
        } else if (len7 === 126) {
          size = chunk.readUInt16BE(i + 2);
          i += 4;
        } else {
          size = Number(chunk.readBigUInt64BE(i + 2));
          i += 10;
        }
        this.keep = this.probe || !this.ready || this.opcode >= OP_CLOSE || size <= SMALL_FRAME || this.target.protocol === 'socketio';
        if (size === 0) {
          this.endFrame(now);
          continue;
        }
        this.remaining = size;
      }
      const take = Math.min(this.remaining, len - i);
      this.remaining -= take;
      // A payload that ends in this chunk is used right away; one that goes on must be copied.
      if (this.keep) this.parts.push(this.remaining === 0 ? chunk.subarray(i, i + take) : Buffer.from(chunk.subarray(i, i + take)));
      i += take;
      if (this.remaining === 0) this.endFrame(now);
    }
    return true;
  }

  private headerFits(chunk: Buffer, i: number): boolean {
    const avail = chunk.length - i;
    if (avail < 2) return false;
    const len7 = chunk[i + 1]! & 0x7f;
    return avail >= (len7 < 126 ? 2 : len7 === 126 ? 4 : 10);
  }

  private endFrame(now: number): void {
    const parts = this.parts;
    const payload = parts.length === 0 ? EMPTY : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (parts.length > 0) this.parts = [];
    const opcode = this.opcode;
    if (opcode >= OP_CLOSE) {
      if (opcode === OP_PING) this.sendFrame(OP_PONG, payload);
      else if (opcode === OP_CLOSE) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.socket.end();
      }
      return;
    }
    if (!this.fin) return; // a fragment: the message is counted on its final frame
    if (this.target.protocol === 'socketio' && !this.socketIoEvent(payload)) return;
    if (!this.ready) {
      // Replies to setup frames (an early snapshot, say) may come first; the pong comes last.
      if (payload.indexOf(PONG) >= 0) {
        this.ready = true;
        this.events.ready(this);
      }
      return;
    }
    this.frames++;
    if (this.timeArrivals) {
      if (this.firstAt === 0) this.firstAt = now;
      this.lastAt = now;
    }
    if (this.probe) {
      const sent = readSendTime(payload);
      if (sent > 0) this.events.latency(now - sent);
    }
  }

  /** Handle engine.io / Socket.IO packets; true for an event packet ("42…"), which counts as data. */
  private socketIoEvent(payload: Buffer): boolean {
    const first = payload[0];
    if (first === CHAR_4 && payload[1] === CHAR_2) return true;
    if (first === CHAR_2 && payload.length === 1) this.sendText('3'); // engine.io ping → pong
    else if (first === CHAR_0) this.sendText('40'); // engine.io open → Socket.IO connect
    else if (first === CHAR_4 && payload[1] === CHAR_0) this.sendSetup(); // connected to "/"
    return false;
  }

  private sendSetup(): void {
    for (const text of this.setup) this.sendText(text);
  }

  private finish(error: string | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.events.closed(this, error);
  }
}

const EMPTY = Buffer.alloc(0);

/** The integer after `"bt":` in a frame, or 0 when there is none. */
function readSendTime(payload: Buffer): number {
  let at = payload.indexOf(BT);
  if (at < 0) return 0;
  at += BT.length;
  let value = 0;
  for (let c = payload[at]; c !== undefined && c >= 0x30 && c <= 0x39; c = payload[++at]) value = value * 10 + (c - 0x30);
  return value;
}
