// The two ends of a zero-loss test: a publisher of numbered logs at a steady rate, and clients
// (the SDK, through the balancer) that record the numbers they deliver. Every client must end up
// with 1..N exactly once, in order; and no single WebSocket may be sent the same id twice (the
// gateway's promise, checked below the SDK's own de-duplication).
import WebSocket from 'ws';
import { LicmonClient, type Filter, type StateChange, type WebSocketConstructor } from '../../client/index.ts';
import type { Bus } from '../../shared/bus/index.ts';
import type { StreamMessage } from '../../shared/protocol/index.ts';

/** Publishes log n = 1, 2, … on one site at about `perSecond`, without waiting for Redis: the bus buffers. */
export class NumberedPublisher {
  count = 0;
  readonly failures: string[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly bus: Bus, readonly site: string, private readonly perSecond: number) {}

  start(): this {
    // Ticks of 20 ms publish what is due, so the rate holds even when timers run late.
    const startedAt = Date.now();
    this.timer = setInterval(() => {
      const due = Math.floor(((Date.now() - startedAt) / 1000) * this.perSecond) + 1;
      while (this.count < due) this.publishNext();
    }, 20);
    return this;
  }

  /** Stop publishing and wait until every message was accepted by Redis; resolves with N. */
  async stop(): Promise<number> {
    clearInterval(this.timer);
    await Promise.all(this.pending);
    return this.count;
  }

  private publishNext(): void {
    const n = ++this.count;
    const message = { type: 'log', timestamp: new Date().toISOString(), level: 'info', message: `n=${n}`, source: 'failover-test', site: this.site, metadata: { n } } as StreamMessage;
    const done: Promise<void> = this.bus.publish(message).then(
      () => void this.pending.delete(done),
      (err: unknown) => {
        this.pending.delete(done);
        this.failures.push(`n=${n}: ${String(err)}`);
      },
    );
    this.pending.add(done);
  }
}

/** Counts, across every connection an SDK client opens, ids that one connection received twice. */
function recordingWebSocket(onDuplicate: (id: string) => void): WebSocketConstructor {
  return class RecordingWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      const seen = new Set<string>();
      this.on('message', (data: WebSocket.RawData) => {
        const text = String(data);
        if (!text.startsWith('{"id":"')) return;
        const id = text.slice(7, text.indexOf('"', 7));
        if (seen.has(id)) onDuplicate(id);
        seen.add(id);
      });
    }
  } as unknown as WebSocketConstructor;
}

export interface NumberedClientOptions {
  readonly url: string;
  readonly apiKey: string;
  readonly site: string;
  /** Subscribe with a site filter (resume then goes in `subscribe`) instead of taking everything (`since` on the URL). */
  readonly filtered: boolean;
  /** Resume from here instead of starting live. */
  readonly since?: string;
}

/** An SDK client that records the numbers of one site's logs, its state changes and any duplicates. */
export class NumberedClient {
  readonly numbers: number[] = [];
  readonly states: StateChange[] = [];
  readonly errors: string[] = [];
  /** How many numbers the client had when each HISTORY_TRUNCATED arrived. */
  readonly truncatedAt: number[] = [];
  readonly wireDuplicates: string[] = [];
  readonly client: LicmonClient;

  constructor(readonly name: string, options: NumberedClientOptions) {
    const filter: Filter | null = options.filtered ? { site: options.site } : null;
    this.client = new LicmonClient({
      url: options.url,
      apiKey: options.apiKey,
      endpoint: 'logs',
      filter,
      ...(options.since ? { since: options.since } : {}),
      WebSocket: recordingWebSocket((id) => this.wireDuplicates.push(id)),
      baseDelay: 100,
      maxDelay: 1000,
      maxRetries: 200,
    });
    this.client.on('log', (log) => {
      if (log.site === options.site) this.numbers.push((log.metadata as { n: number }).n);
    });
    this.client.on('state', (change) => this.states.push(change));
    this.client.on('error', (error) => {
      this.errors.push(`${error.code}: ${error.message}`);
      if (error.code === 'HISTORY_TRUNCATED') this.truncatedAt.push(this.numbers.length);
    });
    this.client.connect();
  }

  get live(): boolean {
    return this.client.state === 'live' || this.client.state === 'resumed';
  }

  get last(): number {
    return this.numbers.at(-1) ?? 0;
  }

  /** How many times a connection of this client was closed and replaced. */
  get reconnects(): number {
    return this.states.filter((s) => s.state === 'reconnecting').length;
  }

  close(): void {
    this.client.close();
  }
}

/** A compact account of what each client got, for failure messages. */
export function describeClients(clients: readonly NumberedClient[]): string {
  return clients.map((c) => `${c.name}: ${c.numbers.length} numbers, last ${c.last}, state ${c.client.state}, ${c.reconnects} reconnects, errors [${c.errors.join('; ')}]`).join('\n');
}

/** The numbers' gaps and repeats, e.g. "missing 41-43; repeated 12", or '' when they are exactly from..to. */
export function sequenceProblems(numbers: readonly number[], from: number, to: number): string {
  const problems: string[] = [];
  const seen = new Set<number>();
  const repeated = numbers.filter((n) => seen.has(n) || !seen.add(n));
  if (repeated.length > 0) problems.push(`repeated ${repeated.slice(0, 10).join(',')}`);
  const missing: number[] = [];
  for (let n = from; n <= to; n++) if (!seen.has(n)) missing.push(n);
  if (missing.length > 0) problems.push(`missing ${missing.length} (first ${missing.slice(0, 10).join(',')})`);
  for (let i = 1; i < numbers.length; i++) {
    if (numbers[i]! < numbers[i - 1]!) {
      problems.push(`out of order at ${numbers[i - 1]} → ${numbers[i]}`);
      break;
    }
  }
  return problems.join('; ');
}

/**
 * The numbers a client skipped with no HISTORY_TRUNCATED between the last number it had and the
 * next one it got: a loss it was not told about. After a HISTORY_TRUNCATED what is kept follows,
 * so numbers may repeat or restart there; elsewhere they must go up by one.
 */
export function silentGaps(client: NumberedClient): string[] {
  const gaps: string[] = [];
  const { numbers, truncatedAt } = client;
  for (let i = 1; i < numbers.length; i++) {
    if (truncatedAt.includes(i)) continue;
    if (numbers[i] !== numbers[i - 1]! + 1) gaps.push(`${numbers[i - 1]} → ${numbers[i]} at ${i}`);
  }
  if (numbers[0] !== 1 && !truncatedAt.includes(0)) gaps.push(`starts at ${numbers[0]}`);
  return gaps;
}
