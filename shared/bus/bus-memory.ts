// The in-process bus: the all-in-one `npm start` and unit tests. Same contract as Redis:
// ids are `<stream>:<epoch>:<ms>-<seq>`, increasing per stream, with a bounded history per
// stream; latest metrics per (site, source).
import type { StreamMessage } from '../protocol/index.ts';
import { type BackwardPage, type Bus, type ClusterConnections, type Delivery, type DeliveryListener, type HistoryPage, type InputClaim, type InputRef, type ProducerSequence, type PublishResult, serializeForPublish, streamOf, withId } from './bus.ts';
import { comparePositions, newEpoch, type StreamId, type StreamPosition } from './stream-id.ts';
import { DEFAULT_USAGE_RETENTION_MS } from './usage.ts';
import { MemoryUsageStore } from './usage-memory.ts';

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
  /** Alerts firing now, per stream then alert key (as Redis's active-alerts hashes). */
  private readonly active = new Map<string, Map<string, Delivery>>();
  private readonly nodes = new Map<string, { active: number; at: number }>();
  /** Per stream and producer id: the last sequence published and its id (as the producers hash). */
  private readonly producers = new Map<string, { seq: number; id: string }>();
  private readonly inputs = new Map<string, { owner: string; until: number; checkpoint: string | undefined }>();
  private total = 0;
  private closed = false;

  readonly usage: MemoryUsageStore;

  constructor(private readonly historyLength = 10_000, usageRetentionMs = DEFAULT_USAGE_RETENTION_MS) {
    this.usage = new MemoryUsageStore(usageRetentionMs);
  }

  async publish(message: StreamMessage, producer?: ProducerSequence): Promise<PublishResult> {
    if (this.closed) throw new Error('bus is closed');
    const stream = streamOf(message);
    const json = serializeForPublish(message);
    if (message.type === 'metrics') {
      const delivery: Delivery = { kind: 'metrics', stream, json };
      this.latest.set(`${stream}\n${message.source ?? ''}`, delivery);
      this.deliver(delivery);
      return {};
    }
    const producerKey = producer && `${stream}\n${producer.id}`;
    const last = producerKey === undefined ? undefined : this.producers.get(producerKey);
    if (last && producer && last.seq >= producer.seq) return { id: last.id };
    const history = this.streamOf(stream);
    const position = this.nextPosition(history);
    const id = `${stream}:${this.epoch}:${position.ms}-${position.seq}`;
    const delivery: Delivery = { kind: 'events', stream, json: withId(json, id) };
    history.entries.push({ position, delivery });
    if (history.entries.length > this.historyLength) history.maxDeleted = history.entries.shift()!.position;
    if (message.type === 'alert') this.keepActive(stream, message.key, message.status === 'firing' ? delivery : undefined);
    if (producerKey !== undefined) this.producers.set(producerKey, { seq: producer!.seq, id });
    this.deliver(delivery);
    return { id };
  }

  async claimInput(ref: InputRef, ttlMs: number): Promise<InputClaim | undefined> {
    const key = `${ref.stream}\n${ref.input}`;
    const now = Date.now();
    const input = this.inputs.get(key);
    if (input && input.owner !== ref.owner && input.until > now) return undefined;
    this.inputs.set(key, { owner: ref.owner, until: now + ttlMs, checkpoint: input?.checkpoint });
    return { checkpoint: input?.checkpoint, producerSeq: this.producers.get(key)?.seq ?? 0 };
  }

  async commitCheckpoint(ref: InputRef, checkpoint: string | undefined, ttlMs: number, release = false): Promise<boolean> {
    const input = this.inputs.get(`${ref.stream}\n${ref.input}`);
    if (!input || input.owner !== ref.owner || input.until <= Date.now()) return false;
    if (checkpoint !== undefined) input.checkpoint = checkpoint;
    input.until = release ? 0 : Date.now() + ttlMs;
    return true;
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

  async readHistoryBackwards(stream: string, before: StreamPosition | undefined, limit: number): Promise<BackwardPage> {
    const history = this.streams.get(stream);
    if (!history) return { epoch: undefined, entries: [] };
    let end = history.entries.length;
    if (before) while (end > 0 && comparePositions(history.entries[end - 1]!.position, before) >= 0) end--;
    return { epoch: this.epoch, entries: history.entries.slice(Math.max(0, end - limit), end).reverse().map((e) => e.delivery) };
  }

  async activeAlerts(): Promise<Delivery[]> {
    return [...this.active.values()].flatMap((byKey) => [...byKey.values()]);
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

  private keepActive(stream: string, key: string, firing: Delivery | undefined): void {
    let byKey = this.active.get(stream);
    if (!byKey) this.active.set(stream, (byKey = new Map()));
    if (firing) byKey.set(key, firing);
    else byKey.delete(key);
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
