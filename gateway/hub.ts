// The fan-out hub. A bus message is parsed once; the frame sent is the bus's own JSON text, so
// nothing is serialized per connection. Connections with equal filters (and endpoint) share a
// group, so a filter is evaluated once per message for all of them, and groups are indexed by
// level so a message touches only candidate groups — never a scan of every connection.
// Messages that arrive in one I/O turn are flushed together: one corked write per connection.
import type { Delivery } from '../shared/bus/index.ts';
import type { Logger } from '../shared/logger.ts';
import { LEVELS } from '../shared/protocol/index.ts';
import { KIND_ALERT, KIND_LOG } from './endpoints.ts';
import { LEVEL_INDEX, matchesEvent, type CompiledFilter } from './filter/filter.ts';
import type { MetricsClock } from './metrics-clock.ts';
import type { Session } from './session.ts';

export class FilterGroup {
  readonly members: Session[] = [];
  /** Frames matched since the last flush. */
  readonly pending: string[] = [];
  constructor(
    readonly key: string,
    readonly filter: CompiledFilter,
    /** KIND_* bits of the endpoint its members are on. */
    readonly kinds: number,
  ) {}
}

export interface HubCounters {
  busMessages: number;
  invalidBusMessages: number;
}

export class Hub {
  private readonly groups = new Map<string, FilterGroup>();
  /** Groups that take logs or alerts, per level: the candidates for a message of that level. */
  private byLevel: FilterGroup[][] = LEVELS.map(() => []);
  private readonly dirty: FilterGroup[] = [];
  private flushScheduled = false;
  private readonly flushBound = () => this.flush();

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

  /** Entry point for every bus delivery. Must not throw: it runs inside the bus's event handler. */
  deliver(delivery: Delivery): void {
    this.counters.busMessages++;
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(delivery.json) as Record<string, unknown>;
    } catch {
      this.reject(delivery, 'not JSON');
      return;
    }
    if (message === null || typeof message !== 'object') return this.reject(delivery, 'not a JSON object');
    if (delivery.kind === 'metrics') {
      if (message.type !== 'metrics') return this.reject(delivery, 'not a metrics message');
      this.clock.update(message, delivery.stream);
      return;
    }
    const kind = message.type === 'log' ? KIND_LOG : message.type === 'alert' ? KIND_ALERT : 0;
    const levelIndex = LEVEL_INDEX[message.level as keyof typeof LEVEL_INDEX];
    const { source, site, message: text } = message;
    if (kind === 0 || levelIndex === undefined || typeof source !== 'string' || typeof text !== 'string' || (site !== undefined && typeof site !== 'string')) {
      this.reject(delivery, 'not a valid log or alert');
      return;
    }
    const candidates = this.byLevel[levelIndex]!;
    for (let i = 0; i < candidates.length; i++) {
      const group = candidates[i]!;
      if ((group.kinds & kind) === 0 || !matchesEvent(group.filter, levelIndex, source, site as string | undefined, text)) continue;
      if (group.pending.length === 0) this.dirty.push(group);
      group.pending.push(delivery.json);
    }
    if (this.dirty.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushBound);
    }
  }

  /** Write every group's pending frames to its members: one corked batch per connection. */
  flush(): void {
    this.flushScheduled = false;
    for (let g = 0; g < this.dirty.length; g++) {
      const group = this.dirty[g]!;
      const members = group.members;
      for (let i = 0; i < members.length; i++) members[i]!.sendFrames(group.pending);
      group.pending.length = 0;
      if (members.length === 0 && this.groups.get(group.key) === group) {
        this.groups.delete(group.key);
        this.reindex();
      }
    }
    this.dirty.length = 0;
  }

  private reindex(): void {
    const byLevel: FilterGroup[][] = LEVELS.map(() => []);
    for (const group of this.groups.values()) {
      if ((group.kinds & (KIND_LOG | KIND_ALERT)) === 0) continue;
      for (let l = 0; l < LEVELS.length; l++) if (group.filter.levelMask & (1 << l)) byLevel[l]!.push(group);
    }
    this.byLevel = byLevel;
  }

  private rejectedLogged = 0;
  private reject(delivery: Delivery, why: string): void {
    this.counters.invalidBusMessages++;
    // Log the first few in full, then only count: a misbehaving publisher must not flood the log.
    if (this.rejectedLogged++ < 10) this.logger.warn({ stream: delivery.stream, why, json: delivery.json.slice(0, 300) }, 'dropped an invalid bus message');
  }
}
