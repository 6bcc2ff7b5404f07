// LicmonClient: the spec's ReconnectingWebSocket done properly. One client is one logical
// subscription that outlives its WebSockets: it reconnects with jittered backoff, re-sends its
// filter and interval, resumes every stream from the last id it delivered, never delivers an id
// twice, keeps the connection alive with pings, and tells its state as it changes.
//
// Each connection carries its filter, interval and `since` on the URL, so the gateway applies
// them before the first frame: a resume replays, filtered, from the moment the connection opens,
// and nothing the subscription did not ask for ever arrives. A ping follows; its pong marks the
// connection live. (A filter the URL cannot carry — a source containing a comma — goes in a
// `subscribe` instead, and frames before its pong predate the subscription and are not delivered.)
import {
  CloseCode, ErrorCode, shouldReconnect,
  type AlertMessage, type ErrorMessage, type FinalCloseCode, type Filter, type LogMessage, type MetricsMessage,
} from './protocol.ts';
import { RECONNECT_DEFAULTS, backoffDelay } from './backoff.ts';
import { ResumeTracker } from './resume-tracker.ts';
import {
  OPEN, defaultAuthMethod, endpointUrl, refusedUpgradeStatus, resolveWebSocket,
  type AuthMethod, type EndpointName, type SocketCloseEvent, type SocketMessageEvent, type WebSocketConstructor, type WebSocketLike,
} from './socket.ts';

export interface LicmonClientOptions {
  /** The gateway (`ws://host:8080`, `wss://host`, `https://host`) or a full endpoint URL (`…/ws/logs`). */
  url: string;
  apiKey: string;
  /** Which stream: `logs`, `metrics` or `combined` (default `combined`, or the one the URL names). */
  endpoint?: EndpointName;
  /** How the key travels. Default `sub-protocol` (keeps it out of URLs and logs) when the key is a valid token, else `query`. */
  auth?: AuthMethod;
  /** The spec's filter (level, source, pattern, site); re-sent on every reconnect. */
  filter?: Filter | null;
  /** Metrics interval in ms (`configure`); re-sent on every reconnect. */
  interval?: number;
  /** Start from these ids (the last seen in each stream, comma-separated) instead of live. */
  since?: string;
  /**
   * Ask, on every connection, for the alerts firing now (`/ws/combined` only). They come before
   * live frames as `alert` events with `active: true`, each once: one already delivered (as active
   * or as it fired) is not delivered again after a reconnect.
   */
  activeAlerts?: boolean;
  /** Start with the last N log lines (0 to 1000) of each stream from history, like `tail -n`; a resumed stream goes on from its last id instead. */
  lines?: number;
  /** A WebSocket class; default `globalThis.WebSocket`. On Node 20, pass `ws`'s. */
  WebSocket?: WebSocketConstructor;
  /** Reconnect attempts in a row before giving up (spec: 10). Reset whenever a connection opens. */
  maxRetries?: number;
  /** Backoff: ceiling of the first delay (spec: 1000 ms), doubling up to maxDelay (spec: 30000 ms). */
  baseDelay?: number;
  maxDelay?: number;
  /** Keep-alive ping period (spec: 30000 ms); 0 disables. */
  pingInterval?: number;
  /** A connection silent this long after a ping is presumed dead and replaced (default 10000 ms). */
  pongTimeout?: number;
}

/**
 * connecting: first connection under way. live: subscribed, receiving. reconnecting: the
 * connection dropped; retrying with backoff. resumed: reconnected and resumed where it left off
 * (receiving, like live). closed: for good — by close(), the server (1000), a refused key, or
 * retries exhausted.
 */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'resumed' | 'closed';

export type ClosedBecause = 'client' | 'server' | 'unauthorized' | 'forbidden' | 'not-found' | 'retries-exhausted' | 'invalid-options';

export interface StateChange {
  readonly state: ConnectionState;
  /** The code and reason the last connection closed with (reconnecting, closed). */
  readonly code?: number;
  readonly reason?: string;
  /** reconnecting: the delay before the next attempt (ms) and its number (1-based). */
  readonly delay?: number;
  readonly attempt?: number;
  /** closed: why the client stopped. */
  readonly because?: ClosedBecause;
  /** The HTTP status of a refused upgrade, when the WebSocket implementation reports it (`ws` does, browsers do not). */
  readonly httpStatus?: number;
}

export interface LicmonClientEvents {
  log: (message: LogMessage, raw: string) => void;
  alert: (message: AlertMessage, raw: string) => void;
  metrics: (message: MetricsMessage, raw: string) => void;
  /** An `error` message from the gateway (a rejected filter, HISTORY_TRUNCATED, …); the connection stays up. */
  error: (message: ErrorMessage, raw: string) => void;
  state: (change: StateChange) => void;
}

type EventName = keyof LicmonClientEvents;

const CLOSE_BY_STATUS: Record<number, ClosedBecause> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not-found' };
/** Why the client stopped, for each close code the table says not to reconnect after (tsc checks it covers them all). */
const CLOSED_BECAUSE: Record<FinalCloseCode, ClosedBecause> = {
  [CloseCode.NORMAL]: 'server', [CloseCode.INVALID_REQUEST]: 'invalid-options', [CloseCode.KEY_REVOKED]: 'unauthorized',
};

export class LicmonClient {
  private readonly tracker: ResumeTracker;
  private readonly listeners = new Map<EventName, Set<unknown>>();
  private readonly WebSocketClass: WebSocketConstructor;
  private readonly url: URL;
  private readonly protocols: string[] | undefined;
  private readonly settings: Required<Pick<LicmonClientOptions, 'maxRetries' | 'baseDelay' | 'maxDelay' | 'pingInterval' | 'pongTimeout'>>;
  private filter: Filter | null;
  private interval: number | undefined;
  /** What each connection asks for before going live (`lines`, `activeAlerts`). */
  private readonly asked: { lines: number; activeAlerts: boolean };
  /** Alert key → id of the firing delivered for it, so an active alert is delivered once (see activeAlerts). */
  private readonly firing = new Map<string, string>();
  private socket: WebSocketLike | undefined;
  private currentState: ConnectionState | undefined;
  private retries = 0;
  /** The current connection's subscription is in force (its handshake pong arrived). */
  private subscribed = false;
  /** What the current connection resumes from (`since`), and whether it went on the URL. */
  private resume: { since: string | undefined; onUrl: boolean } = { since: undefined, onUrl: false };
  /** Logs and alerts before the pong are not delivered (see the top of this file). */
  private holdBackUntilSubscribed = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private deadTimer: ReturnType<typeof setTimeout> | undefined;

  readonly endpoint: EndpointName;

  constructor(options: LicmonClientOptions) {
    const { url, endpoint } = endpointUrl(options.url, options.endpoint);
    const auth = options.auth ?? defaultAuthMethod(options.apiKey);
    if (auth === 'query') url.searchParams.set('api_key', options.apiKey);
    this.url = url;
    this.endpoint = endpoint;
    this.protocols = auth === 'sub-protocol' ? ['api_key', options.apiKey] : undefined;
    this.WebSocketClass = resolveWebSocket(options.WebSocket);
    this.tracker = new ResumeTracker(options.since);
    this.filter = options.filter ?? null;
    this.interval = options.interval;
    this.asked = { lines: options.lines ?? 0, activeAlerts: options.activeAlerts ?? false };
    this.settings = {
      maxRetries: options.maxRetries ?? RECONNECT_DEFAULTS.maxRetries,
      baseDelay: options.baseDelay ?? RECONNECT_DEFAULTS.baseDelay,
      maxDelay: options.maxDelay ?? RECONNECT_DEFAULTS.maxDelay,
      pingInterval: options.pingInterval ?? 30_000,
      pongTimeout: options.pongTimeout ?? 10_000,
    };
  }

  /** Listen to an event; returns a function that stops listening. */
  on<E extends EventName>(event: E, listener: LicmonClientEvents[E]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  get state(): ConnectionState | undefined {
    return this.currentState;
  }

  /** The last id delivered in each stream, comma-separated: pass it as `since` to resume later. */
  get since(): string | undefined {
    return this.tracker.since();
  }

  /** Open the first connection. Listeners added before this see every state change. */
  connect(): this {
    if (this.currentState === undefined) {
      this.setState({ state: 'connecting' });
      this.open();
    }
    return this;
  }

  /** Replace the filter (`null`: everything); kept for reconnects. */
  setFilter(filter: Filter | null): void {
    this.filter = filter;
    this.sendIfSubscribed({ action: 'filter', filter });
  }

  /** Set the metrics interval in ms; kept for reconnects. */
  configure(interval: number): void {
    this.interval = interval;
    this.sendIfSubscribed({ action: 'configure', interval });
  }

  /** Close for good (code 1000: the gateway will not expect a reconnect). */
  close(): void {
    if (this.currentState === 'closed') return;
    const socket = this.socket;
    this.dropSocket();
    socket?.close(CloseCode.NORMAL, 'client closed');
    this.finish({ state: 'closed', because: 'client' });
  }

  private open(): void {
    let socket: WebSocketLike;
    try {
      const since = this.tracker.since();
      const url = new URL(this.url);
      const filterOnUrl = setFilterParams(url, this.filter);
      this.resume = { since, onUrl: filterOnUrl };
      if (filterOnUrl && since !== undefined) url.searchParams.set('since', since);
      if (filterOnUrl && this.asked.lines > 0) url.searchParams.set('lines', String(this.asked.lines));
      if (filterOnUrl && this.asked.activeAlerts) url.searchParams.set('active_alerts', '1');
      if (this.interval !== undefined) url.searchParams.set('interval', String(this.interval));
      socket = new this.WebSocketClass(url.href, this.protocols);
    } catch (err) {
      // Only a malformed URL or key makes a WebSocket constructor throw: retrying cannot help.
      return this.finish({ state: 'closed', because: 'invalid-options', reason: err instanceof Error ? err.message : String(err) });
    }
    this.socket = socket;
    this.subscribed = false;
    let httpStatus: number | undefined;
    socket.onopen = () => this.onOpen();
    socket.onmessage = (event: SocketMessageEvent) => {
      if (typeof event.data === 'string') this.onFrame(event.data);
    };
    socket.onerror = (event: unknown) => {
      httpStatus ??= refusedUpgradeStatus(event);
    };
    socket.onclose = (event: SocketCloseEvent) => {
      if (this.socket !== socket) return;
      this.dropSocket();
      this.onClosed(event.code, event.reason, httpStatus);
    };
  }

  private onOpen(): void {
    this.retries = 0;
    const { since, onUrl } = this.resume;
    this.holdBackUntilSubscribed = !onUrl;
    if (!onUrl) {
      const { lines, activeAlerts } = this.asked;
      this.send({ action: 'subscribe', filter: this.filter, ...(since !== undefined ? { since } : {}), ...(lines > 0 ? { lines } : {}), ...(activeAlerts ? { activeAlerts } : {}) });
    }
    this.send({ action: 'ping' });
    this.expectAnswer();
    if (this.settings.pingInterval > 0) {
      this.pingTimer = setInterval(() => {
        this.send({ action: 'ping' });
        this.expectAnswer();
      }, this.settings.pingInterval);
    }
  }

  private onFrame(raw: string): void {
    clearTimeout(this.deadTimer);
    let message: { type?: unknown; id?: unknown; code?: unknown; stream?: unknown } | null;
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return; // Not from a gateway of this API: nothing to deliver.
    }
    if (typeof message !== 'object' || message === null) return;
    switch (message.type) {
      case 'pong':
        if (!this.subscribed) {
          this.subscribed = true;
          this.setState({ state: this.resume.since !== undefined && this.currentState !== 'connecting' ? 'resumed' : 'live' });
        }
        return;
      case 'log':
        if (this.isNew(message.id)) this.emit('log', message as LogMessage, raw);
        return;
      case 'alert': {
        const alert = message as AlertMessage;
        // An active alert is current state, not a place in its stream: the tracker never sees it.
        if (alert.active === true ? this.isNewActive(alert) : this.isNew(alert.id) && this.noteFiring(alert)) this.emit('alert', alert, raw);
        return;
      }
      case 'metrics':
        // Snapshots are latest-value (nothing to resume); only a filter naming source or site selects them.
        if (!this.subscribed && this.holdBackUntilSubscribed && (this.filter?.source !== undefined || this.filter?.site !== undefined)) return;
        return this.emit('metrics', message as MetricsMessage, raw);
      case 'error':
        if (message.code === ErrorCode.HISTORY_TRUNCATED && typeof message.stream === 'string') this.tracker.rebase(message.stream);
        return this.emit('error', message as ErrorMessage, raw);
      default:
        return; // A message type this client does not know yet: ignored, for forward compatibility.
    }
  }

  /** A log or alert is delivered if it is not held back, and only if its id is new. */
  private isNew(id: unknown): boolean {
    if (!this.subscribed && this.holdBackUntilSubscribed) return false;
    return typeof id !== 'string' || this.tracker.accept(id);
  }

  /** An active alert is delivered unless held back, or its firing was delivered already. */
  private isNewActive(alert: AlertMessage): boolean {
    if (!this.subscribed && this.holdBackUntilSubscribed) return false;
    if (alert.id !== undefined && this.firing.get(alert.key) === alert.id) return false;
    return this.noteFiring(alert);
  }

  /** Remember which firing of each key was delivered (forgotten when it resolves). Answers true. */
  private noteFiring(alert: AlertMessage): boolean {
    if (!this.asked.activeAlerts) return true;
    if (alert.status === 'resolved') this.firing.delete(alert.key);
    else if (alert.id !== undefined) this.firing.set(alert.key, alert.id);
    return true;
  }

  private onClosed(code: number, reason: string, httpStatus: number | undefined): void {
    const refused = httpStatus !== undefined ? CLOSE_BY_STATUS[httpStatus] : undefined;
    if (refused) return this.finish({ state: 'closed', code, reason, because: refused, httpStatus });
    // A code outside the table in 4400-4499 (a newer gateway's) also means "stop": the server ended it.
    if (!shouldReconnect(code)) return this.finish({ state: 'closed', code, reason, because: CLOSED_BECAUSE[code as FinalCloseCode] ?? 'server', httpStatus });
    this.scheduleReconnect({ code, reason, httpStatus });
  }

  private scheduleReconnect(last: { code: number; reason: string; httpStatus?: number | undefined }): void {
    if (this.retries >= this.settings.maxRetries) return this.finish({ state: 'closed', ...last, because: 'retries-exhausted' });
    const delay = backoffDelay(this.retries, this.settings);
    this.retries++;
    this.setState({ state: 'reconnecting', ...last, delay, attempt: this.retries });
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  /** After a ping: a connection that stays silent past pongTimeout is presumed dead and replaced. */
  private expectAnswer(): void {
    clearTimeout(this.deadTimer);
    this.deadTimer = setTimeout(() => {
      const socket = this.socket;
      this.dropSocket();
      socket?.close(CloseCode.PRESUMED_DEAD, 'no answer to ping');
      this.scheduleReconnect({ code: CloseCode.PRESUMED_DEAD, reason: `no answer to ping within ${this.settings.pongTimeout} ms` });
    }, this.settings.pongTimeout);
  }

  private sendIfSubscribed(action: object): void {
    if (this.subscribed) this.send(action);
    // Otherwise the handshake of the next connection sends the latest filter and interval.
  }

  private send(action: object): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(action));
  }

  /** Forget the current socket: its late events are ignored and its timers stopped. */
  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.subscribed = false;
    clearInterval(this.pingTimer);
    clearTimeout(this.deadTimer);
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    // Not null: `ws` throws an 'error' nobody listens to (closing a socket still connecting emits one).
    socket.onerror = () => undefined;
  }

  private finish(change: StateChange): void {
    clearTimeout(this.retryTimer);
    this.setState(change);
  }

  private setState(change: StateChange): void {
    this.currentState = change.state;
    this.emit('state', change);
  }

  private emit<E extends EventName>(event: E, ...args: Parameters<LicmonClientEvents[E]>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        // on() only files a listener under the event whose signature it has.
        (listener as (...a: typeof args) => void)(...args);
      } catch (err) {
        // A listener's bug must not break the connection's bookkeeping: report it out of band.
        setTimeout(() => {
          throw err;
        });
      }
    }
  }
}

/**
 * Put a filter on the URL (`level`, `source`, `site` as comma-separated lists, `pattern`).
 * Answers false, leaving the URL alone, for a filter the URL cannot carry: a list value with a comma.
 */
function setFilterParams(url: URL, filter: Filter | null): boolean {
  if (filter === null) return true;
  const lists: Array<[string, string | string[] | undefined]> = [['level', filter.level], ['source', filter.source], ['site', filter.site]];
  const joined: Array<[string, string]> = [];
  for (const [name, value] of lists) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => v.includes(','))) return false;
    joined.push([name, values.join(',')]);
  }
  if (filter.pattern !== undefined && filter.pattern !== '') joined.push(['pattern', filter.pattern]);
  for (const [name, value] of joined) url.searchParams.set(name, value);
  return true;
}
