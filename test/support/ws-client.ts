// A WebSocket client for tests: records every frame and close, and waits on events (never sleeps).
import WebSocket from 'ws';

export interface ReceivedClose {
  code: number;
  reason: string;
}

export class TestClient {
  readonly messages: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  readonly closed: Promise<ReceivedClose>;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : String(data);
      this.raw.push(text);
      try {
        this.messages.push(JSON.parse(text) as Record<string, unknown>);
      } catch {
        this.messages.push({ unparsable: text });
      }
      this.wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      this.wake();
    }));
  }

  /** Open a connection; rejects with the HTTP status (as `status`) when the upgrade is refused. */
  static connect(url: string, protocols?: string[], headers?: Record<string, string>): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, { headers });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body })));
      });
      ws.once('error', (err) => reject(err));
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Wait until `predicate` holds over everything received so far. */
  async waitUntil(predicate: (messages: Array<Record<string, unknown>>) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received ${this.messages.length}: ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Wait for the next message matching `match` that arrives after index `from` and return it. */
  async next(match: (m: Record<string, unknown>) => boolean, from = 0, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    let found: Record<string, unknown> | undefined;
    await this.waitUntil((ms) => (found = ms.slice(from).find(match)) !== undefined, timeoutMs, 'a matching message');
    return found!;
  }

  /** Ping and wait for its pong: actions are handled in order, so the pong proves every earlier action took effect. */
  async settle(): Promise<void> {
    const from = this.messages.length;
    this.send({ action: 'ping' });
    await this.next((m) => m.type === 'pong', from);
  }

  ofType(type: string): Array<Record<string, unknown>> {
    return this.messages.filter((m) => m.type === type);
  }

  close(): void {
    this.ws.close(1000);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
