// Metrics delivery. Metrics are latest-value: the gateway keeps the newest snapshot of each
// (site, source) and sends each connection the ones it may see every `interval` ms — conflated,
// never a backlog. One coarse timer drives every connection through a slotted wheel (no timer per
// connection), and each snapshot is serialized once per change of the cluster connection figures,
// not once per connection.
import type { ClusterConnections } from '../shared/bus/index.ts';
import { matchesMetrics } from './filter/filter.ts';
import type { Session } from './session.ts';

/** Timer granularity: an interval is honoured to within about this many milliseconds. */
export const TICK_MS = 20;
/** A snapshot nobody has refreshed for this long is dropped (its server stopped reporting). */
const SNAPSHOT_TTL_MS = 10 * 60_000;

interface Snapshot {
  readonly site: string | undefined;
  readonly source: string | undefined;
  readonly message: Record<string, unknown>;
  readonly updatedAt: number;
  /** Serialized with the connections figures of `frameVersion`. */
  frame: string | undefined;
  frameVersion: number;
}

export class MetricsClock {
  private readonly snapshots = new Map<string, Snapshot>();
  /** Slot number (due time / TICK_MS) → sessions due then. Entries are checked lazily. */
  private readonly wheel = new Map<number, Session[]>();
  private lastSlot = Math.floor(Date.now() / TICK_MS);
  private connections: ClusterConnections = { active: 0, total: 0 };
  private connectionsVersion = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastExpiry = Date.now();

  start(): void {
    this.timer ??= setInterval(() => this.tick(Date.now()), TICK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get snapshotCount(): number {
    return this.snapshots.size;
  }

  setConnections(figures: ClusterConnections): void {
    if (figures.active === this.connections.active && figures.total === this.connections.total) return;
    this.connections = figures;
    this.connectionsVersion++;
  }

  /** A new snapshot from the bus (already parsed). */
  update(message: Record<string, unknown>, stream: string): void {
    const source = typeof message.source === 'string' ? message.source : undefined;
    const site = typeof message.site === 'string' ? message.site : undefined;
    this.snapshots.set(`${stream}\n${source ?? ''}`, { site, source, message, updatedAt: Date.now(), frame: undefined, frameVersion: -1 });
  }

  /** Start delivering to a session: the current snapshots at once, then every interval. */
  add(session: Session, now = Date.now()): void {
    this.sendSnapshots(session, now);
    this.schedule(session, now + session.interval);
  }

  /** Change a session's interval: the next delivery is due one new interval after the last one. */
  setInterval(session: Session, interval: number, now = Date.now()): void {
    session.interval = interval;
    this.schedule(session, Math.max(now, session.metricsSentAt + interval));
  }

  /** Drive the wheel up to `now`. Public for tests, which pass their own clock. */
  tick(now: number): void {
    const slot = Math.floor(now / TICK_MS);
    let frameCache: Map<string, string[]> | undefined;
    for (let s = this.lastSlot + 1; s <= slot; s++) {
      const due = this.wheel.get(s);
      if (!due) continue;
      this.wheel.delete(s);
      frameCache ??= new Map();
      for (const session of due) {
        // Lazy removal: a closed session, or one rescheduled to another slot, is skipped here.
        if (session.closed || session.metricsSlot !== s) continue;
        let frames = frameCache.get(session.filter.key);
        if (!frames) frameCache.set(session.filter.key, (frames = this.framesFor(session)));
        if (frames.length > 0) session.sendFrames(frames);
        session.metricsSentAt = now;
        // Next due one interval after this one; a session that fell far behind does not catch up in a burst.
        const next = session.metricsDueAt + session.interval;
        this.schedule(session, next > now ? next : now + session.interval);
      }
    }
    this.lastSlot = slot;
    if (now - this.lastExpiry > 60_000) this.expireSnapshots(now);
  }

  private sendSnapshots(session: Session, now: number): void {
    const frames = this.framesFor(session);
    if (frames.length > 0) session.sendFrames(frames);
    session.metricsSentAt = now;
  }

  private framesFor(session: Session): string[] {
    const frames: string[] = [];
    for (const snapshot of this.snapshots.values()) {
      if (matchesMetrics(session.filter, snapshot.source, snapshot.site)) frames.push(this.frameOf(snapshot));
    }
    return frames;
  }

  private frameOf(snapshot: Snapshot): string {
    if (snapshot.frame === undefined || snapshot.frameVersion !== this.connectionsVersion) {
      snapshot.frame = JSON.stringify({ ...snapshot.message, connections: this.connections });
      snapshot.frameVersion = this.connectionsVersion;
    }
    return snapshot.frame;
  }

  /** Due times round up to the next slot, so a delivery is never early. */
  private schedule(session: Session, dueAt: number): void {
    const slot = Math.max(Math.ceil(dueAt / TICK_MS), this.lastSlot + 1);
    session.metricsDueAt = dueAt;
    session.metricsSlot = slot;
    const list = this.wheel.get(slot);
    if (list) list.push(session);
    else this.wheel.set(slot, [session]);
  }

  private expireSnapshots(now: number): void {
    this.lastExpiry = now;
    for (const [key, snapshot] of this.snapshots) if (now - snapshot.updatedAt > SNAPSHOT_TTL_MS) this.snapshots.delete(key);
  }
}
