// The in-process bus: the all-in-one `npm start` and unit tests. Same contract as Redis:
// ids are `<stream>:<epoch>:<ms>-<seq>`, increasing per stream, with a bounded history per
// stream; latest metrics per (site, source).
import type { StreamMessage } from '../protocol/index.ts';
import { type Bus, type ClusterConnections, type Delivery, type DeliveryListener, type HistoryPage, type PublishResult, serializeForPublish, streamOf, withId } from './bus.ts';
import { comparePositions, newEpoch, type StreamId, type StreamPosition } from './stream-id.ts';

const NODE_TTL_MS = 10_000;

interface MemoryStream {
  readonly entries: Array<{ position: StreamPosition; delivery: Delivery }>;
  /** The newest position ever trimmed away (as Redis's max-deleted-entry-id). */
  maxDeleted: StreamPosition;
}

export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  readonly ready = true;
  /** One epoch for this process's lifetime: its history dies with it. */
  readonly epoch = newEpoch();
  private readonly listeners: DeliveryListener[] = [];
  private readonly streams = new Map<string, MemoryStream>();
  private readonly latest = new Map<string, Delivery>();
  private readonly nodes = new Map<string, { active: number; at: number }>();
  private total = 0;
  private closed = false;

  constructor(private readonly historyLength = 10_000) {}

  async publish(message: StreamMessage): Promise<PublishResult> {
    if (this.closed) throw new Error('bus is closed');
    const stream = streamOf(message);
    const json = serializeForPublish(message);
    if (message.type === 'metrics') {
      const delivery: Delivery = { kind: 'metrics', stream, json };
      this.latest.set(`${stream}\n${message.source ?? ''}`, delivery);
      this.deliver(delivery);
      return {};
    }
    const history = this.streamOf(stream);
    const position = this.nextPosition(history);
    const id = `${stream}:${this.epoch}:${position.ms}-${position.seq}`;
    const delivery: Delivery = { kind: 'events', stream, json: withId(json, id) };
    history.entries.push({ position, delivery });
    if (history.entries.length > this.historyLength) history.maxDeleted = history.entries.shift()!.position;
    this.deliver(delivery);
    return { id };
  }

  async subscribe(listener: DeliveryListener): Promise<void> {
    this.listeners.push(listener);
  }

  async readHistory(stream: string, after: StreamId | undefined, limit: number): Promise<HistoryPage> {
    const history = this.streams.get(stream);
    if (!history) return { epoch: undefined, truncated: after !== undefined, entries: [] };
    const sameEpoch = after !== undefined && after.epoch === this.epoch;
    // As Redis: entries after `after` may be gone when it is older than the newest one trimmed.
    const truncated = after !== undefined && (!sameEpoch || comparePositions(history.maxDeleted, after) >= 0);
    // As Redis: from another epoch, go on after `after` only if its very entry is still held.
    const continues = sameEpoch || (after !== undefined && history.entries.some((e) => comparePositions(e.position, after) === 0));
    const from = continues ? history.entries.findIndex((e) => comparePositions(e.position, after!) > 0) : 0;
    const entries = from < 0 ? [] : history.entries.slice(from, from + limit).map((e) => e.delivery);
    return { epoch: this.epoch, truncated, entries };
  }

  async heads(): Promise<Map<string, StreamId | undefined>> {
    const heads = new Map<string, StreamId | undefined>();
    for (const [stream, history] of this.streams) {
      const last = history.entries.at(-1);
      heads.set(stream, last ? { stream, epoch: this.epoch, ...last.position } : undefined);
    }
    return heads;
  }

  async latestMetrics(): Promise<Delivery[]> {
    return [...this.latest.values()];
  }

  async reportConnections(nodeId: string, active: number, opened: number): Promise<ClusterConnections> {
    const now = Date.now();
    this.nodes.set(nodeId, { active, at: now });
    this.total += opened;
    let sum = 0;
    for (const [id, node] of this.nodes) {
      if (now - node.at > NODE_TTL_MS) this.nodes.delete(id);
      else sum += node.active;
    }
    return { active: sum, total: this.total };
  }

  onReadyChange(): void {
    // Always ready: there is nothing to lose a connection to.
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.length = 0;
  }

  private deliver(delivery: Delivery): void {
    for (const listener of this.listeners) listener(delivery);
  }

  private streamOf(stream: string): MemoryStream {
    let history = this.streams.get(stream);
    if (!history) this.streams.set(stream, (history = { entries: [], maxDeleted: { ms: 0, seq: 0 } }));
    return history;
  }

  /** Redis Stream-style position: milliseconds, then a sequence within the millisecond. */
  private nextPosition(history: MemoryStream): StreamPosition {
    const now = Date.now();
    const last = history.entries.at(-1)?.position ?? history.maxDeleted;
    return last.ms >= now ? { ms: last.ms, seq: last.seq + 1 } : { ms: now, seq: 0 };
  }
}
