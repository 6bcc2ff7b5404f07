// The fan-out hub. A bus message is parsed once; the frame sent is the bus's own JSON text, so
// nothing is serialized per connection. Connections with equal filters (and endpoint) share a
// group, so a filter is evaluated once per message for all of them, and groups are indexed by
// level and source so a message touches only candidate groups — never a scan of every connection.
// Messages that arrive in one I/O turn are flushed together: one corked write per connection.
//
// Writing to every connection takes a while (each write is a syscall: ~9 µs on loopback here, so
// ~90 ms for 10,000 connections). A flush is therefore a pass over the connections in slices, and
// the hub takes new messages between slices: a message that arrives mid-pass goes to the
// connections the pass has yet to reach in this pass, and to the others in the next. A message
// then waits at most one pass for any connection, not the rest of the current pass and then
// another. Each group keeps its frames until every member has them; each member has a cursor.
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
  /** Frames not yet written to every member, and their ids (parallel arrays); frames[0] is number `base`. */
  readonly frames: Frame[] = [];
  readonly frameIds: Array<StreamId | undefined> = [];
  base = 0;
  /** In the hub's list of groups with frames to write. */
  dirty = false;
  /** The head when the current pass reached this group: every member has the frames before it once the pass is past. */
  passFrom = 0;
  constructor(
    readonly key: string,
    readonly filter: CompiledFilter,
    /** KIND_* bits of the endpoint its members are on. */
    readonly kinds: number,
  ) {}

  /** Number of the next frame. */
  get head(): number {
    return this.base + this.frames.length;
  }

  /** Forget the frames before `to` (every member has them). */
  trim(to: number): void {
    const drop = to - this.base;
    if (drop <= 0) return;
    this.frames.splice(0, drop);
    this.frameIds.splice(0, drop);
    this.base = to;
  }
}

/** Passes start at least this far apart (the bare uWS.js ceiling's own tick). */
const MIN_FLUSH_GAP_MS = 1;
/** Connections written per slice of a pass before new messages are taken in (~2 ms of writes here). */
const SLICE_WRITES = 256;

interface LevelIndex {
  readonly anySource: FilterGroup[];
  readonly bySource: Map<string, FilterGroup[]>;
}

export interface HubCounters {
  busMessages: number;
  invalidBusMessages: number;
  duplicateBusMessages: number;
}

/** What the hub reports at the end of each pass (to histograms): cheap, once per pass. */
export interface HubTimings {
  /** A pass took `passMs`; it finished writing the messages published at these bus times (ms). */
  passed(passMs: number, publishedAtMs: readonly number[]): void;
}

export class Hub {
  private readonly groups = new Map<string, FilterGroup>();
  /**
   * The candidate groups for a log or alert, per level: those whose filter names no source, and
   * those that name the message's source. A message never touches a group that cannot take it.
   */
  private index: LevelIndex[] = LEVELS.map(() => ({ anySource: [], bySource: new Map() }));
  /** Groups with frames some member lacks, in the order the pass visits them. */
  private dirty: FilterGroup[] = [];
  private flushScheduled = false;
  private lastPassAt = 0;
  /** The pass in progress: the dirty group it is in, and the member it visits next, counting down (-1: not started on it). */
  private passing = false;
  private passGroup = 0;
  private passMember = -1;
  /** newestFrom's memo: members of a group at the same cursor share the newest ids of their frames. */
  private memo: { group: FilterGroup | undefined; cursor: number; head: number; newest: StreamId[] } = { group: undefined, cursor: -1, head: -1, newest: [] };
  private readonly sliceBound = () => this.slice();
  /** Newest id delivered per stream. */
  readonly lastSeen = new Map<string, StreamId>();
  /** The message being dispatched, encoded when the first group takes it. */
  private encoded: Buffer | undefined;
  /** While paused (catching up after a bus fault), live events wait here, in order. */
  private held: Delivery[] | undefined;
  /** Bus times of messages some group took, waiting for a pass; and of those the current pass writes. */
  private publishedNext: number[] = [];
  private publishedInPass: number[] = [];

  constructor(
    private readonly clock: MetricsClock,
    readonly counters: HubCounters,
    private readonly logger: Logger,
    private readonly timings?: HubTimings,
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
    session.groupKey = group.key; // the group's string, not a copy per connection
    session.groupIndex = group.members.length;
    session.groupCursor = group.head;
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
    if (group.members.length === 0 && !group.dirty) {
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
    // Encoded means some group took it: its delay is known once a pass has written it everywhere.
    if (id && this.encoded && this.timings) this.publishedNext.push(id.ms);
    if (this.dirty.length > 0) this.schedule();
  }

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Each pass costs a write per connection: passes closer than MIN_FLUSH_GAP_MS are merged, so a
    // steady trickle of messages goes out in batches (at most one wait of that gap).
    const wait = this.passing ? 0 : this.lastPassAt + MIN_FLUSH_GAP_MS - performance.now();
    if (wait <= 0) setImmediate(this.sliceBound);
    else setTimeout(this.sliceBound, wait);
  }

  private offer(candidates: readonly FilterGroup[], fields: EventFields, json: string, id: StreamId | undefined): void {
    for (let i = 0; i < candidates.length; i++) {
      const group = candidates[i]!;
      if (!accepts(group.kinds, group.filter, fields)) continue;
      if (!group.dirty) {
        group.dirty = true;
        this.dirty.push(group);
      }
      // UTF-8 once per message, for every connection (a string would be encoded by uWS per send).
      group.frames.push((this.encoded ??= Buffer.from(json)));
      group.frameIds.push(id);
    }
  }

  /** Write every frame to every member now, without yielding (a replay must hold what is pending). */
  flush(): void {
    while (this.dirty.length > 0) {
      this.pass(Infinity);
    }
  }

  /** One slice of the pass in progress (or of a new one); the rest is scheduled. */
  private slice(): void {
    this.flushScheduled = false;
    this.pass(SLICE_WRITES);
    if (this.dirty.length > 0) this.schedule();
  }

  /**
   * Go on with the pass (or start one) for up to `budget` writes: one corked batch per member
   * that lacks frames. Members are visited backwards: one dropped as a slow consumer leaves its
   * group at once (uWS calls the close handler inside end()), and leave() swap-removes, moving
   * the last member (visited already) into its place. Between slices members may leave or join:
   * a cursor says what each one lacks, so visiting a member twice writes nothing twice.
   */
  private pass(budget: number): void {
    if (!this.passing) {
      this.passing = true;
      this.passGroup = 0;
      this.passMember = -1;
      this.lastPassAt = performance.now();
      [this.publishedInPass, this.publishedNext] = [this.publishedNext, this.publishedInPass];
    }
    for (; this.passGroup < this.dirty.length; this.passGroup++) {
      const group = this.dirty[this.passGroup]!;
      const members = group.members;
      if (this.passMember < 0) {
        group.passFrom = group.head;
        this.passMember = members.length;
      }
      for (let i = Math.min(this.passMember, members.length); i > 0; ) {
        if (budget <= 0) {
          this.passMember = i;
          return;
        }
        const member = members[--i]!;
        if (member.groupCursor < group.head) {
          this.write(group, member);
          budget--;
        }
      }
      this.passMember = -1;
      group.trim(group.passFrom);
    }
    this.endPass();
  }

  private write(group: FilterGroup, member: Session): void {
    const cursor = member.groupCursor;
    const from = cursor - group.base;
    member.groupCursor = group.head;
    if (member.replay) member.replay.hold(group.frames, group.frameIds, from);
    else member.sendFrames(group.frames, this.newestFrom(group, cursor), group.frameIds, from);
  }

  /** The pass is over: a group stays dirty if frames came after the pass reached it (members before them lack them). */
  private endPass(): void {
    this.passing = false;
    if (this.timings) {
      this.timings.passed(performance.now() - this.lastPassAt, this.publishedInPass);
      this.publishedInPass.length = 0;
    }
    this.memo.group = undefined;
    const behind: FilterGroup[] = [];
    for (const group of this.dirty) {
      if (group.head > group.passFrom) behind.push(group);
      else {
        group.dirty = false;
        if (group.members.length === 0 && this.groups.get(group.key) === group) {
          this.groups.delete(group.key);
          this.reindex();
        }
      }
    }
    this.dirty = behind;
  }

  /** The newest id per stream among a group's frames from number `cursor` on (ids of one stream arrive in order): usually one entry. */
  private newestFrom(group: FilterGroup, cursor: number): StreamId[] {
    const memo = this.memo;
    // Frame numbers only grow: (group, cursor, head) always names the same frames.
    if (memo.group === group && memo.cursor === cursor && memo.head === group.head) return memo.newest;
    const ids = group.frameIds;
    const newest: StreamId[] = [];
    for (let i = ids.length - 1; i >= cursor - group.base; i--) {
      const id = ids[i];
      if (id && !newest.some((n) => n.stream === id.stream)) newest.push(id);
    }
    memo.group = group;
    memo.cursor = cursor;
    memo.head = group.head;
    memo.newest = newest;
    return newest;
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
