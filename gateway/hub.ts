// The fan-out hub. What reaches it is a log or alert the intake (intake.ts) has already parsed,
// checked and de-duplicated; the frame sent is the bus's own JSON text, so nothing is serialized
// per connection. Connections with equal filters (and endpoint) share a group, so a filter is
// evaluated once per message for all of them, and groups are indexed by level and source
// (filter/filter-index.ts) so a message touches only candidate groups — never a scan of every
// connection. Messages that arrive in one I/O turn are flushed together: one corked write per
// connection.
//
// Writing to every connection takes a while (each write is a syscall: ~9 µs on loopback here, so
// ~90 ms for 10,000 connections). A flush is therefore a pass over the connections in slices, and
// the hub takes new messages between slices: a message that arrives mid-pass goes to the
// connections the pass has yet to reach in this pass, and to the others in the next. A message
// then waits at most one pass for any connection, not the rest of the current pass and then
// another. Each group keeps its frames until every member has them; each member has a cursor.
import type { StreamId } from '../shared/bus/stream-id.ts';
import { ErrorCode } from '../shared/protocol/index.ts';
import { KIND_ALERT, KIND_LOG } from './endpoints.ts';
import { accepts, type EventFields } from './event-fields.ts';
import type { CompiledFilter } from './filter/filter.ts';
import { FilterIndex, type IndexEntry } from './filter/filter-index.ts';
import type { Frame, Session } from './session.ts';

/** A group's entries once it is out of the index, or when it takes no logs or alerts. */
const UNLISTED: ReadonlyArray<IndexEntry<FilterGroup>> = [];

export class FilterGroup {
  /** Frames not yet written to every member, and their ids (parallel arrays); frames[0] is number `base`. */
  readonly frames: Frame[] = [];
  readonly frameIds: Array<StreamId | undefined> = [];
  base = 0;
  /** In the hub's list of groups with frames to write. */
  dirty = false;
  /** The head when the current pass reached this group: every member has the frames before it once the pass is past. */
  passFrom = 0;
  /** Where the index lists it. */
  indexEntries = UNLISTED;
  constructor(
    readonly key: string,
    readonly filter: CompiledFilter,
    /** KIND_* bits of the endpoint its members are on. */
    readonly kinds: number,
    /**
     * Its first member, as `[session]`: an array literal has room for one (24 bytes), where a
     * push onto `[]` reserves 17 (152), and a group of a distinct filter rarely gets a second.
     */
    readonly members: Session[],
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

/** What the hub reports at the end of each pass (to histograms): cheap, once per pass. */
export interface HubTimings {
  /** A pass took `passMs`; it finished writing the messages published at these bus times (ms). */
  passed(passMs: number, publishedAtMs: readonly number[]): void;
}

export class Hub {
  private readonly groups = new Map<string, FilterGroup>();
  /** The candidate groups for a log or alert: a message never touches a group that cannot take it. */
  private readonly index = new FilterIndex<FilterGroup>();
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
  /** The message being published, encoded when the first group takes it. */
  private encoded: Buffer | undefined;
  /** Bus times of messages some group took, waiting for a pass; and of those the current pass writes. */
  private publishedNext: number[] = [];
  private publishedInPass: number[] = [];

  constructor(private readonly timings?: HubTimings) {}

  get groupCount(): number {
    return this.groups.size;
  }

  /** Distinct sources in the index (for tests: a forgotten group leaves nothing behind). */
  get indexedSources(): number {
    return this.index.sourceLists;
  }

  /** Put a session in the group for its current filter (removing it from its old group). */
  join(session: Session, filter: CompiledFilter): void {
    this.leave(session);
    session.filter = filter;
    const key = `${session.endpoint.kinds}|${filter.key}`;
    let group = this.groups.get(key);
    if (group) group.members.push(session);
    else {
      group = new FilterGroup(key, filter, session.endpoint.kinds, [session]);
      this.groups.set(key, group);
      if (group.kinds & (KIND_LOG | KIND_ALERT)) group.indexEntries = this.index.add(group, filter);
    }
    session.group = group;
    session.groupIndex = group.members.length - 1;
    session.groupCursor = group.head;
  }

  leave(session: Session): void {
    const group = session.group;
    if (!group) return;
    // Swap-remove: O(1), order within a group does not matter.
    const last = group.members.pop()!;
    if (last !== session) {
      group.members[session.groupIndex] = last;
      last.groupIndex = session.groupIndex;
    }
    session.group = undefined;
    // A dirty group is forgotten when its pass ends (the pass still holds it).
    if (group.members.length === 0 && !group.dirty) this.forget(group);
  }

  /** Fan out a log or alert (parsed and admitted by the intake); `id` undefined when it has none. */
  publish(fields: EventFields, json: string, id: StreamId | undefined): void {
    this.encoded = undefined;
    this.offer(this.index.anySource(fields.levelIndex), fields, json, id);
    this.offer(this.index.bySource(fields.source), fields, json, id);
    // Encoded means some group took it: its delay is known once a pass has written it everywhere.
    if (id && this.encoded && this.timings) this.publishedNext.push(id.ms);
    if (this.dirty.length > 0) this.schedule();
  }

  private forget(group: FilterGroup): void {
    this.groups.delete(group.key);
    this.index.remove(group.indexEntries);
    group.indexEntries = UNLISTED;
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

  private offer(candidates: ReadonlyArray<IndexEntry<FilterGroup>>, fields: EventFields, json: string, id: StreamId | undefined): void {
    for (let i = 0; i < candidates.length; i++) {
      const group = candidates[i]!.group;
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

  /**
   * Tell every connection that may take logs or alerts of `stream` that its history lost messages
   * (HISTORY_TRUNCATED, as a resuming client is told), after what it was sent before and before
   * anything published from now on. Rare (a Redis that lost data): a scan of the groups is fine.
   */
  truncated(stream: string, message: string): void {
    this.flush();
    for (const group of this.groups.values()) {
      if (!(group.kinds & (KIND_LOG | KIND_ALERT))) continue;
      const sites = group.filter.sites;
      if (sites !== null && !sites.has(stream)) continue;
      for (const member of group.members) member.sendError(ErrorCode.HISTORY_TRUNCATED, message, { stream });
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
        if (group.members.length === 0 && this.groups.get(group.key) === group) this.forget(group);
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
}
