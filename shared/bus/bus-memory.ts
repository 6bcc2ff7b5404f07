// The in-process bus: the all-in-one `npm start` and unit tests. Same contract as Redis:
// ids are `<stream>:<ms>-<seq>`, increasing per stream; latest metrics per (site, source).
import type { StreamMessage } from '../protocol/index.ts';
import { type Bus, type ClusterConnections, type Delivery, type DeliveryListener, type PublishResult, serializeForPublish, streamOf, withId } from './bus.ts';

const NODE_TTL_MS = 10_000;

export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  readonly ready = true;
  private readonly listeners: DeliveryListener[] = [];
  private readonly lastPosition = new Map<string, { ms: number; seq: number }>();
  private readonly latest = new Map<string, Delivery>();
  private readonly nodes = new Map<string, { active: number; at: number }>();
  private total = 0;
  private closed = false;

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
    const id = `${stream}:${this.nextPosition(stream)}`;
    this.deliver({ kind: 'events', stream, json: withId(json, id) });
    return { id };
  }

  async subscribe(listener: DeliveryListener): Promise<void> {
    this.listeners.push(listener);
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

  /** Redis Stream-style position: milliseconds, then a sequence within the millisecond. */
  private nextPosition(stream: string): string {
    const now = Date.now();
    const last = this.lastPosition.get(stream);
    const next = last && last.ms >= now ? { ms: last.ms, seq: last.seq + 1 } : { ms: now, seq: 0 };
    this.lastPosition.set(stream, next);
    return `${next.ms}-${next.seq}`;
  }
}
