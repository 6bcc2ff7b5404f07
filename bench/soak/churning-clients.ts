// The soak's clients: each keeps one WebSocket to a gateway and, every few seconds, does what real
// clients do over hours — changes its filter, changes its metrics interval, pings, drops and
// reconnects (to any gateway) resuming with `since`, or starts over as a new client. Filters are
// drawn from a large space, so filter groups are created and deleted all the time.
//
// They also check what they receive: within a stream (and epoch) ids only increase, across filter
// changes and resumes alike. A repeat or a step back is counted as out of order; the soak fails on it.
import WebSocket from 'ws';

type Endpoint = 'logs' | 'metrics' | 'combined';

export interface ClientTally {
  frames: number;
  connects: number;
  resumes: number;
  filterChanges: number;
  intervalChanges: number;
  /** Ids that did not increase within their stream and epoch. */
  outOfOrder: number;
  /** The first few of them: the id, the one before it, and what the client had last done. */
  readonly outOfOrderExamples: string[];
  /** Ids a `subscribe` with `since` replayed behind the newest one received, in order (see replayFrom). */
  replayedBehind: number;
  /** HISTORY_TRUNCATED errors (allowed: a resume older than the history kept). */
  truncated: number;
  /** Every other error code received, and closes the client did not ask for, by code. */
  readonly errors: Map<string, number>;
}

export interface ChurnOptions {
  /** ws://host:port of each gateway. */
  readonly gateways: readonly string[];
  readonly apiKey: string;
  readonly count: number;
  readonly sites: readonly string[];
  readonly sources: readonly string[];
  /** Mean seconds between one client's actions. */
  readonly actEverySeconds: number;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'critical'] as const;
const PATTERNS = ['denied', 'DENIED.*feature', 'license', 'error|fail', '^lmgrd', 'checkout'];
/** Sources nobody publishes: each a filter group of its own, created and deleted as clients churn. */
const RARE_SOURCES = 5000;
const ID_RE = /^(.*):([^:]+):(\d+)-(\d+)$/;

/** Whether `a` comes after `b` in their stream (same epoch). */
const after = (a: Position, b: Position) => a.ms > b.ms || (a.ms === b.ms && a.seq > b.seq);
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const chance = (p: number) => Math.random() < p;

interface Position {
  readonly epoch: string;
  readonly ms: number;
  readonly seq: number;
  readonly id: string;
}

class SoakClient {
  private ws: WebSocket | undefined;
  private endpoint: Endpoint = 'combined';
  private filter: Record<string, unknown> | null = null;
  private interval: number | undefined;
  private readonly last = new Map<string, Position>();
  /**
   * Per stream, the `since` of a `subscribe` sent on a live connection, and the ids received since.
   * Live frames under the old filter may arrive after it was sent; the replay then brings what the
   * new filter takes after `since`, which can sit behind them. Such an id is in order as long as it
   * is after `since` and not one already received; the window stays open until the client's next action.
   */
  private readonly replayFrom = new Map<string, { from: Position; received: Set<string> }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastAction = 'connected';

  constructor(private readonly options: ChurnOptions, private readonly tally: ClientTally) {}

  start(): void {
    this.startOver();
    this.connect();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000);
  }

  /** A new client: new endpoint, filter and interval, nothing to resume. */
  private startOver(): void {
    this.endpoint = pick(['logs', 'logs', 'metrics', 'combined', 'combined'] as const);
    this.filter = this.randomFilter();
    this.interval = this.endpoint === 'logs' ? undefined : this.randomInterval();
    this.last.clear();
    this.replayFrom.clear();
  }

  private randomFilter(): Record<string, unknown> | null {
    if (chance(0.15)) return null;
    const filter: Record<string, unknown> = {};
    if (chance(0.5)) filter.site = pick(this.options.sites);
    if (chance(0.5)) filter.source = chance(0.5) ? pick(this.options.sources) : `soak-${Math.floor(Math.random() * RARE_SOURCES)}`;
    if (this.endpoint !== 'metrics') {
      if (chance(0.5)) filter.level = [pick(LEVELS), ...LEVELS.filter(() => chance(0.3))];
      if (chance(0.3)) filter.pattern = pick(PATTERNS);
    }
    return filter;
  }

  private randomInterval(): number {
    return pick([500, 1000, 2000, 5000, 10_000]);
  }

  private url(): string {
    const params = new URLSearchParams({ api_key: this.options.apiKey });
    for (const [key, value] of Object.entries(this.filter ?? {})) {
      if (Array.isArray(value)) {
        if (value.length) params.set(key, value.join(','));
      } else params.set(key, String(value));
    }
    if (this.interval !== undefined) params.set('interval', String(this.interval));
    if (this.last.size && this.endpoint !== 'metrics') params.set('since', this.sinceIds());
    return `${pick(this.options.gateways)}/ws/${this.endpoint}?${params.toString()}`;
  }

  /** The last id seen in each stream: a `since` value. */
  private sinceIds(): string {
    return [...this.last.values()].map((p) => p.id).join(',');
  }

  private connect(): void {
    if (this.stopped) return;
    const resuming = this.last.size > 0;
    this.lastAction = resuming ? 'resumed' : 'connected';
    this.replayFrom.clear();
    const ws = new WebSocket(this.url(), { perMessageDeflate: false });
    this.ws = ws;
    ws.on('open', () => {
      this.tally.connects++;
      if (resuming) this.tally.resumes++;
    });
    // A socket being closed may still deliver what was in flight: it belongs to the past connection,
    // and counting it would move the positions past the `since` the new one resumes from.
    ws.on('message', (data) => {
      if (this.ws === ws) this.receive(String(data));
    });
    ws.on('error', () => {
      // Reported by the close that follows.
    });
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (this.stopped) return;
      this.count(`close ${code}`);
      setTimeout(() => this.connect(), 1000).unref();
    });
  }

  private receive(text: string): void {
    this.tally.frames++;
    const message = JSON.parse(text) as { type: string; id?: string; code?: string };
    if (message.type === 'error') {
      if (message.code === 'HISTORY_TRUNCATED') this.tally.truncated++;
      else this.count(message.code ?? 'error without code');
      return;
    }
    if (message.id === undefined) return;
    const m = ID_RE.exec(message.id);
    if (!m) return this.count('malformed id');
    const [, stream, epoch, ms, seq] = m;
    const position = { epoch: epoch!, ms: Number(ms), seq: Number(seq), id: message.id };
    const previous = this.last.get(stream!);
    if (previous && previous.epoch === epoch && !after(position, previous)) {
      const window = this.replayFrom.get(stream!);
      if (window && window.from.epoch === epoch && after(position, window.from) && !window.received.has(position.id)) {
        window.received.add(position.id);
        this.tally.replayedBehind++;
        return;
      }
      this.tally.outOfOrder++;
      if (this.tally.outOfOrderExamples.length < 10) this.tally.outOfOrderExamples.push(`${message.id} after ${previous.id} (${message.type}; ${this.lastAction})`);
    }
    this.replayFrom.get(stream!)?.received.add(position.id);
    this.last.set(stream!, position);
  }

  private count(what: string): void {
    this.tally.errors.set(what, (this.tally.errors.get(what) ?? 0) + 1);
  }

  private schedule(): void {
    const delay = this.options.actEverySeconds * 1000 * (0.5 + Math.random());
    this.timer = setTimeout(() => {
      this.act();
      this.schedule();
    }, delay);
    this.timer.unref();
  }

  private act(): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    this.replayFrom.clear();
    const roll = Math.random();
    if (roll < 0.35) {
      this.filter = this.randomFilter();
      this.tally.filterChanges++;
      // Half as `filter` (live from now), half as `subscribe` with `since` (replay of what the new filter takes).
      const since = this.last.size && this.endpoint !== 'metrics' && chance(0.5) ? this.sinceIds() : undefined;
      if (since) for (const [stream, position] of this.last) this.replayFrom.set(stream, { from: position, received: new Set() });
      ws.send(JSON.stringify(since ? { action: 'subscribe', filter: this.filter, since } : { action: 'filter', filter: this.filter }));
      this.lastAction = since ? `subscribe since ${since}` : 'filter';
    } else if (roll < 0.55 && this.endpoint !== 'logs') {
      this.interval = this.randomInterval();
      this.tally.intervalChanges++;
      ws.send(JSON.stringify({ action: 'configure', interval: this.interval }));
    } else if (roll < 0.7) {
      ws.send('{"action":"ping"}');
    } else {
      // Drop and come back: mostly resuming, sometimes as a new client.
      if (chance(0.2)) this.startOver();
      this.ws = undefined;
      ws.close(1000);
      this.connect();
    }
  }
}

export class ChurningClients {
  readonly tally: ClientTally = { frames: 0, connects: 0, resumes: 0, filterChanges: 0, intervalChanges: 0, outOfOrder: 0, outOfOrderExamples: [], replayedBehind: 0, truncated: 0, errors: new Map() };
  private readonly clients: SoakClient[];

  constructor(options: ChurnOptions) {
    this.clients = Array.from({ length: options.count }, () => new SoakClient(options, this.tally));
  }

  /** Start every client, spread over `spreadMs` so the gateways see a stream of joins, not a burst. */
  async start(spreadMs: number): Promise<void> {
    for (const client of this.clients) {
      client.start();
      await new Promise((resolve) => setTimeout(resolve, spreadMs / this.clients.length));
    }
  }

  stop(): void {
    for (const client of this.clients) client.stop();
  }
}
