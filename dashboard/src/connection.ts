// The dashboard's connections to the gateway, through the client SDK (reconnect with backoff,
// resume with no gap and no duplicate). One /ws/combined connection, unfiltered, feeds the farm,
// the charts, the alerts and — while the log tail has no filter — the tail. The spec's filter
// narrows every event on its connection, alerts included, so a filtered tail gets a /ws/logs
// connection of its own with the filter applied by the gateway; meanwhile the combined
// connection's logs go unused. Both ask for the current state when they open: the alerts firing
// now (with their original timestamps, so the alerts panel shows how long each has fired) and the
// last lines of each site, so the page is not blank until something changes.
import {
  CloseCode, ErrorCode, LicmonClient, type AlertMessage, type ConnectionState, type ErrorMessage, type Filter, type LogMessage, type MetricsMessage, type StateChange,
} from '@licmon/client';

export interface ConnectionView {
  readonly state: ConnectionState;
  /** A line for people: why it is not live, what happens next. */
  readonly detail: string;
}

export interface ConnectionEvents {
  log(message: LogMessage): void;
  alert(message: AlertMessage): void;
  metrics(message: MetricsMessage): void;
  /** The state shown: the worse of the two connections'. */
  state(view: ConnectionView): void;
  /** The combined connection stopped for good because of the key: ask for another. */
  keyRefused(reason: string): void;
  /** The gateway rejected the tail's filter; the tail is back on the unfiltered stream. */
  tailFilterRejected(reason: string): void;
  /** Something the log tail should mention (a gap in the kept history). */
  notice(text: string): void;
}

/** Metrics once a second per source: smooth charts, still far below what a browser can draw. */
const METRICS_INTERVAL_MS = 1000;
/** Log lines of each site the tail starts with, from history. */
const TAIL_LINES_ON_OPEN = 200;
/** A dashboard on a wall retries for ever, at most every 10 s. */
const RETRY = { maxRetries: Number.POSITIVE_INFINITY, maxDelay: 10_000 };
const WORSE: Record<ConnectionState, number> = { live: 0, resumed: 1, connecting: 2, reconnecting: 3, closed: 4 };

export class DashboardConnection {
  private readonly combined: LicmonClient;
  private tail: LicmonClient | undefined;
  private readonly changes = new Map<LicmonClient, StateChange>();
  private everLive = false;

  constructor(private readonly baseUrl: string, private readonly apiKey: string, private readonly events: ConnectionEvents) {
    this.combined = this.client({ endpoint: 'combined', interval: METRICS_INTERVAL_MS, activeAlerts: true, lines: TAIL_LINES_ON_OPEN });
    this.combined.on('log', (log) => {
      if (!this.tail) events.log(log);
    });
    this.combined.on('alert', (alert) => events.alert(alert));
    this.combined.on('metrics', (metrics) => events.metrics(metrics));
    this.combined.on('state', (change) => {
      if (change.state === 'closed' && (change.because === 'unauthorized' || change.because === 'forbidden')) {
        events.keyRefused(change.because === 'unauthorized' ? 'the gateway no longer accepts this key' : 'this key may not open /ws/combined');
      }
    });
    this.combined.connect();
  }

  /** Filter the log tail on the gateway (null: everything). */
  setTailFilter(filter: Filter | null): void {
    this.dropTail();
    if (filter === null) return this.publishState();
    const tail = this.client({ endpoint: 'logs', filter, lines: TAIL_LINES_ON_OPEN });
    this.tail = tail;
    tail.on('log', (log) => this.events.log(log));
    tail.on('error', (error) => {
      if (error.code === ErrorCode.INVALID_FILTER) this.rejectTailFilter(tail, error.message);
    });
    tail.on('state', (change) => {
      // 4400: the filter on the URL is invalid; the client stops, since reconnecting with it cannot help.
      if (change.state === 'closed' && change.code === CloseCode.INVALID_REQUEST) this.rejectTailFilter(tail, change.reason || 'invalid filter');
    });
    tail.connect();
  }

  close(): void {
    this.dropTail();
    this.combined.close();
  }

  private client(options: { endpoint: 'combined' | 'logs'; interval?: number; filter?: Filter; activeAlerts?: boolean; lines?: number }): LicmonClient {
    const client = new LicmonClient({ url: this.baseUrl, apiKey: this.apiKey, ...options, ...RETRY });
    client.on('state', (change) => {
      if (client !== this.combined && client !== this.tail) return; // a dropped tail closing
      this.changes.set(client, change);
      this.publishState();
    });
    client.on('error', (error: ErrorMessage) => {
      if (error.code === ErrorCode.HISTORY_TRUNCATED) this.events.notice(`some ${client.endpoint === 'logs' ? 'filtered ' : ''}log lines were no longer kept by the gateway and are missing here`);
    });
    return client;
  }

  private rejectTailFilter(tail: LicmonClient, reason: string): void {
    if (this.tail !== tail) return;
    this.dropTail();
    this.publishState();
    this.events.tailFilterRejected(reason);
  }

  private dropTail(): void {
    const tail = this.tail;
    this.tail = undefined;
    if (!tail) return;
    tail.close();
    this.changes.delete(tail);
  }

  private publishState(): void {
    let worst: StateChange | undefined;
    for (const client of [this.combined, this.tail]) {
      const change = client && this.changes.get(client);
      if (change && (!worst || WORSE[change.state] > WORSE[worst.state])) worst = change;
    }
    if (!worst) return;
    if (worst.state === 'live' || worst.state === 'resumed') this.everLive = true;
    this.events.state({ state: worst.state, detail: this.describe(worst) });
  }

  private describe(change: StateChange): string {
    switch (change.state) {
      case 'live':
        return 'receiving';
      case 'resumed':
        return 'reconnected; nothing missed';
      case 'connecting':
        return 'connecting…';
      case 'reconnecting': {
        const closed = change.code !== undefined ? ` (closed ${change.code}${change.reason ? `: ${change.reason}` : ''})` : '';
        // A browser sees a refused upgrade (wrong key) exactly like an unreachable gateway.
        const hint = this.everLive ? '' : ' — never connected: is the key right?';
        return `attempt ${change.attempt ?? 1} in ${((change.delay ?? 0) / 1000).toFixed(1)} s${closed}${hint}`;
      }
      case 'closed':
        return `stopped (${change.because ?? 'closed'}${change.reason ? `: ${change.reason}` : ''}) — reload to reconnect`;
    }
  }
}
