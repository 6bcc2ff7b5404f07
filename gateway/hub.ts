// The fan-out hub. A bus message is parsed once; the frame sent is the bus's own JSON text, so
// nothing is serialized per connection. Connections with equal filters (and endpoint) share a
// group, so a filter is evaluated once per message for all of them, and groups are indexed by
// level and source so a message touches only candidate groups — never a scan of every connection.
// Messages that arrive in one I/O turn are flushed together: one corked write per connection.
//
// The hub also keeps the newest id it has delivered per stream, so a message that reaches it
// twice (live and again from history after a Redis fault) is delivered once.
import type { Delivery } from '../shared/bus/index.ts';
import { comparePositions, leadingId, parseStreamId, type StreamId } from '../shared/bus/stream-id.ts';
import type { Logger } from '../shared/logger.ts';
import { LEVELS } from '../shared/protocol/index.ts';
import { KIND_ALERT, KIND_LOG } from './endpoints.ts';
import { accepts, eventFields, type EventFields } from './event-fields.ts';
import type { CompiledFilter } from './filter/filter.ts';
import type { MetricsClock } from './metrics-clock.ts';
import type { Frame, Session } from './session.ts';

export class FilterGroup {
  readonly members: Session[] = [];
  /** Frames matched since the last flush, and their ids (parallel arrays). */
  readonly pending: Frame[] = [];
  readonly pendingIds: Array<StreamId | undefined> = [];
  constructor(
    readonly key: string,
    readonly filter: CompiledFilter,
    /** KIND_* bits of the endpoint its members are on. */
    readonly kinds: number,
  ) {}
}

/** Flushes are at least this far apart (the bare uWS.js ceiling's own tick). */
const MIN_FLUSH_GAP_MS = 1;

interface LevelIndex {
  readonly anySource: FilterGroup[];
  readonly bySource: Map<string, FilterGroup[]>;
}

export interface HubCounters {
  busMessages: number;
  invalidBusMessages: number;
  duplicateBusMessages: number;
}

export class Hub {
  private readonly groups = new Map<string, FilterGroup>();
  /**
   * The candidate groups for a log or alert, per level: those whose filter names no source, and
   * those that name the message's source. A message never touches a group that cannot take it.
   */
  private index: LevelIndex[] = LEVELS.map(() => ({ anySource: [], bySource: new Map() }));
  private readonly dirty: FilterGroup[] = [];
  private flushScheduled = false;
  private lastFlushAt = 0;
  private readonly flushBound = () => this.flush();
  /** Newest id delivered per stream. */
  readonly lastSeen = new Map<string, StreamId>();
  /** The message being dispatched, encoded when the first group takes it. */
  private encoded: Buffer | undefined;
  /** While paused (catching up after a bus fault), live events wait here, in order. */
  private held: Delivery[] | undefined;

  constructor(
    private readonly clock: MetricsClock,
    readonly counters: HubCounters,
    private readonly logger: Logger,
  ) {}

  get groupCount(): number {
    return this.groups.size;
  }

  /** Put a session in the group for its current filter (removing it from its old group). */
  join(session: Session, filter: CompiledFilter): void {
    this.leave(session);
    session.filter = filter;
    const key = `${session.endpoint.kinds}|${filter.key}`;
    let group = this.groups.get(key);
    if (!group) {
      group = new FilterGroup(key, filter, session.endpoint.kinds);
      this.groups.set(key, group);
      this.reindex();
    }
    session.groupKey = key;
    session.groupIndex = group.members.length;
    group.members.push(session);
  }

  leave(session: Session): void {
    const group = session.groupIndex >= 0 ? this.groups.get(session.groupKey) : undefined;
    if (!group) return;
    // Swap-remove: O(1), order within a group does not matter.
    const last = group.members.pop()!;
    if (last !== session) {
      group.members[session.groupIndex] = last;
      last.groupIndex = session.groupIndex;
    }
    session.groupIndex = -1;
    if (group.members.length === 0 && group.pending.length === 0) {
      this.groups.delete(group.key);
      this.reindex();
    }
  }

  /** Hold live events until resume(): the caller is reading what was missed from history. */
  pause(): void {
    this.held ??= [];
  }

  resume(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const delivery of held) this.dispatch(delivery);
  }

  /** The bus listener. Must not throw: it runs inside the bus's event handler. */
  deliver(delivery: Delivery): void {
    if (this.held !== undefined && delivery.kind === 'events') this.held.push(delivery);
    else this.dispatch(delivery);
  }

  /** Deliver now, bypassing a pause (used for entries read from history while catching up). */
  dispatch(delivery: Delivery): void {
    this.counters.busMessages++;
    let message: unknown;
    try {
      message = JSON.parse(delivery.json);
    } catch {
      return this.reject(delivery, 'not JSON');
    }
    if (delivery.kind === 'metrics') {
      if (message === null || typeof message !== 'object' || (message as { type?: unknown }).type !== 'metrics') return this.reject(delivery, 'not a metrics message');
      this.clock.update(message as Record<string, unknown>, delivery.stream);
      return;
    }
    const fields = eventFields(message);
    if (!fields) return this.reject(delivery, 'not a valid log or alert');
    const id = this.admitId(delivery);
    if (id === null) return;
    const level = this.index[fields.levelIndex]!;
    this.encoded = undefined;
    this.offer(level.anySource, fields, delivery.json, id);
    const bySource = level.bySource.get(fields.source);
    if (bySource) this.offer(bySource, fields, delivery.json, id);
    if (this.dirty.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      // Each flush costs a write per connection: flushes closer than MIN_FLUSH_GAP_MS are merged,
      // so a steady trickle of messages goes out in batches (at most one wait of that gap).
      const wait = this.lastFlushAt + MIN_FLUSH_GAP_MS - performance.now();
      if (wait <= 0) setImmediate(this.flushBound);
      else setTimeout(this.flushBound, wait);
    }
  }

  private offer(candidates: readonly FilterGroup[], fields: EventFields, json: string, id: StreamId | undefined): void {
    for (let i = 0; i < candidates.length; i++) {
      const group = candidates[i]!;
      if (!accepts(group.kinds, group.filter, fields)) continue;
      if (group.pending.length === 0) this.dirty.push(group);
      // UTF-8 once per message, for every connection (a string would be encoded by uWS per send).
      group.pending.push((this.encoded ??= Buffer.from(json)));
      group.pendingIds.push(id);
    }
  }

  /** Write every group's pending frames to its members: one corked batch per connection. */
  flush(): void {
    this.flushScheduled = false;
    this.lastFlushAt = performance.now();
    for (let g = 0; g < this.dirty.length; g++) {
      const group = this.dirty[g]!;
      const members = group.members;
      const newest = newestPerStream(group.pendingIds);
      // Backwards: a member dropped as a slow consumer leaves the group at once (uWS calls the close
      // handler inside end()), and leave() swap-removes: the last member moves into its place. Going
      // forwards, that member would miss this batch.
      for (let i = members.length - 1; i >= 0; i--) {
        const member = members[i]!;
        if (member.replay) member.replay.hold(group.pending, group.pendingIds);
        else member.sendFrames(group.pending, newest, group.pendingIds);
      }
      group.pending.length = 0;
      group.pendingIds.length = 0;
      if (members.length === 0 && this.groups.get(group.key) === group) {
        this.groups.delete(group.key);
        this.reindex();
      }
    }
    this.dirty.length = 0;
  }

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
      this.counters.duplicateBusMessages++;
      return null;
    }
    if (last && last.epoch !== id.epoch) this.logger.warn({ stream: id.stream, from: last.epoch, to: id.epoch }, 'stream epoch changed: its history was lost');
    this.lastSeen.set(id.stream, id);
    return id;
  }

  private reindex(): void {
    const index: LevelIndex[] = LEVELS.map(() => ({ anySource: [], bySource: new Map() }));
    for (const group of this.groups.values()) {
      if ((group.kinds & (KIND_LOG | KIND_ALERT)) === 0) continue;
      for (let l = 0; l < LEVELS.length; l++) {
        if ((group.filter.levelMask & (1 << l)) === 0) continue;
        const level = index[l]!;
        if (group.filter.sources === null) level.anySource.push(group);
        else for (const source of group.filter.sources) level.bySource.set(source, [...(level.bySource.get(source) ?? []), group]);
      }
    }
    this.index = index;
  }

  private rejectedLogged = 0;
  private reject(delivery: Delivery, why: string): void {
    this.counters.invalidBusMessages++;
    // Log the first few in full, then only count: a misbehaving publisher must not flood the log.
    if (this.rejectedLogged++ < 10) this.logger.warn({ stream: delivery.stream, why, json: delivery.json.slice(0, 300) }, 'dropped an invalid bus message');
  }
}

/** The newest id per stream in a batch (ids of one stream arrive in order): usually one entry. */
function newestPerStream(ids: ReadonlyArray<StreamId | undefined>): StreamId[] {
  const newest: StreamId[] = [];
  for (let i = ids.length - 1; i >= 0; i--) {
    const id = ids[i];
    if (id && !newest.some((n) => n.stream === id.stream)) newest.push(id);
  }
  return newest;
}
