// The bus: the only place collectors and gateways meet. Two implementations sit beside this
// file — bus-redis.ts (the cluster) and bus-memory.ts (one process) — and one contract suite
// (test/integration/bus-contract.test.ts) runs against both.
import type { StreamMessage } from '../protocol/index.ts';
import { NO_SITE } from './keys.ts';
import type { StreamId, StreamPosition } from './stream-id.ts';
import type { UsageStore } from './usage.ts';

/** What a subscriber receives: the JSON text exactly as clients will receive it. */
export interface Delivery {
  /** `events` carries logs and alerts (with ids); `metrics` carries snapshots. */
  readonly kind: 'events' | 'metrics';
  /** The site's stream name (the site, or NO_SITE). */
  readonly stream: string;
  readonly json: string;
}

export type DeliveryListener = (delivery: Delivery) => void;

export interface PublishResult {
  /** The id assigned to a log or alert: `<stream>:<epoch>:<position>`. Metrics have none. */
  readonly id?: string;
  /**
   * Published, but fewer replicas than asked had it within the timeout (RedisBus's waitReplicas):
   * it is on the master, and a failover now may lose it (then reported as HISTORY_TRUNCATED).
   */
  readonly underReplicated?: true;
}

/** Thrown by publish when the bus is away and its bounded buffer is full: the message is dropped. */
export class BusBufferFullError extends Error {
  override name = 'BusBufferFullError';
}

/** One page of a stream's history (its logs and alerts, oldest first). */
export interface HistoryPage {
  /** The stream's current epoch; undefined when the stream holds nothing (never published, or lost). */
  readonly epoch: string | undefined;
  /**
   * True when the bus cannot prove it still holds everything after `after`: entries after it were
   * trimmed, or the history was lost (the epoch changed). The page then starts at the oldest kept entry.
   */
  readonly truncated: boolean;
  /** Deliveries (JSON with ids), oldest first, at most `limit`. */
  readonly entries: readonly Delivery[];
}

/** One page of a stream's history read backwards (newest first). */
export interface BackwardPage {
  /** The stream's current epoch; undefined when the stream holds nothing. */
  readonly epoch: string | undefined;
  /** Deliveries (JSON with ids), newest first, at most `limit`. */
  readonly entries: readonly Delivery[];
}

/**
 * Who publishes an event, for de-duplication: a producer id and its sequence number in the
 * event's stream. An event whose sequence is not above the producer's last published one is not
 * published again. The bus numbers its own events; a producer that reads an ordered input (a
 * debug log) numbers them itself, so that reading the input again from a checkpoint gives every
 * event its old number and nothing is published twice, whichever process reads it.
 */
export interface ProducerSequence {
  readonly id: string;
  readonly seq: number;
}

/** An input's lease, held: where its reading stopped, as the last holder stored it. */
export interface InputClaim {
  /** The checkpoint last committed (undefined when none was). */
  readonly checkpoint: string | undefined;
  /** The last sequence number published under the input's producer id (0 when none). */
  readonly producerSeq: number;
}

/** An input (a debug log) of a stream, and the token of the producer reading it. */
export interface InputRef {
  /** The stream (site) the input's events are published to. */
  readonly stream: string;
  /** The input's name, unique in its stream, e.g. `debuglog:flexlm-berlin-01`. */
  readonly input: string;
  /** This reader's token (unique per process and input). */
  readonly owner: string;
}

export interface ClusterConnections {
  /** WebSocket connections open now on every live gateway. */
  readonly active: number;
  /** WebSocket connections ever opened on this cluster. */
  readonly total: number;
}

export interface Bus {
  readonly kind: 'redis' | 'memory';

  /**
   * Publish one message (already validated against the schema). A log or alert is appended to
   * its site's history and published in one atomic step, and gets an id; a metrics snapshot
   * replaces its (site, source) latest value and is published. While the bus is away, messages
   * wait in a bounded buffer, in order, and are retried; a retry is never published twice. Past
   * the bound, publish rejects with BusBufferFullError.
   */
  publish(message: StreamMessage, producer?: ProducerSequence): Promise<PublishResult>;

  /**
   * Take (or keep) the lease on an input for `ttlMs`, and read its checkpoint: undefined while
   * another owner holds it. One lease per input, so several producers eligible for one input
   * never both read it.
   */
  claimInput(ref: InputRef, ttlMs: number): Promise<InputClaim | undefined>;

  /**
   * Store the input's checkpoint and extend the lease, only if `ref.owner` still holds it (false
   * otherwise: the reader must stop). Commands reach the bus in call order, so a checkpoint
   * committed after publishing is stored after those events. `release` gives the lease up.
   */
  commitCheckpoint(ref: InputRef, checkpoint: string | undefined, ttlMs: number, release?: boolean): Promise<boolean>;

  /**
   * Receive every message published from now on, in publish order per stream. Listeners are
   * called synchronously, one call per message; they must not throw.
   */
  subscribe(listener: DeliveryListener): Promise<void>;

  /**
   * Read a stream's logs and alerts after `after` (exclusive; undefined: from the oldest kept),
   * at most `limit` of them. Page on by passing the last entry's id as `after`.
   */
  readHistory(stream: string, after: StreamId | undefined, limit: number): Promise<HistoryPage>;

  /**
   * Read a stream's logs and alerts before `before` (exclusive; undefined: from the newest),
   * newest first, at most `limit` of them. Page on by passing the last entry's position.
   */
  readHistoryBackwards(stream: string, before: StreamPosition | undefined, limit: number): Promise<BackwardPage>;

  /**
   * The alerts firing now, in every stream: the last `firing` alert published under each key not
   * followed by a `resolved` one, as published (with its id). Kept by the publish step itself.
   */
  activeAlerts(): Promise<Delivery[]>;

  /** Every stream that has published, with the id of its newest entry (undefined when empty). */
  heads(): Promise<Map<string, StreamId | undefined>>;

  /** The latest metrics snapshot of every (site, source), as metrics deliveries. */
  latestMetrics(): Promise<Delivery[]>;

  /**
   * Report this gateway's open connections and how many it opened since the last report;
   * answers the cluster-wide figures. Gateways that stop reporting drop out after a few seconds.
   */
  reportConnections(nodeId: string, active: number, opened: number): Promise<ClusterConnections>;

  /** Usage history: collectors record each poll's features and each denial; gateways read ranges. */
  readonly usage: UsageStore;

  /** True while the bus can publish and deliver. */
  readonly ready: boolean;
  onReadyChange(listener: (ready: boolean) => void): void;

  close(): Promise<void>;
}

/** A site's stream name: the site itself, or NO_SITE for messages without one. */
export function streamOf(message: { site?: string | undefined }): string {
  return message.site ?? NO_SITE;
}

/** The JSON a subscriber sees for an event: the message with its id first. */
export function withId(json: string, id: string): string {
  return `{"id":${JSON.stringify(id)},${json.slice(1)}`;
}

/** Serialize for publishing: drop any `id` the publisher set (the bus assigns ids). */
export function serializeForPublish(message: StreamMessage): string {
  if (!('id' in message) || message.id === undefined) return JSON.stringify(message);
  const { id: _ignored, ...rest } = message;
  return JSON.stringify(rest);
}
