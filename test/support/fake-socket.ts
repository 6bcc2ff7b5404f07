// A plain object standing in for uWS's WebSocket, for unit tests of sessions, hub and clock.
import type { Frame, SocketLike } from '../../gateway/session.ts';

export class FakeSocket implements SocketLike {
  readonly sent: string[] = [];
  /** The frames exactly as given to send (strings, or the bytes shared by many connections). */
  readonly frames: Frame[] = [];
  corks = 0;
  buffered = 0;
  /** What send() returns: 1 sent, 0 buffered, 2 dropped. */
  sendResult = 1;
  closedWith: { code?: number; reason?: string } | undefined;

  send(message: Frame): number {
    this.frames.push(message);
    this.sent.push(typeof message === 'string' ? message : Buffer.from(message).toString());
    return this.sendResult;
  }
  cork(cb: () => void): void {
    this.corks++;
    cb();
  }
  end(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }
  close(): void {
    this.closedWith ??= {};
  }
  getBufferedAmount(): number {
    return this.buffered;
  }
  json(): Array<Record<string, unknown>> {
    return this.sent.map((s) => JSON.parse(s) as Record<string, unknown>);
  }
}
