// The intake: everything between the bus and the hub. It parses each bus message once, hands
// metrics snapshots to the metrics clock and logs and alerts to the hub (which only fans out),
// and keeps the ingest state:
//   - the newest id delivered per stream, so a message that arrives twice (live, and again from
//     history after a fault) is delivered once; a new epoch means the stream's history was lost;
//   - where every stream stood at start (the history heads), so a later catch-up knows where to
//     begin;
//   - catch-up after a bus fault: live events are held while the gap is read from history, then
//     released in order. A failed read is retried with backoff until it succeeds. What is held is
//     bounded: past the bound the held events are dropped and read from history instead (each
//     round re-reads from the newest id delivered), so nothing waits without bound, and nothing
//     is ever stuck waiting for a reconnect that may not come;
//   - the latest metrics, loaded at start and again after each catch-up.
import type { Bus, Delivery } from '../shared/bus/index.ts';
import { comparePositions, leadingId, parseStreamId, type StreamId } from '../shared/bus/stream-id.ts';
import type { Logger } from '../shared/logger.ts';
import { readGap } from './catch-up.ts';
import { eventFields, type EventFields } from './event-fields.ts';

export interface IntakeCounters {
  busMessages: number;
  invalidBusMessages: number;
  duplicateBusMessages: number;
  historyTruncations: number;
}

export interface CatchUpPolicy {
  /** Wait before the first retry of a failed catch-up; doubled each time, up to maxRetryMs. */
  readonly firstRetryMs: number;
  readonly maxRetryMs: number;
  /** Live events held while catching up, at most; past it they are dropped and read from history. */
  readonly maxHeld: number;
}

export const DEFAULT_CATCH_UP: CatchUpPolicy = { firstRetryMs: 100, maxRetryMs: 5000, maxHeld: 50_000 };

export interface IntakeDeps {
  readonly bus: Bus;
  /** The fan-out: takes a log or alert that passed the intake. */
  readonly hub: {
    publish(fields: EventFields, json: string, id: StreamId | undefined): void;
    /** The stream's history lost messages this gateway's clients may not have had: tell them. */
    truncated(stream: string, message: string): void;
  };
  /** The metrics clock: takes the newest snapshot of a (site, source). */
  readonly clock: { update(message: Record<string, unknown>, stream: string): void };
  readonly counters: IntakeCounters;
  readonly logger: Logger;
  readonly policy?: CatchUpPolicy;
  /** Told how catch-ups go (the gateway's histograms): the returned function ends a successful one. */
  readonly timings?: { timeCatchUp(): () => void; catchUpFailed(): void };
}

/** Invalid bus messages logged in full; past that they are only counted. */
const REJECTS_LOGGED = 10;

/** Was `id` delivered by the time `positions` (newest id per stream) were taken? */
export function deliveredIn(positions: ReadonlyMap<string, StreamId>, id: StreamId): boolean {
  const last = positions.get(id.stream);
  return last !== undefined && last.epoch === id.epoch && comparePositions(id, last) <= 0;
}

export class Intake {
  /** Newest id delivered per stream. */
  private readonly lastSeen = new Map<string, StreamId>();
  /** True from a bus fault until its catch-up is done: live events are held (or, past the bound, dropped). */
  private paused = false;
  private held: Delivery[] = [];
  /** Live events were dropped past the bound: a round that started before the drop must be followed by another. */
  private overflowed = false;
  /** The bus faulted during a round: what it lost live may lie behind what the round read. */
  private faultedDuringRound = false;
  private catchingUp = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Ends a wait before a retry early (the bus came back, or stop()). */
  private wake: (() => void) | undefined;
  private stopped = false;
  private rejectsLogged = 0;
  private readonly policy: CatchUpPolicy;

  constructor(private readonly deps: IntakeDeps) {
    this.policy = deps.policy ?? DEFAULT_CATCH_UP;
  }

  /** Subscribe, remember where every stream stands, load the latest metrics, watch the bus. */
  async start(): Promise<void> {
    const { bus } = this.deps;
    await bus.subscribe(this.deliver);
    for (const [stream, head] of await bus.heads()) {
      if (head && !this.lastSeen.has(stream)) this.lastSeen.set(stream, head);
    }
    await this.loadLatestMetrics();
    bus.onReadyChange((ready) => this.readyChanged(ready));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.wake?.();
  }

  /** The bus listener. Must not throw: it runs inside the bus's event handler. */
  readonly deliver = (delivery: Delivery): void => {
    if (this.paused && delivery.kind === 'events') this.hold(delivery);
    else this.admit(delivery);
  };

  /** Has this id been delivered to the hub already? (A replay stops there: the live copy follows.) */
  delivered(id: StreamId): boolean {
    return deliveredIn(this.lastSeen, id);
  }

  /** Where every stream stands now: a copy, to ask `deliveredIn` of later about this moment. */
  positions(): Map<string, StreamId> {
    return new Map(this.lastSeen);
  }

  /** Live events waiting for the catch-up (never more than the policy's maxHeld). */
  get heldCount(): number {
    return this.held.length;
  }

  /** True from a bus fault until what it missed has been delivered. */
  get catchingUpAfterFault(): boolean {
    return this.paused;
  }

  private readyChanged(ready: boolean): void {
    this.deps.logger.info({ ready }, ready ? 'bus connected' : 'bus disconnected');
    if (this.stopped) return;
    if (!ready) {
      this.paused = true;
      if (this.catchingUp) this.faultedDuringRound = true;
      return;
    }
    if (this.catchingUp) this.wake?.(); // waiting to retry: retry now
    else if (this.paused) void this.catchUp();
  }

  private hold(delivery: Delivery): void {
    if (this.overflowed) return; // the next round reads it from history
    this.held.push(delivery);
    if (this.held.length <= this.policy.maxHeld) return;
    this.deps.logger.warn({ held: this.held.length }, 'too many live events held during catch-up: dropping them, to be read from history');
    this.held = [];
    this.overflowed = true;
  }

  /**
   * Rounds until one reads the whole gap with nothing lost meanwhile, a failed round retried with
   * backoff; then the held events are released and the latest metrics reloaded.
   */
  private async catchUp(): Promise<void> {
    this.catchingUp = true;
    const caughtUp = this.deps.timings?.timeCatchUp();
    let retryMs = this.policy.firstRetryMs;
    for (let round = 1; !this.stopped; round++) {
      // Whatever was dropped before this round is in history, and this round reads it.
      this.overflowed = false;
      this.faultedDuringRound = false;
      try {
        const read = await readGap(this.deps.bus, this.lastSeen, this.admit, this.truncated);
        if (this.overflowed || this.faultedDuringRound) continue;
        this.deps.logger.info({ streams: read.streams, delivered: read.entries, rounds: round }, 'caught up after the bus came back');
        caughtUp?.();
        break;
      } catch (err) {
        this.deps.timings?.catchUpFailed();
        this.deps.logger.warn({ err, retryInMs: retryMs }, 'catch-up after the bus came back failed; retrying');
        await this.sleep(retryMs);
        retryMs = Math.min(retryMs * 2, this.policy.maxRetryMs);
      }
    }
    this.catchingUp = false;
    if (this.stopped) return;
    const held = this.held;
    this.held = [];
    this.paused = false;
    for (const delivery of held) this.admit(delivery);
    await this.loadLatestMetrics();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.retryTimer = setTimeout(resolve, ms);
    }).then(() => {
      clearTimeout(this.retryTimer);
      this.wake = undefined;
    });
  }

  private async loadLatestMetrics(): Promise<void> {
    try {
      for (const delivery of await this.deps.bus.latestMetrics()) this.admit(delivery);
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not load the latest metrics');
    }
  }

  private readonly truncated = (stream: string): void => {
    this.deps.counters.historyTruncations++;
    this.deps.logger.warn({ stream }, 'history after the last delivered id is gone (trimmed, or Redis lost its data): delivering what is kept');
    this.deps.hub.truncated(stream, `messages of stream "${stream}" published while this gateway was away from Redis are no longer all kept; what is kept follows`);
  };

  /** Parse, check and de-duplicate one message, then pass it on. */
  private readonly admit = (delivery: Delivery): void => {
    const { counters } = this.deps;
    counters.busMessages++;
    let message: unknown;
    try {
      message = JSON.parse(delivery.json);
    } catch {
      return this.reject(delivery, 'not JSON');
    }
    if (delivery.kind === 'metrics') {
      if (message === null || typeof message !== 'object' || (message as { type?: unknown }).type !== 'metrics') return this.reject(delivery, 'not a metrics message');
      return this.deps.clock.update(message as Record<string, unknown>, delivery.stream);
    }
    const fields = eventFields(message);
    if (!fields) return this.reject(delivery, 'not a valid log or alert');
    const id = this.admitId(delivery);
    if (id !== null) this.deps.hub.publish(fields, delivery.json, id);
  };

  /**
   * The message's id if it is new, undefined if it has none, null if it was delivered already.
   * Within an epoch ids increase; a new epoch means the history was lost and starts afresh.
   */
  private admitId(delivery: Delivery): StreamId | undefined | null {
    const text = leadingId(delivery.json);
    const id = text === undefined ? undefined : parseStreamId(text);
    if (!id) return undefined;
    const last = this.lastSeen.get(id.stream);
    if (last && last.epoch === id.epoch && comparePositions(id, last) <= 0) {
      this.deps.counters.duplicateBusMessages++;
      return null;
    }
    if (last && last.epoch !== id.epoch && !this.catchingUp) {
      // Live, with no catch-up to notice it: the stream lost messages (Redis restarted empty, or a
      // promoted replica lacked writes a publisher then noticed), maybe some this gateway never had.
      this.deps.counters.historyTruncations++;
      this.deps.logger.warn({ stream: id.stream, from: last.epoch, to: id.epoch }, 'stream epoch changed: its history was lost');
      this.deps.hub.truncated(id.stream, `stream "${id.stream}" lost messages in Redis (a new epoch began): some may never have been sent`);
    }
    this.lastSeen.set(id.stream, id);
    return id;
  }

  private reject(delivery: Delivery, why: string): void {
    this.deps.counters.invalidBusMessages++;
    // Log the first few in full, then only count: a misbehaving publisher must not flood the log.
    if (this.rejectsLogged++ < REJECTS_LOGGED) this.deps.logger.warn({ stream: delivery.stream, why, json: delivery.json.slice(0, 300) }, 'dropped an invalid bus message');
  }
}
