// A bus that can fail the way Redis does, for unit tests of the intake: it wraps the in-memory
// bus (the real history and ids) and adds a connection that can drop (live messages published
// meanwhile are lost to subscribers, as pub/sub loses them) and history reads that fail until healed.
import type { Bus, Delivery, DeliveryListener, HistoryPage } from '../../shared/bus/index.ts';
import { MemoryBus } from '../../shared/bus/bus-memory.ts';
import type { StreamId } from '../../shared/bus/stream-id.ts';
import type { StreamMessage } from '../../shared/protocol/index.ts';

export class FaultyBus implements Bus {
  readonly kind = 'memory' as const;
  readonly inner = new MemoryBus();
  readonly usage = this.inner.usage;
  ready = true;
  /** History reads fail while this is above zero (each failed read counts one down); Infinity: until heal(). */
  failReads = 0;
  /** Reads attempted, failed or not. */
  reads = 0;
  private readonly listeners: DeliveryListener[] = [];
  private readonly readyListeners: Array<(ready: boolean) => void> = [];

  constructor() {
    void this.inner.subscribe((delivery) => {
      if (this.ready) for (const listener of this.listeners) listener(delivery);
    });
  }

  /** Lose the connection: live messages stop reaching subscribers until reconnect(). */
  disconnect(): void {
    this.ready = false;
    for (const listener of this.readyListeners) listener(false);
  }

  reconnect(): void {
    this.ready = true;
    for (const listener of this.readyListeners) listener(true);
  }

  heal(): void {
    this.failReads = 0;
  }

  publish(message: StreamMessage): ReturnType<Bus['publish']> {
    return this.inner.publish(message);
  }

  async subscribe(listener: DeliveryListener): Promise<void> {
    this.listeners.push(listener);
  }

  async readHistory(stream: string, after: StreamId | undefined, limit: number): Promise<HistoryPage> {
    this.reads++;
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error('injected history read failure');
    }
    return this.inner.readHistory(stream, after, limit);
  }

  readHistoryBackwards(...args: Parameters<Bus['readHistoryBackwards']>): ReturnType<Bus['readHistoryBackwards']> {
    return this.inner.readHistoryBackwards(...args);
  }

  claimInput(...args: Parameters<Bus['claimInput']>): ReturnType<Bus['claimInput']> {
    return this.inner.claimInput(...args);
  }

  commitCheckpoint(...args: Parameters<Bus['commitCheckpoint']>): ReturnType<Bus['commitCheckpoint']> {
    return this.inner.commitCheckpoint(...args);
  }

  activeAlerts(): Promise<Delivery[]> {
    return this.inner.activeAlerts();
  }

  heads(): ReturnType<Bus['heads']> {
    return this.inner.heads();
  }

  latestMetrics(): Promise<Delivery[]> {
    return this.inner.latestMetrics();
  }

  reportConnections(nodeId: string, active: number, opened: number): ReturnType<Bus['reportConnections']> {
    return this.inner.reportConnections(nodeId, active, opened);
  }

  onReadyChange(listener: (ready: boolean) => void): void {
    this.readyListeners.push(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
